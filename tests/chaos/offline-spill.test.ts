/**
 * The wrapper offline for a long stream: what its 1 MiB ring evicts is spilled to the spool
 * directory and resent, with the same seqs, once the server is back. Stored output is byte-exact
 * with no gap; with a disk bound smaller than the stream exactly the overflow is a gap; and output
 * still spilled when the program exits reaches the server through the deliverer. The real CLI in
 * a real PTY against a real server process that is killed and started again.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnInPty, type OuterPty } from "../support/pty.ts";
import { BUN, CLI, storedOutput, tempDir } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { chaosServer, endedSession, firstDiff, storedGaps } from "./helpers.ts";

const RING = 1024 * 1024;
/** `seq 1 N` prints this many bytes (with \n): N = 12,500,000 gives 100,088,895 (~100 MB; 100 MiB at the PTY's \r\n). */
const LINES = 12_500_000;

const server = chaosServer("cr-chaos-spill-");
const terms: OuterPty[] = [];
const spools: string[] = [];
afterAll(async () => {
  await server.kill();
  for (const t of terms) t.proc.kill("SIGKILL");
  for (const dir of spools)
    for (const f of existsSync(dir) ? readdirSync(dir) : [])
      if (f.endsWith(".lock")) {
        try {
          process.kill(Number(readFileSync(join(dir, f), "utf8")), "SIGKILL"); // a deliverer left running by a failed test
        } catch {}
      }
});

/** What the PTY shows for `seq 1 n` followed by `tail`: every \n as \r\n. */
function expectedOutput(n: number, tail: string): Buffer {
  const plain = Buffer.from(Bun.spawnSync(["seq", "1", String(n)]).stdout).toString("latin1") + tail;
  return Buffer.from(plain.replaceAll("\n", "\r\n"), "latin1");
}

function bytesIn(dir: string): number {
  return spillFilesIn(dir).reduce((n, f) => n + (statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0);
}

function spillFilesIn(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".spill"))
        .map((f) => join(dir, f))
    : [];
}

/** Starts the server unless it is up (each test leaves it up; one run alone with -t finds it down). */
async function up(): Promise<void> {
  if (
    !(await fetch(server.url + "/health").then(
      (r) => r.ok,
      () => false,
    ))
  )
    await server.start();
}

/** Runs `seq 1 n` in the wrapper while the server is down; resolves once all of it is out and spilled (a marker file). */
async function offlineStream(name: string, n: number, env: Record<string, string>, exitAt: "go" | "end") {
  await up();
  const configDir = await server.pair();
  await server.kill();
  const spool = join(configDir, "spool");
  spools.push(spool);
  const marks = tempDir("cr-spill-mark-");
  const wait = exitAt === "go" ? `while [ ! -e ${marks}/go ]; do sleep 0.05; done; echo AFTER-SERVER` : "echo AT-EXIT";
  const script = `seq 1 ${n}; touch ${marks}/done; ${wait}`;
  const term = spawnInPty([BUN, CLI, "exec", "--name", name, "--", "bash", "-c", script], {
    env: { CLAUDE_REMOTE_CONFIG_DIR: configDir, CLAUDE_REMOTE_RING_BYTES: String(RING), ...env },
    screen: false,
  });
  terms.push(term);
  await waitFor(() => existsSync(join(marks, "done")), { timeoutMs: 120_000, what: `${name}: the stream written` });
  return { term, spool, go: () => Bun.write(join(marks, "go"), "") };
}

async function sessionNamed(name: string): Promise<{ id: string; bytes: number }> {
  return waitFor(
    async () => {
      const list = (await (await server.api("/api/sessions")).json()) as Array<{ id: string; name: string }>;
      const s = list.find((x) => x.name === name);
      return s ? ((await (await server.api(`/api/sessions/${s.id}`)).json()) as { id: string; bytes: number }) : undefined;
    },
    { timeoutMs: 60_000, what: `session ${name}` },
  );
}

test("offline for a 100 MB stream with a 1 MiB ring: once the server is back, stored output is byte-exact, no gap", async () => {
  const { term, spool, go } = await offlineStream("spill-all", LINES, {}, "go");
  await waitFor(() => bytesIn(spool) > 95_000_000, { timeoutMs: 60_000, what: "the stream spilled to disk" }); // not held in memory
  const spilled = spillFilesIn(spool);
  expect(spilled.length).toBeGreaterThan(10);
  for (const f of spilled) expect(statSync(f).mode & 0o777).toBe(0o600);

  const expected = expectedOutput(LINES, "AFTER-SERVER\n");
  await server.start();
  const head = await sessionNamed("spill-all");
  // everything before AFTER-SERVER arrives while the program still runs (resent from the spill), then the spill is gone
  await waitFor(
    async () => ((await (await server.api(`/api/sessions/${head.id}`)).json()) as { bytes: number }).bytes >= expected.byteLength - 14,
    { timeoutMs: 120_000, what: "the spilled output stored" },
  );
  await waitFor(() => spillFilesIn(spool).length === 0, { timeoutMs: 30_000, what: "acknowledged spill files removed" });
  await go();
  expect(await term.exited).toBe(0);
  const s = await endedSession(server.api, "spill-all", 60_000);
  const stored = await storedOutput(server, s.id);
  expect(stored.byteLength).toBe(expected.byteLength);
  expect(firstDiff(stored, expected)).toBe(-1);
  expect(storedGaps(server.dataDir, s.id)).toEqual([]);
}, 300_000);

test("with a disk bound smaller than the stream, exactly the overflow is recorded as a gap and the rest is byte-exact", async () => {
  const bound = 8 * 1024 * 1024;
  const lines = 4_000_000; // ~31 MB
  const { term, spool, go } = await offlineStream("spill-bounded", lines, { CLAUDE_REMOTE_SPILL_BYTES: String(bound) }, "go");
  await waitFor(() => bytesIn(spool) > bound - 512 * 1024, {
    timeoutMs: 60_000,
    what: "the spill filled up to its bound (less than two entries short)",
  });
  await Bun.sleep(500); // were the bound not kept, the queue would go on growing the files meanwhile
  expect(bytesIn(spool)).toBeLessThanOrEqual(bound);

  await server.start();
  await go();
  expect(await term.exited).toBe(0);
  const s = await endedSession(server.api, "spill-bounded", 120_000);
  const expected = expectedOutput(lines, "AFTER-SERVER\n");
  const stored = await storedOutput(server, s.id);
  const gaps = storedGaps(server.dataDir, s.id);
  expect(gaps.length).toBe(1); // one offline stretch: spilled, then dropped, then the ring
  const lost = gaps[0].bytes;
  expect(stored.byteLength + lost).toBe(expected.byteLength); // the gap is exactly what is missing
  const cut = firstDiff(stored, expected);
  expect(cut).toBeGreaterThan(bound - 512 * 1024); // the spilled head is all there
  expect(cut).toBeLessThanOrEqual(bound);
  expect(firstDiff(stored.subarray(cut), expected.subarray(cut + lost))).toBe(-1); // and so is everything after the gap
  expect(stored.byteLength - cut).toBeGreaterThanOrEqual(RING / 2); // the ring's tail
  await waitFor(() => spillFilesIn(spool).length === 0, { what: "spill files removed" });
}, 300_000);

test("spilled output the server never acknowledged when the program exits reaches it through the deliverer", async () => {
  const lines = 4_000_000; // ~31 MB
  const { term, spool } = await offlineStream("spill-exit", lines, {}, "end");
  expect(await term.exited).toBe(0); // the wrapper does not wait for the server
  expect(term.output().toString("latin1", Math.max(0, term.output().byteLength - 4096))).toContain(`kept in ${spool}/`);
  const files = readdirSync(spool);
  expect(files.filter((f) => f.endsWith(".spool")).length).toBe(1);
  expect(files.filter((f) => f.endsWith(".spill")).length).toBeGreaterThan(3); // left for the deliverer, on disk

  await server.start();
  const s = await endedSession(server.api, "spill-exit", 120_000);
  const expected = expectedOutput(lines, "AT-EXIT\n");
  const stored = await storedOutput(server, s.id);
  expect(stored.byteLength).toBe(expected.byteLength);
  expect(firstDiff(stored, expected)).toBe(-1);
  expect(storedGaps(server.dataDir, s.id)).toEqual([]);
  await waitFor(() => readdirSync(spool).every((f) => !/\.(spool|spill|lock|live)$/.test(f)), {
    timeoutMs: 30_000,
    what: "spool and spill files removed",
  });
  expect(readFileSync(join(spool, "deliver.log"), "utf8")).toContain(`delivered session ${s.id}`);
}, 300_000);
