/**
 * CPU and memory of SSE compression (src/server/viewers/sse-compression.ts), in-process, no server:
 * - small events: every chunk of the Claude Code recordings as the server's raw `output` event
 *   (one compressor per recording = per connection, flushed per event), repeated;
 * - a burst: 20 MB of `seq` output in 64 KiB chunks, as one viewer of a big `cat` gets it;
 * - memory: RSS growth for 1000 compressors held open, each having sent one event.
 * Identity (TextEncoder only, what the server does without compression) is the baseline.
 *   bun bench/sse-compression.ts [--reps=20]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SseCompressor, ZLIB_OPTIONS } from "../src/server/viewers/sse-compression.ts";
import { r2 } from "./lib/stats.ts";

const FIXTURES = "/work/shared/fixtures/claude-code-2.1.330";
const SESSION = "0b6f3c2e-8a3e-4a53-9a3c-1f1e2d3c4b5a";
const enc = new TextEncoder();

const event = (seq: number, data: Uint8Array) =>
  `event: output\nid: ${seq}\ndata: ${JSON.stringify({ sessionId: SESSION, seq, data: Buffer.from(data).toString("base64") })}\n\n`;

function recordings(): string[][] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".raw"))
    .sort()
    .map((f) => {
      const raw = readFileSync(join(FIXTURES, f));
      const { chunks } = JSON.parse(readFileSync(join(FIXTURES, f.replace(/\.raw$/, ".chunks.json")), "utf8")) as {
        chunks: [number, number, number][];
      };
      return chunks.map(([, offset, length], i) => event(i + 1, raw.subarray(offset, offset + length)));
    });
}

function burst(): string[] {
  let s = "";
  for (let i = 1; s.length < 20e6; i++) s += `${i}\n`;
  const raw = Buffer.from(s);
  const out: string[] = [];
  for (let o = 0; o < raw.length; o += 65536) out.push(event(out.length + 1, raw.subarray(o, o + 65536)));
  return out;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

type Settings = typeof ZLIB_OPTIONS | null;

/** CPU per event and wire bytes of `streams` (one compressor each), `reps` times. */
function measure(streams: string[][], settings: Settings, reps: number) {
  let events = 0;
  let plain = 0;
  let wire = 0;
  const c0 = cpuMs();
  for (let r = 0; r < reps; r++) {
    for (const stream of streams) {
      const c = settings ? new SseCompressor("gzip", settings) : null;
      for (const text of stream) {
        const bytes = enc.encode(text);
        const out = c ? c.compress(bytes) : bytes;
        events++;
        plain += bytes.length;
        wire += out.length;
      }
      if (c) wire += c.finish().length;
    }
  }
  const ms = cpuMs() - c0;
  return { usPerEvent: r2((ms * 1000) / events), mbPerCpuS: r2(plain / 1e3 / ms), ratioToEventBytes: r2(wire / plain) };
}

function memoryPerConnection(settings: typeof ZLIB_OPTIONS): number {
  Bun.gc(true);
  const before = process.memoryUsage().rss;
  const held: SseCompressor[] = [];
  for (let i = 0; i < 1000; i++) {
    const c = new SseCompressor("gzip", settings);
    c.compress(enc.encode(event(1, enc.encode("hello"))));
    held.push(c);
  }
  Bun.gc(true);
  const perConn = (process.memoryUsage().rss - before) / 1000;
  for (const c of held) c.close();
  return Math.round(perConn / 1024);
}

export async function run(args: string[] = []): Promise<Record<string, unknown>> {
  const reps = Number(args.find((a) => a.startsWith("--reps="))?.slice(7) ?? 20);
  const small = recordings();
  const big = [burst()];
  const variants: [string, Settings][] = [
    ["identity", null],
    ["server: level 6, window 2^14, memLevel 5", ZLIB_OPTIONS],
    ["level 6, window 2^12, memLevel 5", { level: 6, windowBits: 12, memLevel: 5 }],
    ["level 1, window 2^14, memLevel 5", { level: 1, windowBits: 14, memLevel: 5 }],
    ["zlib default: level 6, 2^15, memLevel 8", { level: 6, windowBits: 15, memLevel: 8 }],
  ];
  const rows = variants.map(([name, settings]) => ({
    name,
    small: measure(small, settings, reps),
    burst: measure(big, settings, 1),
    kibPerConnection: settings ? memoryPerConnection(settings) : 0,
  }));
  for (const r of rows) console.log(JSON.stringify(r));
  return { smallEvents: small.reduce((n, s) => n + s.length, 0) * reps, rows };
}

if (import.meta.main) console.log(JSON.stringify(await run(process.argv.slice(2))));
