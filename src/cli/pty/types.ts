/** The PTY backend seam: the wrapper talks to this, never to a backend directly. */
export type PtyExit = { exitCode: number; signal: string | null };

export interface PtyProcess {
  readonly pid: number;
  write(data: string | Uint8Array): void;
  resize(cols: number, rows: number): void;
  kill(signal?: NodeJS.Signals): void;
  /** Resolves after the child exited and its last output was delivered. */
  readonly exited: Promise<PtyExit>;
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
  /** Each chunk in a buffer of its own that the receiver may keep (the link's ring holds it until acked). */
  onData: (data: Uint8Array) => void;
};

export type PtyBackend = (argv: string[], opts: SpawnOptions) => PtyProcess;
