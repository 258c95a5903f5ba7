/**
 * Bandwidth to the phone: the recorded Claude Code sessions in /work/shared/fixtures replayed
 * through `claude-remote exec -- bun bench/replay-fixture.ts <fixture>.raw` (recorded chunks and
 * timing, waits capped at 50 ms) in a real PTY of the recorded size, with four viewers attached
 * before the first byte: the raw SSE (`/events?session=ID`) and the screen-diff SSE
 * (`&view=screen`, what the dashboard uses), each once without Accept-Encoding (identity, as
 * before) and once with Chromium's `Accept-Encoding: gzip, deflate, br, zstd` (decoded as it
 * arrives). All are raw TCP clients, so the bytes counted are wire bytes (HTTP headers and chunked
 * framing included). Compared with the raw PTY bytes. Checks: both raw viewers' decoded payloads
 * equal the stored output byte for byte; both screen viewers rebuild the server's final screen.
 *   bun bench/run.ts bandwidth [--max-wait-ms=50]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { timeInPty } from "./lib/pty-run.ts";
import { SseCompressor, type ZLIB_OPTIONS } from "../src/server/viewers/sse-compression.ts";
import { rawSse, type RawSse } from "./lib/raw-http.ts";
import { ADMIN_TOKEN, BUN, CLI, REPO, sessionNamed, startBenchServer, type BenchServer } from "./lib/server.ts";
import { r2 } from "./lib/stats.ts";

const FIXTURES = "/work/shared/fixtures/claude-code-2.1.330";

type Run = { t: string }[];
type Row = {
  fixture: string;
  size: string;
  fixtureBytes: number;
  rawPtyBytes: number;
  /** Wire bytes of each viewer: identity (no Accept-Encoding, as before) and gzip (what a browser asks for). */
  rawViewerBytes: number;
  screenViewerBytes: number;
  rawGzipBytes: number;
  screenGzipBytes: number;
  rawRatio: number;
  screenRatio: number;
  rawGzipRatio: number;
  screenGzipRatio: number;
  rawEvents: number;
  screenEvents: number;
  rawPayloadOk: boolean;
  screenMatches: boolean;
  replayS: number;
  /** Where the identity screen stream's bytes go. */
  screenBreakdown: { httpAndChunking: number; sseFraming: number; envelope: number; rows: number; firstScreen: number };
  /** Compressed body bytes of the gzip viewers (their wire bytes less HTTP headers and chunk framing). */
  rawGzipBodyBytes: number;
  screenGzipBodyBytes: number;
  /** What-if from the identity viewers' bytes, not sent: the same, with zlib's defaults (32 KiB window, memLevel 8). */
  wideWindowRawBytes: number;
  wideWindowScreenBytes: number;
};

/** Bytes of `pieces` through one gzip stream with a sync flush after each piece (the server's compressor, other settings). */
function gzippedPerPiece(pieces: Buffer[], options: typeof ZLIB_OPTIONS): number {
  const c = new SseCompressor("gzip", options);
  return pieces.reduce((n, p) => n + c.compress(p).length, 0) + c.finish().length;
}

/** The screen as the dashboard rebuilds it from `screen` and `rows` events. */
class ScreenModel {
  lines: string[] = [];
  events = 0;
  apply = (event: string, data: string): void => {
    this.events++;
    const m = JSON.parse(data) as { rows?: [number, Run][]; lines?: Run[]; scroll?: number };
    const text = (row: Run) => row.map((r) => r.t).join("");
    if (event === "screen") this.lines = (m.lines ?? []).map(text);
    if (event !== "rows") return;
    const n = this.lines.length;
    if (m.scroll) this.lines = [...this.lines.slice(m.scroll), ...Array<string>(Math.min(n, m.scroll)).fill("")].slice(0, n);
    for (const [i, row] of m.rows ?? []) this.lines[i] = text(row);
  };
}

async function waitUntil(pred: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) return false;
    await Bun.sleep(20);
  }
  return true;
}

/** A raw-stream viewer: the decoded output payload, in order. */
async function rawViewer(server: BenchServer, id: string, acceptEncoding: string | null, onBody?: (b: Buffer) => void) {
  const chunks: Buffer[] = [];
  let events = 0;
  const view = await rawSse(
    server.port,
    `/events?session=${id}`,
    ADMIN_TOKEN,
    (event, data) => {
      events++;
      if (event === "output") chunks.push(Buffer.from((JSON.parse(data) as { data: string }).data, "base64"));
    },
    { acceptEncoding, onBody },
  );
  return {
    view,
    chunks,
    get events() {
      return events;
    },
    get payload() {
      return chunks.reduce((s, c) => s + c.length, 0);
    },
  };
}

/** Waits until `view` has received nothing new for a while (the screen view's last throttled diff). */
async function quiet(view: RawSse): Promise<void> {
  let last = -1;
  await waitUntil(() => {
    const q = view.wireBytes === last;
    last = view.wireBytes;
    return q;
  }, 5000).then(() => Bun.sleep(300));
  await waitUntil(() => view.wireBytes === last, 1000);
}

async function replay(server: BenchServer, raw: string, maxWaitMs: number): Promise<Row> {
  const base = raw
    .split("/")
    .pop()!
    .replace(/\.raw$/, "");
  const meta = JSON.parse(readFileSync(raw.replace(/\.raw$/, ".json"), "utf8")) as { cols: number; rows: number };
  const name = `bw-${base}-${Date.now()}`;
  const done = timeInPty([BUN, CLI, "exec", "--name", name, "--", BUN, join(REPO, "bench/replay-fixture.ts"), raw], {
    env: { CLAUDE_REMOTE_CONFIG_DIR: server.configDir, REPLAY_MAX_WAIT_MS: String(maxWaitMs) },
    capMs: 60_000,
    cols: meta.cols,
    rows: meta.rows,
  });
  const id = await sessionNamed(server, name);
  const rawPieces: Buffer[] = [];
  const screenPieces: Buffer[] = [];
  const rawPlain = await rawViewer(server, id, null, (b) => rawPieces.push(Buffer.from(b)));
  const rawGzip = await rawViewer(server, id, GZIP);
  const screen = new ScreenModel();
  const plainScreen = new ScreenModel();
  const split = { sseFraming: 0, envelope: 0, rows: 0, firstScreen: 0 };
  const screenPlain = await rawSse(
    server.port,
    `/events?session=${id}&view=screen`,
    ADMIN_TOKEN,
    (event, data) => {
      plainScreen.apply(event, data);
      const m = JSON.parse(data) as { rows?: unknown; lines?: unknown };
      const body = Buffer.byteLength(JSON.stringify(m.rows ?? []));
      if (event === "screen") split.firstScreen += Buffer.byteLength(data);
      else if (event === "rows") (split.rows += body), (split.envelope += Buffer.byteLength(data) - body);
      else split.envelope += Buffer.byteLength(data);
    },
    { acceptEncoding: null, onBody: (b) => screenPieces.push(Buffer.from(b)) },
  );
  const screenGzip = await rawSse(server.port, `/events?session=${id}&view=screen`, ADMIN_TOKEN, screen.apply, { acceptEncoding: GZIP });
  const views = [rawPlain.view, rawGzip.view, screenPlain, screenGzip];
  try {
    if (!(await waitUntil(() => views.every((v) => v.status > 0) && screen.events > 0, 10_000)))
      throw new Error(`${base}: viewers did not attach`);
    if (!/\r\ncontent-encoding: gzip/i.test(rawGzip.view.head) || !/\r\ncontent-encoding: gzip/i.test(screenGzip.head))
      throw new Error(`${base}: the server did not gzip the streams`);
    await Bun.sleep(500); // the replayer has switched its terminal to raw mode by now
    const tStart = performance.now();
    await server.api(`/api/sessions/${id}/input`, { method: "POST", body: JSON.stringify({ text: "g" }) });
    await done;
    const replayS = r2((performance.now() - tStart) / 1000);
    const info = (await (await server.api(`/api/sessions/${id}`)).json()) as { bytes: number };
    await waitUntil(() => rawPlain.payload >= info.bytes && rawGzip.payload >= info.bytes, 5000);
    await Promise.all([quiet(screenPlain), quiet(screenGzip)]);
    const stored = Buffer.from(await (await server.api(`/api/sessions/${id}/output`)).arrayBuffer());
    const snap = (await (await server.api(`/api/sessions/${id}/screen`)).json()) as { lines: string[] };
    const trim = (ls: string[]) => ls.map((l) => l.replace(/\s+$/, ""));
    const fixtureBytes = readFileSync(raw).length;
    const ratio = (n: number) => r2(n / info.bytes);
    return {
      fixture: base,
      size: `${meta.cols}x${meta.rows}`,
      fixtureBytes,
      rawPtyBytes: info.bytes,
      rawViewerBytes: rawPlain.view.wireBytes,
      screenViewerBytes: screenPlain.wireBytes,
      rawGzipBytes: rawGzip.view.wireBytes,
      screenGzipBytes: screenGzip.wireBytes,
      rawRatio: ratio(rawPlain.view.wireBytes),
      screenRatio: ratio(screenPlain.wireBytes),
      rawGzipRatio: ratio(rawGzip.view.wireBytes),
      screenGzipRatio: ratio(screenGzip.wireBytes),
      rawEvents: rawGzip.events,
      screenEvents: screen.events,
      rawPayloadOk:
        stored.length === info.bytes && Buffer.concat(rawPlain.chunks).equals(stored) && Buffer.concat(rawGzip.chunks).equals(stored),
      screenMatches: [screen, plainScreen].every((m) => JSON.stringify(trim(m.lines)) === JSON.stringify(trim(snap.lines))),
      replayS,
      screenBreakdown: {
        httpAndChunking: screenPlain.wireBytes - screenPlain.bodyBytes,
        ...split,
        sseFraming: screenPlain.bodyBytes - split.envelope - split.rows - split.firstScreen,
      },
      rawGzipBodyBytes: rawGzip.view.encodedBytes,
      screenGzipBodyBytes: screenGzip.encodedBytes,
      wideWindowRawBytes: gzippedPerPiece(rawPieces, WIDE_WINDOW),
      wideWindowScreenBytes: gzippedPerPiece(screenPieces, WIDE_WINDOW),
    };
  } finally {
    for (const v of views) v.close();
  }
}

/** What Chromium sends. */
const GZIP = "gzip, deflate, br, zstd";
const WIDE_WINDOW: typeof ZLIB_OPTIONS = { level: 6, windowBits: 15, memLevel: 8 };

export async function run(args: string[] = []): Promise<Record<string, unknown>> {
  const maxWaitMs = Number(args.find((a) => a.startsWith("--max-wait-ms="))?.slice(14) ?? 50);
  const fixtures = readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".raw"))
    .sort()
    .map((f) => join(FIXTURES, f));
  const server = await startBenchServer();
  const rows: Row[] = [];
  try {
    for (const f of fixtures) {
      const row = await replay(server, f, maxWaitMs);
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  } finally {
    await server.stop();
  }
  const sum = (k: keyof Row) => rows.reduce((s, r) => s + (r[k] as number), 0);
  const total = {
    fixtures: rows.length,
    fixtureBytes: sum("fixtureBytes"),
    rawPtyBytes: sum("rawPtyBytes"),
    rawViewerBytes: sum("rawViewerBytes"),
    screenViewerBytes: sum("screenViewerBytes"),
    rawGzipBytes: sum("rawGzipBytes"),
    screenGzipBytes: sum("screenGzipBytes"),
    rawRatio: r2(sum("rawViewerBytes") / sum("rawPtyBytes")),
    screenRatio: r2(sum("screenViewerBytes") / sum("rawPtyBytes")),
    rawGzipRatio: r2(sum("rawGzipBytes") / sum("rawPtyBytes")),
    screenGzipRatio: r2(sum("screenGzipBytes") / sum("rawPtyBytes")),
    rawGzipBodyBytes: sum("rawGzipBodyBytes"),
    screenGzipBodyBytes: sum("screenGzipBodyBytes"),
    wideWindowRawBytes: sum("wideWindowRawBytes"),
    wideWindowScreenBytes: sum("wideWindowScreenBytes"),
    screenBreakdown: Object.fromEntries(
      Object.keys(rows[0]?.screenBreakdown ?? {}).map((k) => [
        k,
        rows.reduce((s, r) => s + r.screenBreakdown[k as keyof Row["screenBreakdown"]], 0),
      ]),
    ),
    allPayloadsOk: rows.every((r) => r.rawPayloadOk),
    allScreensMatch: rows.every((r) => r.screenMatches),
    maxWaitMs,
  };
  console.log(
    `bandwidth: ${total.rawPtyBytes} raw PTY bytes → gzip (what browsers get): screen SSE ${total.screenGzipBytes} (${total.screenGzipRatio}×; goal ≤ 0.5×), raw SSE ${total.rawGzipBytes} (${total.rawGzipRatio}×); identity: screen ${total.screenRatio}×, raw ${total.rawRatio}×; compressed bodies (no HTTP framing) screen ${total.screenGzipBodyBytes} B, raw ${total.rawGzipBodyBytes} B, with zlib's default window and memLevel they would be ${total.wideWindowScreenBytes} B and ${total.wideWindowRawBytes} B`,
  );
  return { total, rows };
}

if (import.meta.main) console.log(JSON.stringify(await run(process.argv.slice(2))));
