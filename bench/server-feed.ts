/**
 * The server during a flood, without a wrapper or PTY in the way: a raw device client sends N MiB
 * of busy terminal output (256 KiB frames, at most 4 MiB unacknowledged, like the wrapper's link)
 * and then a recorded permission dialog (Codex, from the shared fixtures). Measured per server:
 * acked MB/s, the server's CPU per MiB while the flood lasts (its JS thread, where the screen
 * parser runs, and in all), and how long after the last ack the dialog shows up as a prompt (the
 * screen catching up, then detection). `--baseline=REPO` runs that checkout's server in the same
 * reps, interleaved.
 *   bun bench/run.ts server-feed [--reps=3] [--mb=64] [--baseline=/work/main]
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { connectDevice } from "../tests/support/device-client.ts";
import { cpuSeconds, threadCpu } from "./lib/proc.ts";
import { REPO, startBenchServer, type BenchServer } from "./lib/server.ts";
import { median, r2, r3 } from "./lib/stats.ts";

const FIXTURES = process.env.FIXTURES_DIR ?? resolve(REPO, "../shared/fixtures");
const FIXTURE = "codex-0.169.0/01-exec-escalation";
const FRAME = 256 * 1024;
const WINDOW = 4 * 1024 * 1024;

/** 256 KiB of colourful scrolling output, different per frame. */
function frame(i: number): Uint8Array {
  let s = "";
  for (let n = i * 10_000; s.length < FRAME; n++) s += `\x1b[3${n % 8}m${n} ${"lorem ipsum ".repeat(1 + (n % 9))}\x1b[0m\r\n`;
  return new TextEncoder().encode(s.slice(0, FRAME));
}

type Row = { server: string; rep: number; MBps: number; cpuPerMiB: number; mainPerMiB: number; dialogAfterMs: number };

async function flood(server: BenchServer, label: string, rep: number, mib: number): Promise<Row> {
  const creds = JSON.parse(readFileSync(join(server.configDir, "config.json"), "utf8")) as { deviceId: string; secret: string };
  const meta = JSON.parse(readFileSync(join(FIXTURES, `${FIXTURE}.json`), "utf8"));
  const dialog = readFileSync(join(FIXTURES, `${FIXTURE}.raw`)).subarray(0, meta.prompts[0].promptVisibleAtByte);
  const c = await connectDevice(server.url, creds);
  const id = crypto.randomUUID();
  await c.openSession(id, { cols: meta.cols, rows: meta.rows });
  let acked = 0;
  c.ws.addEventListener("message", (e) => {
    if (typeof e.data !== "string") return;
    const f = JSON.parse(e.data) as { type: string; sessionId?: string; seq?: number };
    if (f.type === "ack" && f.sessionId === id) acked = Math.max(acked, f.seq ?? 0);
  });
  const frames = Math.ceil((mib * 2 ** 20) / FRAME);
  const payloads = Array.from({ length: 16 }, (_, i) => frame(i));
  const cpu0 = cpuSeconds(server.pid);
  const main0 = threadCpu(server.pid).get(server.pid)?.cpu ?? 0;
  const t0 = performance.now();
  let seq = 0;
  while (seq < frames) {
    if ((seq - acked) * FRAME >= WINDOW) {
      await Bun.sleep(1);
      continue;
    }
    c.output(id, ++seq, payloads[seq % payloads.length]);
  }
  for (let at = 0; at < dialog.byteLength; at += 4096) c.output(id, ++seq, dialog.subarray(at, at + 4096));
  while (acked < seq) await Bun.sleep(1);
  const tAcked = performance.now();
  const cpu = cpuSeconds(server.pid) - cpu0;
  const main = (threadCpu(server.pid).get(server.pid)?.cpu ?? 0) - main0;
  let dialogAt = NaN;
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    const pending = (await (await server.api("/api/prompts?status=pending")).json()) as Array<{ sessionId: string }>;
    if (pending.some((p) => p.sessionId === id)) {
      dialogAt = performance.now();
      break;
    }
    await Bun.sleep(20);
  }
  c.ws.close();
  const mb = (frames * FRAME) / 1e6;
  return {
    server: label,
    rep,
    MBps: r2(mb / ((tAcked - t0) / 1000)),
    cpuPerMiB: r3(cpu / mib),
    mainPerMiB: r3(main / mib),
    dialogAfterMs: Math.round(dialogAt - tAcked),
  };
}

/** Until the server uses < 0.02 s of CPU per 0.5 s, at most 60 s. */
async function quiet(pid: number): Promise<void> {
  const until = Date.now() + 60_000;
  for (let last = cpuSeconds(pid); Date.now() < until; ) {
    await Bun.sleep(500);
    const now = cpuSeconds(pid);
    if (now - last < 0.02) return;
    last = now;
  }
}

export async function run(args: string[] = []): Promise<Record<string, unknown>> {
  const reps = Number(args.find((a) => a.startsWith("--reps="))?.slice(7) ?? 3);
  const mib = Number(args.find((a) => a.startsWith("--mb="))?.slice(5) ?? 64);
  const baselineRepo = args.find((a) => a.startsWith("--baseline="))?.slice(11);
  const servers: [string, BenchServer][] = [["this", await startBenchServer()]];
  if (baselineRepo) servers.push(["baseline", await startBenchServer({ repo: baselineRepo })]);
  const rows: Row[] = [];
  try {
    for (let rep = 0; rep < reps; rep++)
      for (const [label, s] of servers) {
        rows.push(await flood(s, label, rep, mib));
        console.log(JSON.stringify(rows.at(-1)));
        await quiet(s.pid);
      }
  } finally {
    for (const [, s] of servers) await s.stop();
  }
  const summary = Object.fromEntries(
    servers.map(([label]) => {
      const rs = rows.filter((r) => r.server === label);
      const m = (f: (r: Row) => number) => r3(median(rs.map(f)));
      return [
        label,
        {
          MBps: m((r) => r.MBps),
          cpuPerMiB: m((r) => r.cpuPerMiB),
          mainPerMiB: m((r) => r.mainPerMiB),
          dialogAfterMs: m((r) => r.dialogAfterMs),
        },
      ];
    }),
  );
  for (const [k, v] of Object.entries(summary)) console.log(`server-feed ${k}: ${JSON.stringify(v)}`);
  return { mib, reps, summary, rows };
}

if (import.meta.main) console.log(JSON.stringify(await run(process.argv.slice(2))));
