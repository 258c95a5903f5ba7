/** The PTY backend seam: the wrapper talks to this, never to a backend directly. */
export type PtyExit = { exitCode: number; signal: string | null };

export interface PtyProcess {
  readonly pid: number;
  /**
   * Input for the child. False when refused: the child is not reading and the input already
   * waiting has reached `inputQueueBytes` (native backend; Bun's terminal and bun-pty buffer
   * whatever they are given).
   */
  write(data: string | Uint8Array): boolean;
  /** Bytes of input waiting for the child to read them (0 where the backend does not know). */
  readonly queuedInput: number;
  resize(cols: number, rows: number): void;
  kill(signal?: NodeJS.Signals): void;
  /** Resolves after the child exited and its last output was delivered. */
  readonly exited: Promise<PtyExit>;
  /**
   * Native backend: which loop copies, the C one (./copy-loop.c) or the worker's JS one (no
   * compiler, or `CLAUDE_REMOTE_COPY_LOOP=js`). Never resolves if the worker fails first.
   */
  readonly copyLoop?: Promise<"c" | "js">;
}

export type SpawnOptions = {
  cols: number;
  rows: number;
  cwd: string;
  env: Record<string, string | undefined>;
  /**
   * Connect the child to this process's own terminal: stdin is copied to the child (a pipe's end
   * sends ^D) and every chunk is written to stdout before onData sees it. The backend does it so
   * the fast one can do it off the JS thread.
   */
  local?: boolean;
  /** Bound on input waiting for a child that does not read it (default DEFAULT_INPUT_QUEUE_BYTES). */
  inputQueueBytes?: number;
  /**
   * Each chunk in a buffer of its own that the receiver may keep (the link's ring holds it until
   * acked). Absent when nothing but the local terminal wants the output (an unpaired wrapper): the
   * native backend then never wakes the JS thread for it.
   */
  onData?: (data: Uint8Array) => void;
};

export type PtyBackend = (argv: string[], opts: SpawnOptions) => PtyProcess;

/** `CLAUDE_REMOTE_INPUT_QUEUE_BYTES` unset: input waiting for the child is bounded by this. */
export const DEFAULT_INPUT_QUEUE_BYTES = 1024 * 1024;
