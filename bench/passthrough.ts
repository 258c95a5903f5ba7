/**
 * Passthrough: `cat` of a generated 128 MiB file through `claude-remote exec` (paired, server
 * running, every byte also streamed to the server) vs the same `cat` in a bare PTY and in
 * script(1), for the native and Bun-terminal backends, interleaved per rep. More cases split the
 * gap: `minimal` (bench/minimal-pty.ts: a second PTY that only copies to stdout, through the
 * same backend) and `unpaired` (the wrapper with no server). `--bun-pty` adds bun-pty runs.
 * Throughput = terminal bytes / (last byte − first byte); wrapper RSS from /proc.
 * bun-pty is slow (≈2 MB/s), so each run is capped and a capped run reports its partial rate.
 */
import { existsSync, mkdirSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cpuSeconds, RssSampler } from "./lib/proc.ts";
import { timeInPty } from "./lib/pty-run.ts";
import { BUN, CLI, REPO, startBenchServer } from "./lib/server.ts";
import { mb, now, r2 } from "./lib/stats.ts";

export const FILE_BYTES = 128 * 1024 * 1024;
const CAP_MS = Number(process.env.BENCH_CAP_MS ?? 30_000);

export async function dataFile(bytes = FILE_BYTES): Promise<string> {
  const dir = join(REPO, "bench/out");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `seq-${bytes}.txt`);
  if (!existsSync(path) || statSync(path).size !== bytes) {
    const p = Bun.spawn(["bash", "-c", `seq 1 100000000 | head -c ${bytes} > '${path}'`]);
    await p.exited;
  }
  return path;
}

const MINIMAL = join(REPO, "bench/minimal-pty.ts");

type Case = "bare" | "script" | "minimal" | "unpaired" | "wrapped";
type Backend = "native" | "bun" | "bun-pty";
type Row = {
  rep?: number;
  case: Case;
  backend: string;
  MBps: number;
  wallS: number;
  terminalMB: number;
  capped: boolean;
  wrapperRssMB?: number;
  /** Peak RssAnon: the wrapper's private memory (RSS less the Bun binary's shared pages). */
  wrapperAnonMB?: number;
  storedMB?: number;
};

function rate(bytes: number, firstMs: number, lastMs: number): number {
  return r2(bytes / 1e6 / Math.max(1e-3, (lastMs - firstMs) / 1000));
}

/** bun-pty without the wrapper: the library spawning `cat` directly in this process. */
async function bareBunPty(file: string): Promise<Row> {
  const { spawn } = await import("bun-pty");
  let bytes = 0;
  let first = 0;
  let last = 0;
  const t0 = now();
  const pty = spawn("cat", [file], {
    name: "xterm-256color",
    cols: 120,
    rows: 40,
    cwd: REPO,
    env: { ...(process.env as Record<string, string>) },
  });
  let capped = false;
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  pty.onData((s: string) => {
    const t = now();
    if (!first) first = t;
    if (capped) return;
    last = t;
    bytes += Buffer.byteLength(s);
    // bun-pty's read loop does not yield while data is queued, so a timer cannot cap it: check here
    if (t - t0 > CAP_MS) {
      capped = true;
      stop();
    }
  });
  // bun-pty keeps delivering its backlog long after a kill, so the cap stops the measurement itself
  await Promise.race([new Promise<void>((r) => pty.onExit(() => r())), stopped, Bun.sleep(CAP_MS).then(() => (capped = true))]);
  const counted = bytes;
  const end = capped ? now() : last;
  if (capped) {
    try {
      pty.kill("SIGKILL"); // also ends bun-pty's read loop, which would otherwise drain the backlog during the next runs
    } catch {}
  }
  return {
    case: "bare",
    backend: "bun-pty",
    MBps: rate(counted, first - t0, end - t0),
    wallS: r2((now() - t0) / 1000),
    terminalMB: mb(counted),
    capped,
  };
}

async function bareBun(file: string): Promise<Row> {
  const r = await timeInPty(["cat", file], { capMs: CAP_MS });
  return {
    case: "bare",
    backend: "bun",
    MBps: rate(r.bytes, r.firstByteMs, r.lastByteMs),
    wallS: r2(r.wallMs / 1000),
    terminalMB: mb(r.bytes),
    capped: r.capped,
  };
}

/** script(1), the native two-PTY copy, in the same outer PTY: what a wrapper can reach. */
async function viaScript(file: string): Promise<Row> {
  let sampler: RssSampler | null = null;
  const r = await timeInPty(["script", "-q", "-e", "-c", `cat '${file}'`, "/dev/null"], {
    capMs: CAP_MS,
    onSpawn: (pid) => (sampler = new RssSampler(pid, 50)),
  });
  const rss = (sampler as RssSampler | null)?.stop();
  return {
    case: "script",
    backend: "util-linux",
    MBps: rate(r.bytes, r.firstByteMs, r.lastByteMs),
    wallS: r2(r.wallMs / 1000),
    terminalMB: mb(r.bytes),
    capped: r.capped,
    wrapperRssMB: rss?.peakMB,
  };
}

/** A wrapper-like program (`minimal` or the unpaired wrapper) in a fresh outer PTY, with its peak RSS. */
async function throughProgram(kind: "minimal" | "unpaired", file: string, backend: Backend): Promise<Row> {
  let sampler: RssSampler | null = null;
  const argv = kind === "minimal" ? [BUN, MINIMAL, "cat", file] : [BUN, CLI, "exec", "--", "cat", file];
  const r = await timeInPty(argv, {
    capMs: CAP_MS,
    env: {
      CLAUDE_REMOTE_PTY: backend,
      ...(kind === "unpaired" ? { CLAUDE_REMOTE_CONFIG_DIR: mkdtempSync(join(tmpdir(), "cr-unpaired-")) } : {}),
    },
    onSpawn: (pid) => (sampler = new RssSampler(pid, 50)),
  });
  const rss = (sampler as RssSampler | null)?.stop();
  return {
    case: kind,
    backend,
    MBps: rate(r.bytes, r.firstByteMs, r.lastByteMs),
    wallS: r2(r.wallMs / 1000),
    terminalMB: mb(r.bytes),
    capped: r.capped,
    wrapperRssMB: rss?.peakMB,
    wrapperAnonMB: rss?.peakAnonMB,
  };
}

async function wrapped(file: string, backend: Backend, configDir: string, api: (p: string) => Promise<Response>): Promise<Row> {
  const name = `passthrough-${backend}-${Date.now()}`;
  let sampler: RssSampler | null = null;
  const r = await timeInPty([BUN, CLI, "exec", "--name", name, "--", "cat", file], {
    capMs: CAP_MS,
    env: { CLAUDE_REMOTE_CONFIG_DIR: configDir, CLAUDE_REMOTE_PTY: backend },
    onSpawn: (pid) => (sampler = new RssSampler(pid, 50)),
  });
  const rss = (sampler as RssSampler | null)?.stop();
  const list = (await (await api("/api/sessions")).json()) as Array<{ id: string; name: string }>;
  const id = list.find((s) => s.name === name)?.id;
  const info = id ? ((await (await api(`/api/sessions/${id}`)).json()) as { bytes?: number }) : null;
  return {
    case: "wrapped",
    backend,
    MBps: rate(r.bytes, r.firstByteMs, r.lastByteMs),
    wallS: r2(r.wallMs / 1000),
    terminalMB: mb(r.bytes),
    capped: r.capped,
    wrapperRssMB: rss?.peakMB,
    wrapperAnonMB: rss?.peakAnonMB,
    storedMB: info?.bytes !== undefined ? mb(info.bytes) : undefined,
  };
}

/** Until the server is done with the last burst (parsing, storing, indexing: < 20 % of a core), at most 45 s, so it does not weigh on the next case. */
async function serverQuiet(pid: number): Promise<void> {
  const until = Date.now() + 45_000;
  let last = cpuSeconds(pid);
  while (Date.now() < until) {
    await Bun.sleep(500);
    const now_ = cpuSeconds(pid);
    if (now_ - last < 0.1) return;
    last = now_;
  }
}

export async function run(args: string[] = []): Promise<Record<string, unknown>> {
  const reps = Number(args.find((a) => a.startsWith("--reps="))?.slice(7) ?? 3);
  const fileBytes = Number(args.find((a) => a.startsWith("--mb="))?.slice(5) ?? FILE_BYTES / 2 ** 20) * 2 ** 20; // for quick A/B runs
  const withBunPty = args.includes("--bun-pty");
  const withScript = Bun.which("script") !== null;
  const file = await dataFile(fileBytes);
  const server = await startBenchServer();
  const rows: Row[] = [];
  const add = (rep: number, r: Row) => {
    rows.push({ rep, ...r });
    console.log(JSON.stringify(rows.at(-1)));
  };
  try {
    // interleaved: every case once per rep, so each rep's ratios share the machine's load
    for (let i = 0; i < reps; i++) {
      add(i, await bareBun(file));
      if (withScript) add(i, await viaScript(file));
      add(i, await wrapped(file, "native", server.configDir, server.api));
      await serverQuiet(server.pid);
      add(i, await throughProgram("minimal", file, "native"));
      add(i, await throughProgram("unpaired", file, "native"));
      add(i, await wrapped(file, "bun", server.configDir, server.api));
      await serverQuiet(server.pid);
      add(i, await throughProgram("minimal", file, "bun"));
    }
    // bun-pty is ~50x slower: one capped run each is enough to show the rate
    if (withBunPty) {
      add(reps, await bareBunPty(file));
      add(reps, await wrapped(file, "bun-pty", server.configDir, server.api));
    }
  } finally {
    await server.stop();
  }
  const median = (xs: number[]) => {
    const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
    return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
  };
  const get = (rep: number, c: Case, b: string) => rows.find((r) => r.rep === rep && r.case === c && r.backend === b)?.MBps ?? NaN;
  /** The median over reps of (case / bare in the same rep). */
  const ratio = (c: Case, b: string) => r2(median(Array.from({ length: reps }, (_, i) => get(i, c, b) / get(i, "bare", "bun"))));
  const mbps = (c: Case, b: string) => median(rows.filter((r) => r.case === c && r.backend === b).map((r) => r.MBps));
  const peak = (c: Case, b: string) => Math.max(0, ...rows.filter((r) => r.case === c && r.backend === b).map((r) => r.wrapperRssMB ?? 0));
  const summary = {
    fileMB: mb(fileBytes),
    reps,
    bareMBps: mbps("bare", "bun"),
    scriptMBps: mbps("script", "util-linux"),
    wrappedNativeMBps: mbps("wrapped", "native"),
    wrappedBunMBps: mbps("wrapped", "bun"),
    ratioScript: ratio("script", "util-linux"),
    ratioNative: ratio("wrapped", "native"),
    ratioNativeUnpaired: ratio("unpaired", "native"),
    ratioNativeMinimal: ratio("minimal", "native"),
    ratioBun: ratio("wrapped", "bun"),
    ratioBunMinimal: ratio("minimal", "bun"),
    ratioNativeVsScript: r2(median(Array.from({ length: reps }, (_, i) => get(i, "wrapped", "native") / get(i, "script", "util-linux")))),
    wrapperRssNativeMB: peak("wrapped", "native"),
    wrapperAnonNativeMB: Math.max(
      0,
      ...rows.filter((r) => r.case === "wrapped" && r.backend === "native").map((r) => r.wrapperAnonMB ?? 0),
    ),
    wrapperRssBunMB: peak("wrapped", "bun"),
    minimalRssNativeMB: peak("minimal", "native"),
    scriptRssMB: peak("script", "util-linux"),
    bareBunPtyMBps: withBunPty ? get(reps, "bare", "bun-pty") : undefined,
    wrappedBunPtyMBps: withBunPty ? get(reps, "wrapped", "bun-pty") : undefined,
    capS: CAP_MS / 1000,
  };
  console.log(
    `passthrough (median of per-rep ratios to bare, ${reps} reps): native wrapped ${summary.ratioNative}× (goal ≥ 0.95×), unpaired ${summary.ratioNativeUnpaired}×, minimal ${summary.ratioNativeMinimal}×; script(1) ${summary.ratioScript}×; bun wrapped ${summary.ratioBun}×, minimal ${summary.ratioBunMinimal}×; native/script ${summary.ratioNativeVsScript}×`,
  );
  console.log(
    `passthrough MB/s: bare ${summary.bareMBps}, script ${summary.scriptMBps}, native wrapped ${summary.wrappedNativeMBps}, bun wrapped ${summary.wrappedBunMBps}; peak RSS native ${summary.wrapperRssNativeMB} MB (goal ≤ 60), bun ${summary.wrapperRssBunMB} MB, script ${summary.scriptRssMB} MB`,
  );
  return { summary, rows };
}

if (import.meta.main) console.log(JSON.stringify(await run(process.argv.slice(2))));
