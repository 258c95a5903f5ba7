/** A real PTY standing in for the user's terminal: spawn a command in it, type, resize, read. */
import { HeadlessScreen } from "../../src/terminal/headless.ts";

export type OuterPty = {
  proc: ReturnType<typeof Bun.spawn>;
  /** Every byte the command wrote to the terminal so far. */
  output(): Buffer;
  text(): string;
  write(data: string | Uint8Array): void;
  resize(cols: number, rows: number): void;
  screen: HeadlessScreen;
  exited: Promise<number>;
};

/**
 * `inheritEnv: false` runs with only `opts.env` (e.g. makeClaudeEnv's clean environment);
 * `screen: false` skips feeding the headless screen (for streams of many MB that only the bytes matter for).
 */
export function spawnInPty(
  argv: string[],
  opts: {
    env?: Record<string, string | undefined>;
    cols?: number;
    rows?: number;
    cwd?: string;
    inheritEnv?: boolean;
    screen?: boolean;
  } = {},
): OuterPty {
  const cols = opts.cols ?? 100;
  const rows = opts.rows ?? 30;
  const chunks: Uint8Array[] = [];
  let cache: Buffer | null = null;
  const screen = new HeadlessScreen(cols, rows, { scrollback: 5000 });
  let eof!: () => void;
  const drained = new Promise<void>((r) => (eof = r));
  const proc = Bun.spawn(argv, {
    cwd: opts.cwd,
    env: { ...(opts.inheritEnv === false ? {} : process.env), TERM: "xterm-256color", LANG: "C.UTF-8", ...opts.env },
    terminal: {
      cols,
      rows,
      data: (_t, d) => {
        const copy = new Uint8Array(d);
        chunks.push(copy);
        cache = null;
        if (opts.screen !== false) screen.write(copy);
      },
      exit: () => eof(),
    },
  });
  const exited = proc.exited.then(async (code) => {
    await Promise.race([drained, Bun.sleep(2000)]);
    return code ?? 128;
  });
  return {
    proc,
    output: () => (cache ??= Buffer.concat(chunks)),
    text: () => (cache ??= Buffer.concat(chunks)).toString("utf8"),
    write: (d) => void proc.terminal?.write(d),
    resize: (c, r) => {
      proc.terminal?.resize(c, r);
      screen.resize(c, r);
    },
    screen,
    exited,
  };
}
