/** Default backend: Bun's built-in PTY (`Bun.spawn` with `terminal`). */
import { constants } from "node:os";
import { jsLocal } from "./js-local.ts";
import type { PtyBackend, PtyExit } from "./types.ts";

/** After the child exits, how long to wait for the PTY's EOF (a grandchild may hold it open). */
const DRAIN_MS = 1500;

export const bunTerminal: PtyBackend = (argv, opts) => {
  let eof!: () => void;
  const drained = new Promise<void>((r) => (eof = r));
  const proc = Bun.spawn(argv, {
    cwd: opts.cwd,
    env: opts.env,
    terminal: {
      cols: opts.cols,
      rows: opts.rows,
      name: opts.env.TERM ?? "xterm-256color",
      data: (_t, data) => {
        local.output(data); // the local terminal first: the network never holds it up
        opts.onData?.(data);
      },
      exit: () => eof(),
    },
  });
  const local = jsLocal(opts.local, (d) => void proc.terminal?.write(d));
  const exited = proc.exited.then(async (code): Promise<PtyExit> => {
    await Promise.race([drained, Bun.sleep(DRAIN_MS)]);
    const signal = typeof proc.signalCode === "string" ? proc.signalCode : null;
    const signo = signal ? ((constants.signals as Record<string, number>)[signal] ?? 0) : 0;
    proc.terminal?.close();
    local.close();
    return { exitCode: signal ? 128 + signo : (code ?? 0), signal };
  });
  return {
    pid: proc.pid,
    write: (d) => (proc.terminal?.write(d), true),
    queuedInput: 0,
    resize: (c, r) => proc.terminal?.resize(c, r),
    kill: (s) => proc.kill(s),
    exited,
  };
};
