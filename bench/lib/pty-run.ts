/** Runs a command in a fresh outer PTY (Bun's terminal) and times the bytes it writes, with a hard cap. */
import { now } from "./stats.ts";

export type PtyRun = {
  bytes: number;
  firstByteMs: number;
  lastByteMs: number;
  wallMs: number;
  capped: boolean;
  exitCode: number | null;
  pid: number;
};

export async function timeInPty(
  argv: string[],
  opts: { env?: Record<string, string | undefined>; capMs: number; onSpawn?: (pid: number) => void; cols?: number; rows?: number },
): Promise<PtyRun> {
  let bytes = 0;
  let first = 0;
  let last = 0;
  let eof!: () => void;
  const drained = new Promise<void>((r) => (eof = r));
  const t0 = now();
  const proc = Bun.spawn(argv, {
    env: { ...process.env, TERM: "xterm-256color", LANG: "C.UTF-8", ...opts.env },
    terminal: {
      cols: opts.cols ?? 120,
      rows: opts.rows ?? 40,
      data: (_t, d) => {
        const t = now();
        if (!first) first = t;
        last = t;
        bytes += d.byteLength;
      },
      exit: () => eof(),
    },
  });
  opts.onSpawn?.(proc.pid);
  let capped = false;
  const cap = setTimeout(() => {
    capped = true;
    proc.kill("SIGKILL");
  }, opts.capMs);
  const code = await proc.exited;
  clearTimeout(cap);
  await Promise.race([drained, Bun.sleep(2000)]);
  const end = now();
  return {
    bytes,
    firstByteMs: first ? first - t0 : NaN,
    lastByteMs: last ? last - t0 : NaN,
    wallMs: end - t0,
    capped,
    exitCode: capped ? null : code,
    pid: proc.pid,
  };
}
