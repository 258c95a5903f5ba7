/**
 * Indexing: does the search index's work reach the viewers? One session prints a timestamped line
 * every 10 ms to one raw SSE viewer. Latency is measured for `--seconds` with the indexer idle,
 * then a backlog of dense output (`cat` of `--backlog-mb` MB through the wrapper) is stored and
 * latency is measured again for `--seconds` while the indexer works through it (the phase counts
 * only if the backlog is not yet indexed at its end). `--baseline=<git rev>` runs the same against
 * that version's server, from a temporary worktree, in the same run.
 *   bun bench/run.ts indexing [--backlog-mb=60] [--seconds=20] [--baseline=bbd9ef3]
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { flag, waitUntil } from "./lib/args.ts";
import { cpuSeconds } from "./lib/proc.ts";
import { timeInPty } from "./lib/pty-run.ts";
import { perSecondP99, phase, type Sample, Viewer } from "./lib/latency-viewer.ts";
import { ADMIN_TOKEN, BUN, CLI, REPO, metric, sessionNamed, startBenchServer, type BenchServer } from "./lib/server.ts";
import { readSse } from "./lib/sse.ts";
import { mb, now, r2 } from "./lib/stats.ts";
import { dataFile } from "./passthrough.ts";
import { WORKLOAD } from "./peer-claude-remote.ts";

export async function run(args: string[] = []): Promise<Record<string, unknown>> {
  const seconds = Math.min(60, flag(args, "seconds", 20));
  const backlog = Math.round(flag(args, "backlog-mb", 60) * 1e6);
  const baseline = args.find((a) => a.startsWith("--baseline="))?.slice("--baseline=".length);
  const file = await dataFile(backlog);
  const targets: Record<string, Record<string, unknown>> = {};
  if (baseline) {
    const tree = worktreeOf(baseline);
    try {
      targets[`baseline ${baseline}`] = await measureTarget(tree, file, seconds);
    } finally {
      Bun.spawnSync(["git", "-C", REPO, "worktree", "remove", "--force", tree]);
      rmSync(tree, { recursive: true, force: true });
    }
  }
  targets.current = await measureTarget(REPO, file, seconds);
  return { seconds, backlogMB: mb(backlog), targets };
}

/** A detached worktree of `rev` sharing this checkout's node_modules. */
function worktreeOf(rev: string): string {
  const tree = join(REPO, "bench/out", `baseline-${rev}`);
  rmSync(tree, { recursive: true, force: true });
  const add = Bun.spawnSync(["git", "-C", REPO, "worktree", "add", "--detach", tree, rev]);
  if (add.exitCode !== 0) throw new Error(`git worktree add ${rev}: ${add.stderr.toString()}`);
  Bun.spawnSync(["ln", "-s", join(REPO, "node_modules"), join(tree, "node_modules")]);
  return tree;
}

async function measureTarget(repo: string, file: string, seconds: number): Promise<Record<string, unknown>> {
  const server = await startBenchServer({ repo });
  const ac = new AbortController();
  try {
    const env = { CLAUDE_REMOTE_CONFIG_DIR: server.configDir };
    const lines = Math.ceil((2 * seconds + 90) * 100); // more than needed: stopped below
    let wrapperPid = 0;
    const printing = timeInPty([BUN, CLI, "exec", "--name", "idx-latency", "--", WORKLOAD, "latency", String(lines), "10"], {
      env,
      capMs: (2 * seconds + 120) * 1000,
      onSpawn: (pid) => (wrapperPid = pid),
    });
    const id = await sessionNamed(server, "idx-latency", 30_000);
    const samples: Sample[] = [];
    const viewer = new Viewer(false, samples);
    void readSse(`${server.url}/events?session=${id}`, ADMIN_TOKEN, viewer.onEvent, { signal: ac.signal }).catch(() => {});
    await waitUntil(() => viewer.ready, 30_000, "the viewer to see __BENCH_READY__");
    await server.api(`/api/sessions/${id}/input`, { method: "POST", body: JSON.stringify({ text: "go\r" }) });
    await Bun.sleep(2000);

    const idle = await measurePhase(server, samples, seconds);
    const stored = await timeInPty([BUN, CLI, "exec", "--name", "idx-backlog", "--", "cat", file], { env, capMs: 120_000 });
    const indexing = await measurePhase(server, samples, seconds);
    const stillIndexing =
      (await metric(server, "claude_remote_search_indexed_bytes_total")) <
      (await metric(server, "claude_remote_output_bytes_stored_total"));
    const out = {
      idle,
      indexing,
      backlogStoredMB: mb(stored.bytes),
      backlogIndexedDuringPhase: stillIndexing,
      p99Ratio: r2(indexing.p99 / idle.p99),
      maxRatio: r2(indexing.max / idle.max),
    };
    console.log(`indexing ${repo === REPO ? "current" : repo}: ${JSON.stringify(out)}`);
    ac.abort();
    process.kill(wrapperPid, "SIGTERM");
    await printing.catch(() => {});
    return out;
  } finally {
    ac.abort();
    await server.stop();
  }
}

async function measurePhase(server: BenchServer, samples: Sample[], seconds: number) {
  const indexed0 = await metric(server, "claude_remote_search_indexed_bytes_total");
  const cpu0 = cpuSeconds(server.pid);
  const t0 = now();
  await Bun.sleep(seconds * 1000);
  const t1 = now();
  const indexedMB = mb((await metric(server, "claude_remote_search_indexed_bytes_total")) - indexed0);
  return summarize(samples, t0, t1, indexedMB, Math.round(((cpuSeconds(server.pid) - cpu0) / ((t1 - t0) / 1000)) * 100));
}

function summarize(samples: Sample[], from: number, to: number, indexedMB: number, serverCpuPct: number) {
  const raw = phase(samples, from, to).raw;
  return { n: raw.n, p50: raw.p50, p99: raw.p99, max: raw.max, p99PerSecond: perSecondP99(samples, from, to), indexedMB, serverCpuPct };
}
