/**
 * Bandwidth to the phone: the recorded Claude Code sessions in /work/shared/fixtures replayed
 * through `claude-remote exec -- bun bench/replay-fixture.ts <fixture>.raw` (recorded chunks and
 * timing, waits capped at 50 ms) in a real PTY of the recorded size, with two viewers attached
 * before the first byte: one on the raw SSE (`/events?session=ID`), one on the screen-diff SSE
 * (`&view=screen`, what the dashboard uses). Both viewers are raw TCP clients, so the bytes counted
 * are wire bytes (HTTP headers and chunked framing included). Compared with the raw PTY bytes.
 * The screen viewer rebuilds the screen from its events; it must equal the server's final screen.
 *   bun bench/run.ts bandwidth [--max-wait-ms=50]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { constants, createDeflateRaw } from "node:zlib";
import { timeInPty } from "./lib/pty-run.ts";
import { rawSse } from "./lib/raw-http.ts";
import { ADMIN_TOKEN, BUN, CLI, REPO, sessionNamed, startBenchServer, type BenchServer } from "./lib/server.ts";
import { r2 } from "./lib/stats.ts";

const FIXTURES = "/work/shared/fixtures/claude-code-2.1.330";

type Run = { t: string }[];
type Row = {
  fixture: string; size: string; fixtureBytes: number; rawPtyBytes: number; rawViewerBytes: number; screenViewerBytes: number; rawRatio: number; screenRatio: number;
  rawEvents: number; screenEvents: number; rawPayloadOk: boolean; screenMatches: boolean; replayS: number;
  /** Where the screen stream's bytes go. */
  screenBreakdown: { httpAndChunking: number; sseFraming: number; envelope: number; rows: number; firstScreen: number };
  /** What-if, not sent by the server: each stream through one deflate context, flushed per server write (like permessage-deflate / a gzip SSE flushed per event). */
  deflatedRawBytes: number; deflatedScreenBytes: number;
};

/** Bytes of `pieces` compressed by one raw-deflate stream with a sync flush after each piece. */
async function deflatedPerPiece(pieces: Buffer[]): Promise<number> {
  const d = createDeflateRaw({ level: 6 });
  let out = 0;
  d.on("data", (b: Buffer) => (out += b.length));
  for (const p of pieces) {
    d.write(p);
    await new Promise<void>((r) => d.flush(constants.Z_SYNC_FLUSH, () => r()));
  }
  d.end();
  await new Promise<void>((r) => d.on("end", () => r()));
  return out;
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

async function replay(server: BenchServer, raw: string, maxWaitMs: number): Promise<Row> {
  const base = raw.split("/").pop()!.replace(/\.raw$/, "");
  const meta = JSON.parse(readFileSync(raw.replace(/\.raw$/, ".json"), "utf8")) as { cols: number; rows: number };
  const name = `bw-${base}-${Date.now()}`;
  const done = timeInPty([BUN, CLI, "exec", "--name", name, "--", BUN, join(REPO, "bench/replay-fixture.ts"), raw], {
    env: { CLAUDE_REMOTE_CONFIG_DIR: server.configDir, REPLAY_MAX_WAIT_MS: String(maxWaitMs) },
    capMs: 60_000,
    cols: meta.cols,
    rows: meta.rows,
  });
  const id = await sessionNamed(server, name);
  let payload = 0;
  let rawEvents = 0;
  const screen = new ScreenModel();
  const rawPieces: Buffer[] = [];
  const screenPieces: Buffer[] = [];
  const rawView = await rawSse(server.port, `/events?session=${id}`, ADMIN_TOKEN, (event, data) => {
    rawEvents++;
    if (event === "output") payload += Buffer.from((JSON.parse(data) as { data: string }).data, "base64").length;
  }, { onBody: (b) => rawPieces.push(Buffer.from(b)) });
  const split = { sseFraming: 0, envelope: 0, rows: 0, firstScreen: 0 };
  const screenView = await rawSse(server.port, `/events?session=${id}&view=screen`, ADMIN_TOKEN, (event, data) => {
    screen.apply(event, data);
    const m = JSON.parse(data) as { rows?: unknown; lines?: unknown };
    const body = Buffer.byteLength(JSON.stringify(m.rows ?? []));
    if (event === "screen") split.firstScreen += Buffer.byteLength(data);
    else if (event === "rows") (split.rows += body), (split.envelope += Buffer.byteLength(data) - body);
    else split.envelope += Buffer.byteLength(data);
  }, { onBody: (b) => screenPieces.push(Buffer.from(b)) });
  try {
    if (!(await waitUntil(() => rawView.status > 0 && screen.events > 0, 10_000))) throw new Error(`${base}: viewers did not attach`);
    await Bun.sleep(500); // the replayer has switched its terminal to raw mode by now
    const tStart = performance.now();
    await server.api(`/api/sessions/${id}/input`, { method: "POST", body: JSON.stringify({ text: "g" }) });
    await done;
    const replayS = r2((performance.now() - tStart) / 1000);
    const info = (await (await server.api(`/api/sessions/${id}`)).json()) as { bytes: number };
    await waitUntil(() => payload >= info.bytes, 5000);
    // let the screen view send its last (throttled) diff, then wait for quiet
    let last = -1;
    await waitUntil(() => {
      const quiet = screenView.wireBytes === last;
      last = screenView.wireBytes;
      return quiet;
    }, 5000).then(() => Bun.sleep(300));
    await waitUntil(() => screenView.wireBytes === last, 1000);
    const snap = (await (await server.api(`/api/sessions/${id}/screen`)).json()) as { lines: string[] };
    const trim = (ls: string[]) => ls.map((l) => l.replace(/\s+$/, ""));
    const fixtureBytes = readFileSync(raw).length;
    return {
      fixture: base,
      size: `${meta.cols}x${meta.rows}`,
      fixtureBytes,
      rawPtyBytes: info.bytes,
      rawViewerBytes: rawView.wireBytes,
      screenViewerBytes: screenView.wireBytes,
      rawRatio: r2(rawView.wireBytes / info.bytes),
      screenRatio: r2(screenView.wireBytes / info.bytes),
      rawEvents,
      screenEvents: screen.events,
      rawPayloadOk: payload === info.bytes,
      screenMatches: JSON.stringify(trim(screen.lines)) === JSON.stringify(trim(snap.lines)),
      replayS,
      screenBreakdown: { httpAndChunking: screenView.wireBytes - screenView.bodyBytes, ...split, sseFraming: screenView.bodyBytes - split.envelope - split.rows - split.firstScreen },
      deflatedRawBytes: await deflatedPerPiece(rawPieces),
      deflatedScreenBytes: await deflatedPerPiece(screenPieces),
    };
  } finally {
    rawView.close();
    screenView.close();
  }
}

export async function run(args: string[] = []): Promise<Record<string, unknown>> {
  const maxWaitMs = Number(args.find((a) => a.startsWith("--max-wait-ms="))?.slice(14) ?? 50);
  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith(".raw")).sort().map((f) => join(FIXTURES, f));
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
    rawRatio: r2(sum("rawViewerBytes") / sum("rawPtyBytes")),
    screenRatio: r2(sum("screenViewerBytes") / sum("rawPtyBytes")),
    deflatedRawRatio: r2(sum("deflatedRawBytes") / sum("rawPtyBytes")),
    deflatedScreenRatio: r2(sum("deflatedScreenBytes") / sum("rawPtyBytes")),
    screenBreakdown: Object.fromEntries(Object.keys(rows[0]?.screenBreakdown ?? {}).map((k) => [k, rows.reduce((s, r) => s + r.screenBreakdown[k as keyof Row["screenBreakdown"]], 0)])),
    allPayloadsOk: rows.every((r) => r.rawPayloadOk),
    allScreensMatch: rows.every((r) => r.screenMatches),
    maxWaitMs,
  };
  console.log(`bandwidth: ${total.rawPtyBytes} raw PTY bytes → raw SSE ${total.rawViewerBytes} (${total.rawRatio}×), screen SSE ${total.screenViewerBytes} (${total.screenRatio}×; goal ≤ 0.5×); what-if per-event deflate: raw ${total.deflatedRawRatio}×, screen ${total.deflatedScreenRatio}×`);
  return { total, rows };
}

if (import.meta.main) console.log(JSON.stringify(await run(process.argv.slice(2))));
