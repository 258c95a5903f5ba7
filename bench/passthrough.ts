/**
 * Passthrough: `cat` of a generated 128 MiB file through `claude-remote exec` (paired, server
 * running, every byte also streamed to the server) vs the same `cat` in a bare PTY, for both PTY
 * backends. Two more cases split the gap: `minimal` (bench/minimal-pty.ts: a second PTY that only
 * copies to stdout — the physical limit of any wrapper) and `unpaired` (the wrapper with no server).
 * Throughput = terminal bytes / (last byte − first byte); wrapper RSS from /proc.
 * bun-pty is slow (≈2 MB/s), so each run is capped and a capped run reports its partial rate.
 */
import { existsSync, mkdirSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RssSampler } from "./lib/proc.ts";
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

type Case = "bare" | "minimal" | "unpaired" | "wrapped";
type Row = { case: Case; backend: string; MBps: number; wallS: number; terminalMB: number; capped: boolean; wrapperRssMB?: number; storedMB?: number };

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
  const pty = spawn("cat", [file], { name: "xterm-256color", cols: 120, rows: 40, cwd: REPO, env: { ...(process.env as Record<string, string>) } });
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
  return { case: "bare", backend: "bun-pty", MBps: rate(counted, first - t0, end - t0), wallS: r2((now() - t0) / 1000), terminalMB: mb(counted), capped };
}

async function bareBun(file: string): Promise<Row> {
  const r = await timeInPty(["cat", file], { capMs: CAP_MS });
  return { case: "bare", backend: "bun", MBps: rate(r.bytes, r.firstByteMs, r.lastByteMs), wallS: r2(r.wallMs / 1000), terminalMB: mb(r.bytes), capped: r.capped };
}

/** A wrapper-like program (`minimal` or the unpaired wrapper) in a fresh outer PTY, with its peak RSS. */
async function throughProgram(kind: "minimal" | "unpaired", file: string, backend: "bun" | "bun-pty"): Promise<Row> {
  let sampler: RssSampler | null = null;
  const argv = kind === "minimal" ? [BUN, MINIMAL, "cat", file] : [BUN, CLI, "exec", "--", "cat", file];
  const r = await timeInPty(argv, {
    capMs: CAP_MS,
    env: { CLAUDE_REMOTE_PTY: backend, ...(kind === "unpaired" ? { CLAUDE_REMOTE_CONFIG_DIR: mkdtempSync(join(tmpdir(), "cr-unpaired-")) } : {}) },
    onSpawn: (pid) => (sampler = new RssSampler(pid, 50)),
  });
  const rss = (sampler as RssSampler | null)?.stop();
  return { case: kind, backend, MBps: rate(r.bytes, r.firstByteMs, r.lastByteMs), wallS: r2(r.wallMs / 1000), terminalMB: mb(r.bytes), capped: r.capped, wrapperRssMB: rss?.peakMB };
}

async function wrapped(file: string, backend: "bun" | "bun-pty", configDir: string, api: (p: string) => Promise<Response>): Promise<Row> {
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
    storedMB: info?.bytes !== undefined ? mb(info.bytes) : undefined,
  };
}

export async function run(args: string[] = []): Promise<Record<string, unknown>> {
  const reps = Number(args.find((a) => a.startsWith("--reps="))?.slice(7) ?? 3);
  const fileBytes = Number(args.find((a) => a.startsWith("--mb="))?.slice(5) ?? FILE_BYTES / 2 ** 20) * 2 ** 20; // for quick A/B runs
  const withBunPty = !args.includes("--no-bun-pty");
  const file = await dataFile(fileBytes);
  const server = await startBenchServer();
  const rows: Row[] = [];
  try {
    for (let i = 0; i < reps; i++) {
      rows.push(await bareBun(file));
      rows.push(await throughProgram("minimal", file, "bun"));
      rows.push(await throughProgram("unpaired", file, "bun"));
      rows.push(await wrapped(file, "bun", server.configDir, server.api));
    }
    // bun-pty is ~50x slower: one capped run each is enough to show the rate
    if (withBunPty) {
      rows.push(await bareBunPty(file));
      rows.push(await throughProgram("minimal", file, "bun-pty"));
      rows.push(await wrapped(file, "bun-pty", server.configDir, server.api));
    }
  } finally {
    await server.stop();
  }
  const best = (c: string, b: string) => Math.max(...rows.filter((r) => r.case === c && r.backend === b).map((r) => r.MBps));
  const medianOf = (c: string, b: string) => {
    const xs = rows.filter((r) => r.case === c && r.backend === b).map((r) => r.MBps).sort((a, b) => a - b);
    return xs[Math.floor((xs.length - 1) / 2)];
  };
  for (const r of rows) console.log(JSON.stringify(r));
  const summary = {
    fileMB: mb(fileBytes),
    bareBunMBps: medianOf("bare", "bun"),
    wrappedBunMBps: medianOf("wrapped", "bun"),
    ratioBun: r2(medianOf("wrapped", "bun") / medianOf("bare", "bun")),
    minimalBunMBps: medianOf("minimal", "bun"),
    unpairedBunMBps: medianOf("unpaired", "bun"),
    ratioMinimalBun: r2(medianOf("minimal", "bun") / medianOf("bare", "bun")),
    ratioUnpairedBun: r2(medianOf("unpaired", "bun") / medianOf("bare", "bun")),
    ratioBunVsMinimal: r2(medianOf("wrapped", "bun") / medianOf("minimal", "bun")),
    minimalBunPtyMBps: best("minimal", "bun-pty"),
    ratioBunPtyVsMinimal: r2(best("wrapped", "bun-pty") / best("minimal", "bun-pty")),
    minimalRssMB: Math.max(...rows.filter((r) => r.case === "minimal" && r.backend === "bun").map((r) => r.wrapperRssMB ?? 0)),
    bareBunPtyMBps: best("bare", "bun-pty"),
    wrappedBunPtyMBps: best("wrapped", "bun-pty"),
    ratioBunPty: r2(best("wrapped", "bun-pty") / best("bare", "bun-pty")),
    ratioBunPtyVsBareBun: r2(best("wrapped", "bun-pty") / medianOf("bare", "bun")),
    wrapperRssMB: Math.max(...rows.filter((r) => r.case === "wrapped" && r.backend === "bun").map((r) => r.wrapperRssMB ?? 0)),
    wrapperRssBunPtyMB: rows.find((r) => r.case === "wrapped" && r.backend === "bun-pty")?.wrapperRssMB,
    capS: CAP_MS / 1000,
  };
  console.log(`passthrough: bare ${summary.bareBunMBps} MB/s, wrapped ${summary.wrappedBunMBps} MB/s → ${summary.ratioBun}× (goal ≥ 0.8×); wrapper RSS ${summary.wrapperRssMB} MB`);
  console.log(`passthrough limit: minimal two-PTY copy ${summary.minimalBunMBps} MB/s (${summary.ratioMinimalBun}× of bare), unpaired wrapper ${summary.unpairedBunMBps} MB/s (${summary.ratioUnpairedBun}×); wrapped/minimal ${summary.ratioBunVsMinimal}×`);
  console.log(`passthrough bun-pty: bare ${summary.bareBunPtyMBps} MB/s, minimal ${summary.minimalBunPtyMBps} MB/s, wrapped ${summary.wrappedBunPtyMBps} MB/s → ${summary.ratioBunPty}× of bare bun-pty, ${summary.ratioBunPtyVsMinimal}× of minimal, ${summary.ratioBunPtyVsBareBun}× of bare bun`);
  return { summary, rows };
}

if (import.meta.main) console.log(JSON.stringify(await run(process.argv.slice(2))));
