/**
 * The native backend's copy loop in C (src/cli/pty/copy-loop.c) and its fallback, the worker's JS
 * loop: both must hand over every byte in order, end at the PTY's EOF with the child's exit code,
 * and the fallback must be taken when the C loop cannot be compiled.
 */
import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { loadCopyLoop } from "../../src/cli/pty/copy-loop.ts";
import { nativePty } from "../../src/cli/pty/native.ts";
import { tempDir } from "../support/server.ts";

const saved = process.env.CLAUDE_REMOTE_COPY_LOOP;
afterEach(() => {
  if (saved === undefined) delete process.env.CLAUDE_REMOTE_COPY_LOOP;
  else process.env.CLAUDE_REMOTE_COPY_LOOP = saved;
});

test("the C loop compiles here; a source that does not compile, or CLAUDE_REMOTE_COPY_LOOP=js, gives null (the JS loop)", async () => {
  expect(await loadCopyLoop()).not.toBeNull();
  const dir = tempDir("cr-copy-loop-");
  await Bun.write(join(dir, "broken.c"), "int cl_run(void) { return ; this is not C }\n");
  expect(await loadCopyLoop(join(dir, "broken.c"))).toBeNull();
  expect(await loadCopyLoop(join(dir, "missing.c"))).toBeNull();
  process.env.CLAUDE_REMOTE_COPY_LOOP = "js";
  expect(await loadCopyLoop()).toBeNull();
});

/** What a PTY with the default line discipline (OPOST|ONLCR) makes of `bytes`. */
function throughPty(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length * 2);
  let n = 0;
  for (const b of bytes) {
    if (b === 10) out[n++] = 13;
    out[n++] = b;
  }
  return out.subarray(0, n);
}

async function runCat(file: string, exit: number) {
  const chunks: Uint8Array[] = [];
  const pty = nativePty(["sh", "-c", `cat "$0"; printf '<tail>'; exit ${exit}`, file], {
    cols: 80,
    rows: 24,
    cwd: process.cwd(),
    env: { ...process.env },
    onData: (d) => chunks.push(d),
  });
  const loop = await pty.copyLoop;
  const { exitCode } = await pty.exited;
  return { loop, exitCode, out: Buffer.concat(chunks) };
}

for (const loop of ["c", "js"] as const)
  test(`the ${loop} loop: 8 MB of random bytes and 300k numbered lines and a tail written just before exit arrive whole and in order, with the exit code`, async () => {
    if (loop === "js") process.env.CLAUDE_REMOTE_COPY_LOOP = "js";
    const dir = tempDir("cr-copy-loop-");
    const random = new Uint8Array(8 * 1024 * 1024);
    for (let i = 0; i < random.length; i += 65536) crypto.getRandomValues(random.subarray(i, i + 65536));
    await Bun.write(join(dir, "random"), random);
    const lines = Array.from({ length: 300_000 }, (_, i) => `line ${i}`).join("\n") + "\n";
    await Bun.write(join(dir, "lines"), lines);

    const a = await runCat(join(dir, "random"), 7);
    expect(a.loop).toBe(loop);
    expect(a.exitCode).toBe(7);
    const want = throughPty(Buffer.concat([random, Buffer.from("<tail>")]));
    expect(a.out.length).toBe(want.length);
    expect(Buffer.compare(a.out, want)).toBe(0);

    const b = await runCat(join(dir, "lines"), 0);
    expect(b.loop).toBe(loop);
    expect(b.exitCode).toBe(0);
    expect(b.out.toString("latin1")).toBe(`${lines.replaceAll("\n", "\r\n")}<tail>`);
  }, 120_000);
