/**
 * Where the CPU of a burst goes: a `cat` of a generated file (default 64 MiB) in a fresh outer PTY,
 * bare, through script(1), and through the wrapper (native backend: minimal copy, unpaired, server
 * attached; Bun's terminal attached), interleaved per rep. Per case, CPU seconds per MiB of:
 * `cat` itself (/usr/bin/time around it), the wrapper by thread (/proc/<pid>/task, sampled every
 * 50 ms: the main JS thread, the copy Worker, GC helpers…), this process's reading of the outer
 * PTY (the "terminal"), and the server during the burst and until it is quiet again. Also the
 * wrapper's RSS and anonymous (private) memory at its peak, and idle (the same program running
 * `sleep`, with shared vs private pages from smaps_rollup, next to a bare `bun -e`).
 *   bun bench/run.ts burst-cpu [--reps=3] [--mb=64] [--cases=a,b] [--prof-dir=DIR]
 * `--prof-dir`: the server and every wrapper write a CPU profile (Bun's --cpu-prof-md) there.
 * `--baseline=REPO`: adds `baseline-wrapped`, that checkout's wrapper (native) and its own server,
 * in the same reps (an A/B of the whole path against, say, /work/main).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dataFile } from "./passthrough.ts";
import { cpuSeconds, rssSplit, smapsRollup, status, threadCpu } from "./lib/proc.ts";
import { timeInPty } from "./lib/pty-run.ts";
import { BUN, CLI, REPO, startBenchServer, type BenchServer } from "./lib/server.ts";
import { median, r2, r3 } from "./lib/stats.ts";

const MINIMAL = join(REPO, "bench/minimal-pty.ts");
const TIME = "/usr/bin/time";
let profOptions = "";
let baselineRepo = "";

type Case = "bare" | "script" | "native-minimal" | "native-unpaired" | "native-wrapped" | "bun-wrapped" | "baseline-wrapped";
type Row = {
  rep: number;
  case: Case;
  MBps: number;
  /** CPU seconds per MiB. */
  cat: number;
  terminal: number;
  wrapper: number;
  wrapperThreads: Record<string, number>;
  serverBurst: number;
  serverTotal: number;
  /** The server's CPU per MiB by thread, burst and catch-up (its JS thread, the search Worker, …). */
  serverThreads: Record<string, number>;
  peakRssMB: number;
  peakAnonMB: number;
};

/** Samples a process's threads' CPU and its memory until it exits; a thread's CPU is its last reading (threads that ended count). */
class Watch {
  private byTid = new Map<number, { name: string; cpu: number }>();
  peak = { rss: 0, anon: 0 };
  private timer = setInterval(() => this.sample(), 50);
  constructor(private pid: number) {
    this.sample();
  }
  get threads(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { name, cpu } of this.byTid.values()) out[name] = (out[name] ?? 0) + cpu;
    return out;
  }
  sample(): void {
    for (const [tid, t] of threadCpu(this.pid)) this.byTid.set(tid, t);
    const rss = status(this.pid).rssKB;
    const anon = rssSplit(this.pid).anonKB;
    if (!rss) return;
    this.peak = { rss: Math.max(this.peak.rss, rss), anon: Math.max(this.peak.anon, anon) };
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

async function one(
  rep: number,
  kind: Case,
  file: string,
  mib: number,
  servers: { ours: BenchServer; baseline?: BenchServer },
): Promise<Row> {
  const server = kind === "baseline-wrapped" ? servers.baseline! : servers.ours;
  const timeOut = join(mkdtempSync(join(tmpdir(), "cr-burst-")), "time");
  const cat = [TIME, "-f", "%U %S", "-o", timeOut, "cat", file];
  const argv =
    kind === "bare"
      ? cat
      : kind === "script"
        ? ["script", "-q", "-e", "-c", cat.map((a) => `'${a}'`).join(" "), "/dev/null"]
        : kind === "native-minimal"
          ? [BUN, MINIMAL, ...cat]
          : [BUN, kind === "baseline-wrapped" ? join(baselineRepo, "bin/claude-remote") : CLI, "exec", "--", ...cat];
  const env: Record<string, string> = {
    CLAUDE_REMOTE_PTY: kind.startsWith("bun") ? "bun" : "native",
    CLAUDE_REMOTE_CONFIG_DIR: kind.endsWith("wrapped") ? server.configDir : mkdtempSync(join(tmpdir(), "cr-unpaired-")),
    ...(profOptions ? { BUN_OPTIONS: profOptions } : {}),
  };
  let watch: Watch | null = null;
  const server0 = cpuSeconds(server.pid);
  const threads0 = byName(threadCpu(server.pid));
  const self0 = process.cpuUsage();
  const r = await timeInPty(argv, { capMs: 120_000, env, onSpawn: (pid) => (watch = kind === "bare" ? null : new Watch(pid)) });
  const self1 = process.cpuUsage(self0);
  const serverBurst = cpuSeconds(server.pid) - server0;
  (watch as Watch | null)?.stop();
  await quiet(server.pid);
  const serverTotal = cpuSeconds(server.pid) - server0;
  const threads1 = byName(threadCpu(server.pid));
  const serverThreads = Object.fromEntries(
    Object.entries(threads1)
      .map(([k, v]) => [k, r3((v - (threads0[k] ?? 0)) / mib)] as const)
      .filter(([, v]) => v > 0),
  );
  const [u, s] = readFileSync(timeOut, "utf8").trim().split("\n").at(-1)!.split(" ").map(Number);
  rmSync(join(timeOut, ".."), { recursive: true, force: true });
  const w = watch as Watch | null;
  const per = (x: number) => r3(x / mib);
  const threads = Object.fromEntries(Object.entries(w?.threads ?? {}).map(([k, v]) => [k, per(v)]));
  const mbOf = (kb: number) => r2(kb / 1024);
  return {
    rep,
    case: kind,
    MBps: r2(r.bytes / 1e6 / Math.max(1e-3, (r.lastByteMs - r.firstByteMs) / 1000)),
    cat: per(u + s),
    terminal: per((self1.user + self1.system) / 1e6),
    wrapper: per(Object.values(w?.threads ?? {}).reduce((a, b) => a + b, 0)),
    wrapperThreads: threads,
    serverBurst: per(serverBurst),
    serverTotal: per(serverTotal),
    serverThreads,
    peakRssMB: mbOf(w?.peak.rss ?? 0),
    peakAnonMB: mbOf(w?.peak.anon ?? 0),
  };
}

function byName(m: Map<number, { name: string; cpu: number }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { name, cpu } of m.values()) out[name] = (out[name] ?? 0) + cpu;
  return out;
}

/** The program idle (its child a `sleep`), 2.5 s in: RSS, anonymous, and shared vs private (smaps_rollup), MB. */
async function idle(kind: Case | "bun-e", server: BenchServer): Promise<Record<string, number>> {
  const sleep = ["sleep", "4"];
  const argv =
    kind === "bun-e"
      ? [BUN, "-e", "setTimeout(() => {}, 4000)"]
      : kind === "native-minimal"
        ? [BUN, MINIMAL, ...sleep]
        : [BUN, CLI, "exec", "--", ...sleep];
  let at: Record<string, number> = {};
  const env = {
    CLAUDE_REMOTE_PTY: kind.startsWith("bun-w") ? "bun" : "native",
    CLAUDE_REMOTE_CONFIG_DIR: kind.endsWith("wrapped") ? server.configDir : mkdtempSync(join(tmpdir(), "cr-unpaired-")),
  };
  await timeInPty(argv, {
    capMs: 20_000,
    env,
    onSpawn: (pid) =>
      void Bun.sleep(2500).then(() => {
        const sm = smapsRollup(pid);
        const mb = (kb: number) => r2(kb / 1024);
        at = { rss: mb(status(pid).rssKB), anon: mb(rssSplit(pid).anonKB), shared: mb(sm.sharedKB), private: mb(sm.privateKB) };
      }),
  });
  return at;
}

/** Until the server uses < 0.02 s of CPU per 0.5 s (done storing, parsing and indexing the burst: the indexer alone may trail at 10 % of a core), at most 60 s. */
async function quiet(pid: number): Promise<void> {
  const until = Date.now() + 60_000;
  let last = cpuSeconds(pid);
  while (Date.now() < until) {
    await Bun.sleep(500);
    const now = cpuSeconds(pid);
    if (now - last < 0.02) return;
    last = now;
  }
}

export async function run(args: string[] = []): Promise<Record<string, unknown>> {
  const reps = Number(args.find((a) => a.startsWith("--reps="))?.slice(7) ?? 3);
  const mib = Number(args.find((a) => a.startsWith("--mb="))?.slice(5) ?? 64);
  const only = args
    .find((a) => a.startsWith("--cases="))
    ?.slice(8)
    .split(",") as Case[] | undefined;
  const cases: Case[] = only ?? ["bare", "script", "native-minimal", "native-unpaired", "native-wrapped", "bun-wrapped"];
  const file = await dataFile(mib * 2 ** 20);
  const profDir = args.find((a) => a.startsWith("--prof-dir="))?.slice(11);
  if (profDir) profOptions = `--cpu-prof-md --cpu-prof-dir=${profDir}`;
  const server = await startBenchServer(profOptions ? { env: { BUN_OPTIONS: profOptions } } : {});
  baselineRepo = args.find((a) => a.startsWith("--baseline="))?.slice(11) ?? "";
  const baseline = baselineRepo ? await startBenchServer({ repo: baselineRepo }) : undefined;
  if (baselineRepo && !only) cases.push("baseline-wrapped");
  const rows: Row[] = [];
  const idleMB: Record<string, Record<string, number>> = {};
  try {
    for (const k of ["bun-e", ...cases.filter((c) => c !== "bare" && c !== "script")] as const) {
      if (k !== "baseline-wrapped") idleMB[k] = await idle(k, server);
      console.log(`idle ${k}: ${JSON.stringify(idleMB[k])}`);
    }
    for (let rep = 0; rep < reps; rep++)
      for (const c of cases) {
        rows.push(await one(rep, c, file, mib, { ours: server, baseline }));
        console.log(JSON.stringify(rows.at(-1)));
      }
  } finally {
    await server.stop();
    await baseline?.stop();
  }
  const bareOf = (rep: number) => rows.find((r) => r.rep === rep && r.case === "bare")?.MBps ?? NaN;
  const summary = Object.fromEntries(
    cases.map((c) => {
      const rs = rows.filter((r) => r.case === c);
      const m = (f: (r: Row) => number) => r3(median(rs.map(f)));
      const threadNames = [...new Set(rs.flatMap((r) => Object.keys(r.wrapperThreads)))];
      return [
        c,
        {
          ratioToBare: m((r) => r.MBps / bareOf(r.rep)),
          MBps: m((r) => r.MBps),
          cpuPerMiB: {
            cat: m((r) => r.cat),
            terminal: m((r) => r.terminal),
            wrapper: m((r) => r.wrapper),
            serverBurst: m((r) => r.serverBurst),
            serverTotal: m((r) => r.serverTotal),
          },
          wrapperThreadsPerMiB: Object.fromEntries(threadNames.map((t) => [t, m((r) => r.wrapperThreads[t] ?? 0)])),
          rssMB: { idle: idleMB[c]?.rss, peak: Math.max(...rs.map((r) => r.peakRssMB)) },
          anonMB: { idle: idleMB[c]?.anon, peak: Math.max(...rs.map((r) => r.peakAnonMB)) },
          burstIncreaseMB: idleMB[c] && {
            rss: r2(Math.max(...rs.map((r) => r.peakRssMB)) - idleMB[c].rss),
            anon: r2(Math.max(...rs.map((r) => r.peakAnonMB)) - idleMB[c].anon),
          },
        },
      ];
    }),
  );
  for (const [c, s] of Object.entries(summary)) console.log(`${c}: ${JSON.stringify(s)}`);
  return { mib, reps, idleMB, summary, rows };
}

if (import.meta.main) console.log(JSON.stringify(await run(process.argv.slice(2))));
