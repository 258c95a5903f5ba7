/**
 * Server memory over repeated bursts: one server process, N runs of 20 MB of `seq` output through
 * `claude-remote exec` (a real PTY) with one raw SSE viewer reading along. After each run, once the
 * server is idle (everything received is stored and indexed), its RSS is read from /proc. Flat
 * after the first runs = nothing per burst is kept; a steady climb = a leak.
 *   bun bench/run.ts rss [--runs=10] [--mb=20]
 */
import { status } from "./lib/proc.ts";
import { timeInPty } from "./lib/pty-run.ts";
import { ADMIN_TOKEN, BUN, CLI, metric, sessionNamed, startBenchServer, type BenchServer } from "./lib/server.ts";
import { readSse } from "./lib/sse.ts";
import { r2 } from "./lib/stats.ts";
import { waitFor } from "../tests/support/wait.ts";

function flag(args: string[], name: string, def: number): number {
  const v = args.find((a) => a.startsWith(`--${name}=`));
  return v ? Number(v.slice(name.length + 3)) : def;
}

async function idle(server: BenchServer): Promise<void> {
  await waitFor(
    async () => {
      const [received, stored, indexed] = await Promise.all([
        metric(server, "claude_remote_output_bytes_received_total"),
        metric(server, "claude_remote_output_bytes_stored_total"),
        metric(server, "claude_remote_search_indexed_bytes_total"),
      ]);
      return stored >= received && indexed >= stored;
    },
    { timeoutMs: 600_000, intervalMs: 250, what: "server idle (stored and indexed)" },
  );
}

/** One burst through the wrapper with a viewer on the raw stream; returns the bytes the viewer got. */
async function burst(server: BenchServer, name: string, bytes: number): Promise<number> {
  const run = timeInPty([BUN, CLI, "exec", "--name", name, "--", "bash", "-c", `sleep 0.3; seq 1 100000000 | head -c ${bytes}`], {
    env: { CLAUDE_REMOTE_CONFIG_DIR: server.configDir },
    capMs: 300_000,
  });
  const id = await sessionNamed(server, name);
  const abort = new AbortController();
  let viewed = 0;
  let seen = 0;
  const viewer = readSse(
    `${server.url}/events?session=${id}`,
    ADMIN_TOKEN,
    (event, data) => {
      if (event !== "output") return;
      const ev = JSON.parse(data) as { seq: number; data: string };
      viewed += Buffer.from(ev.data, "base64").byteLength;
      seen = ev.seq;
    },
    { signal: abort.signal },
  );
  const r = await run;
  if (r.exitCode !== 0) throw new Error(`${name}: wrapper exited ${r.exitCode}`);
  const { lastSeq, bytes: stored } = (await (await server.api(`/api/sessions/${id}`)).json()) as { lastSeq: number; bytes: number };
  await waitFor(() => seen >= lastSeq, { timeoutMs: 120_000, what: `viewer of ${name} at seq ${lastSeq}` });
  abort.abort();
  await viewer;
  if (viewed !== stored) throw new Error(`${name}: viewer got ${viewed} bytes, server stored ${stored}`);
  return viewed;
}

export async function run(args: string[]) {
  const runs = flag(args, "runs", 10);
  const bytes = flag(args, "mb", 20) * 1_000_000;
  const server = await startBenchServer();
  const rssMB: number[] = [];
  const viewedMB: number[] = [];
  const startMB = r2(status(server.pid).rssKB / 1024);
  try {
    for (let i = 1; i <= runs; i++) {
      viewedMB.push(r2((await burst(server, `rss-run-${i}`, bytes)) / 1e6));
      await idle(server);
      await Bun.sleep(500);
      rssMB.push(r2(status(server.pid).rssKB / 1024));
      console.log(`run ${i}: viewer got ${viewedMB.at(-1)} MB; server RSS after ${rssMB.at(-1)} MB`);
    }
  } finally {
    await server.stop();
  }
  const half = Math.floor(runs / 2);
  const growthPerRunMB = r2((rssMB[runs - 1] - rssMB[half - 1]) / (runs - half));
  console.log(
    `server RSS: start ${startMB} MB, after each run ${rssMB.join(" ")} MB; growth over the second half ${growthPerRunMB} MB per run`,
  );
  return { runs, mbPerRun: bytes / 1e6, startMB, rssMB, viewedMB, growthPerRunMB };
}

if (import.meta.main) console.log(JSON.stringify(await run(process.argv.slice(2))));
