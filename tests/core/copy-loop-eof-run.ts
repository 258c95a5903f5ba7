/**
 * Run by tests/core/copy-loop-eof.test.ts in a process of its own, so that the backend's local
 * stdout (fd 1, written by the copy loop itself) is a pipe the test reads: spawns
 * `argv` through the native backend with `local: true`, writes what onData got to `dataFile`, prints
 * `{ loop, exitCode }` as JSON on stderr and exits with the child's code.
 *
 * `hold` (a file path, or "-" for none): on the first onData the JS thread creates that file (the
 * child waits for it before its burst) and then stays busy until the child has exited, so the whole
 * burst, up to the PTY's EOF, lands in the loop's batch while the JS thread has not taken the one
 * before: the batch the loop holds at EOF is never empty then.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { loadBackend } from "../../src/cli/pty/index.ts";

const [dataFile, hold, ...argv] = process.argv.slice(2);

/** Whether `pid` has exited (a zombie not reaped yet, or gone). */
function exited(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] === "Z";
  } catch {
    return true;
  }
}

const backend = await loadBackend("native");
const chunks: Uint8Array[] = [];
let held = hold === "-";
const pty = backend(argv, {
  cols: 80,
  rows: 24,
  cwd: process.cwd(),
  env: { ...process.env },
  local: true,
  onData: (d) => {
    chunks.push(d);
    if (held) return;
    held = true;
    writeFileSync(hold, "");
    const until = Date.now() + 20_000; // (a loop that stops reading would keep the child from exiting)
    while (!exited(pty.pid) && Date.now() < until) Bun.sleepSync(2);
    Bun.sleepSync(100); // the slave is closed now: give the loop the moment it takes to read to the EOF
  },
});
const loop = (await pty.copyLoop) ?? null;
const { exitCode } = await pty.exited;
writeFileSync(dataFile, Buffer.concat(chunks));
process.stderr.write(`${JSON.stringify({ loop, exitCode })}\n`);
process.exit(exitCode);
