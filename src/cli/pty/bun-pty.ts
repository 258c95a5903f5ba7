/**
 * The bun-pty backend (`CLAUDE_REMOTE_PTY=bun-pty`). bun-pty hands out UTF-8-decoded strings,
 * so output that is not valid UTF-8 is not byte-exact here; the default backend is.
 */
import { spawn } from "bun-pty";
import { constants } from "node:os";
import { jsLocal } from "./js-local.ts";
import type { PtyBackend, PtyExit } from "./types.ts";

const encoder = new TextEncoder();

export const bunPty: PtyBackend = (argv, opts) => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
  const pty = spawn(argv[0], argv.slice(1), { name: env.TERM ?? "xterm-256color", cols: opts.cols, rows: opts.rows, cwd: opts.cwd, env });
  const write = (d: string | Uint8Array) => pty.write(typeof d === "string" ? d : new TextDecoder().decode(d));
  const local = jsLocal(opts.local, write);
  pty.onData((s: string) => {
    const data = encoder.encode(s);
    local.output(data); // the local terminal first: the network never holds it up
    opts.onData?.(data);
  });
  const exited = new Promise<PtyExit>((resolve) => {
    pty.onExit(({ exitCode, signal }) => {
      const name =
        typeof signal === "number" ? (Object.entries(constants.signals).find(([, n]) => n === signal)?.[0] ?? null) : signal || null;
      const signo = typeof signal === "number" ? signal : name ? ((constants.signals as Record<string, number>)[name] ?? 0) : 0;
      local.close();
      resolve({ exitCode: signo ? 128 + signo : exitCode, signal: name });
    });
  });
  return {
    pid: pty.pid,
    write: (d) => (write(d), true),
    queuedInput: 0,
    resize: (c, r) => pty.resize(c, r),
    kill: (s) => pty.kill(s),
    exited,
  };
};
