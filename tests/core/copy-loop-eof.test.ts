/**
 * The batch the copy loop holds when the PTY reaches its EOF must still be handed over, by the C
 * loop and by the JS fallback (CLAUDE_REMOTE_COPY_LOOP=js). That batch is usually empty at EOF (a
 * quiet end posts what it has before the hang-up is read), so this test makes it full: the JS
 * thread is kept busy on the first chunk (./copy-loop-eof-run.ts) while the child writes its whole
 * burst and exits, so every later byte waits in the loop's batch until after the EOF. It checks
 * every byte at both ends the backend feeds (the local stdout and onData, the link's side) and the
 * exit code. Runs without the hold (a burst, then exit at once, left to the loop's 64 KiB / 5 ms
 * coalescing) are there too.
 */
import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { BUN, tempDir } from "../support/server.ts";

const RUNNER = join(import.meta.dir, "copy-loop-eof-run.ts");

/** What a PTY with the default line discipline (OPOST|ONLCR) makes of `bytes`. */
function throughPty(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(bytes.length * 2);
  let n = 0;
  for (const b of bytes) {
    if (b === 10) out[n++] = 13;
    out[n++] = b;
  }
  return out.subarray(0, n);
}

/** Numbered lines, about `bytes` long, ending in a marker without a newline. */
function numbered(bytes: number, tag: string): Buffer {
  const lines: string[] = [];
  for (let i = 0, n = 0; n < bytes; i++) {
    const l = `${tag} line ${i}\n`;
    lines.push(l);
    n += l.length;
  }
  return Buffer.from(`${lines.join("")}<${tag}-end>`);
}

/** The first index where `a` and `b` differ, or -1. */
function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

async function run(loop: "c" | "js", body: Buffer, hold: boolean, exit: number) {
  const dir = tempDir("cr-copy-eof-");
  const file = join(dir, "burst");
  await Bun.write(file, body);
  const go = join(dir, "go");
  const script = hold ? `printf 'HEAD\\n'; while [ ! -e "$0" ]; do sleep 0.01; done; cat "$1"; exit ${exit}` : `cat "$1"; exit ${exit}`;
  const env: Record<string, string | undefined> = { ...process.env, CLAUDE_REMOTE_COPY_LOOP: loop === "js" ? "js" : undefined };
  const proc = Bun.spawn([BUN, RUNNER, join(dir, "data"), hold ? go : "-", "sh", "-c", script, go, file], {
    env,
    stdin: "pipe", // open until the end: its end would send the child ^D
    stdout: "pipe",
    stderr: "pipe",
  });
  const [local, err, code] = await Promise.all([new Response(proc.stdout).arrayBuffer(), new Response(proc.stderr).text(), proc.exited]);
  proc.stdin.end();
  const result = JSON.parse(err.trim().split("\n").at(-1) ?? "{}") as { loop: string; exitCode: number };
  if (hold) expect(existsSync(go)).toBe(true); // the JS thread was held while the child wrote
  const want = Buffer.concat([hold ? Buffer.from("HEAD\r\n") : Buffer.alloc(0), throughPty(body)]);
  return { code, result, local: Buffer.from(local), link: Buffer.from(await Bun.file(join(dir, "data")).arrayBuffer()), want };
}

for (const loop of ["c", "js"] as const)
  test(`the ${loop} loop hands over the batch it holds at EOF: every byte, locally and to onData, and the exit code`, async () => {
    const cases = [
      { body: Buffer.from("<tail>"), hold: true, exit: 37 },
      { body: numbered(60 * 1024, "small"), hold: true, exit: 0 },
      { body: numbered(600 * 1024, "large"), hold: true, exit: 5 },
      { body: numbered(512 * 1024, "free1"), hold: false, exit: 9 },
      { body: numbered(512 * 1024, "free2"), hold: false, exit: 0 },
    ];
    for (const c of cases) {
      const r = await run(loop, c.body, c.hold, c.exit);
      const what = `${c.body.subarray(0, 5)}… (${c.body.length} bytes, hold ${c.hold})`;
      expect({ what, loop: r.result.loop, exitCode: r.result.exitCode, code: r.code }).toEqual({
        what,
        loop,
        exitCode: c.exit,
        code: c.exit,
      });
      expect({ what, local: firstDiff(r.local, r.want), length: r.local.length }).toEqual({ what, local: -1, length: r.want.length });
      expect({ what, link: firstDiff(r.link, r.want), length: r.link.length }).toEqual({ what, link: -1, length: r.want.length });
    }
  }, 120_000);
