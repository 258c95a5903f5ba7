/**
 * Join: how long a new viewer waits for the full current screen, for sessions with 1, 10 and 100 MB
 * of history (must be flat). The server runs as its own process; a device streams the history over
 * the real WebSocket (coloured, numbered lines, acked = stored). Three joins are timed per size:
 *   live   — request → first `screen` event on /events?session=ID&view=screen, session connected
 *   get    — GET /api/sessions/:id/screen on the same live session
 *   cold   — the first screen-view join after a server restart (no screen in memory: it is rebuilt
 *            from the store), then `warm` — the next join, served from the kept screen
 * Ratios are against a session of one 64 KB chunk (a full screen, no history to speak of).
 * Each join's screen is checked against GET /screen (the last line must be the last one written).
 *   bun bench/run.ts join [--sizes=1,10,100] [--joins=7]
 */
import { connectDevice } from "../tests/support/device-client.ts";
import { waitFor } from "../tests/support/wait.ts";
import { metric, startBenchServer, type BenchServer } from "./lib/server.ts";
import { median, r2 } from "./lib/stats.ts";

const CHUNK_BYTES = 64 * 1024;
const SESSION = (mb: number) => `join-history-${String(Math.round(mb * 1024)).padStart(6, "0")}kb`;
/** The baseline: one chunk, a full screen of lines but no history to speak of. */
const BASELINE_MB = CHUNK_BYTES / (1024 * 1024);
const WARMUP = "join-warmup";

function flag(args: string[], name: string, def: string): string {
  const v = args.find((a) => a.startsWith(`--${name}=`));
  return v ? v.slice(name.length + 3) : def;
}

/** `count` numbered lines, styled like an agent's output; the last one is recognisable on the screen. */
function* historyChunks(totalBytes: number): Generator<{ chunk: string; lastLine: number }> {
  let n = 0;
  let written = 0;
  while (written < totalBytes) {
    let chunk = "";
    while (chunk.length < Math.min(CHUNK_BYTES, totalBytes - written)) {
      n++;
      chunk += `\x1b[32m●\x1b[0m \x1b[1mline ${n}\x1b[0m \x1b[2m${"·".repeat(20)}\x1b[0m ${"x".repeat(30)}\r\n`;
    }
    written += chunk.length;
    yield { chunk, lastLine: n };
  }
}

async function ingest(server: BenchServer, creds: { deviceId: string; secret: string }, sessionId: string, bytes: number) {
  const client = await connectDevice(server.url, creds);
  await client.openSession(sessionId, { name: sessionId, cols: 100, rows: 30 });
  const acked = (seq: number) => client.frames.some((f) => f.type === "ack" && f.sessionId === sessionId && f.seq >= seq);
  let seq = 0;
  let lastLine = 0;
  for (const c of historyChunks(bytes)) {
    client.output(sessionId, ++seq, c.chunk);
    lastLine = c.lastLine;
    if (seq % 32 === 0) await waitFor(() => acked(seq - 16), { timeoutMs: 120_000, what: "acks" });
    if (seq % 256 === 0) client.frames.length = 0; // keep the client's frame log small
  }
  await waitFor(() => acked(seq), { timeoutMs: 300_000, what: "last ack" });
  return { client, chunks: seq, lastLine };
}

/** Request → first `screen` event; returns its time and the screen's non-empty lines as text. */
async function joinScreen(server: BenchServer, sessionId: string): Promise<{ ms: number; lines: string[] }> {
  const t0 = performance.now();
  const res = await server.api(`/events?session=${sessionId}&view=screen`, { headers: { "Accept-Encoding": "identity" } });
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = "";
  for (;;) {
    const m = /event: screen\n(?:id: [^\n]*\n)?data: ([^\n]*)\n\n/.exec(text);
    if (m) {
      const ms = performance.now() - t0;
      await reader.cancel();
      const ev = JSON.parse(m[1]) as { lines: { t: string }[][] };
      return {
        ms,
        lines: ev.lines
          .map((r) =>
            r
              .map((run) => run.t)
              .join("")
              .trimEnd(),
          )
          .filter(Boolean),
      };
    }
    const { value, done } = await reader.read();
    if (done) throw new Error(`screen stream of ${sessionId} ended before a screen event`);
    text += dec.decode(value, { stream: true });
  }
}

/** Joins are timed on an idle server: the search indexer has caught up with everything stored. */
async function indexedAll(server: BenchServer): Promise<void> {
  await waitFor(
    async () =>
      (await metric(server, "claude_remote_search_indexed_bytes_total")) >=
      (await metric(server, "claude_remote_output_bytes_stored_total")),
    { timeoutMs: 600_000, intervalMs: 250, what: "search index caught up" },
  );
}

async function getScreen(server: BenchServer, sessionId: string): Promise<number> {
  const t0 = performance.now();
  const res = await server.api(`/api/sessions/${sessionId}/screen`);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`GET screen ${sessionId}: ${res.status}`);
  return performance.now() - t0;
}

function checkScreen(sessionId: string, lines: string[], lastLine: number): void {
  const last = lines.at(-1) ?? "";
  if (!last.includes(`line ${lastLine} `)) throw new Error(`${sessionId}: joined screen ends with "${last}", expected line ${lastLine}`);
}

export async function run(args: string[]) {
  const sizes = flag(args, "sizes", "1,10,100").split(",").map(Number);
  const joins = Number(flag(args, "joins", "7"));
  const restarts = Number(flag(args, "restarts", "3"));
  let server = await startBenchServer();
  const { dataDir, port } = server;
  const pair = JSON.parse(await Bun.file(`${server.configDir}/config.json`).text()) as { deviceId: string; secret: string };
  const rows: Array<Record<string, number>> = [];
  const sessions: { id: string; lastLine: number; live: number[]; get: number[]; cold: number[]; warm: number[] }[] = [];
  const devices: { ws: WebSocket }[] = [];
  try {
    (await ingest(server, pair, WARMUP, 1)).client.ws.close();
    for (const mb of [BASELINE_MB, ...sizes]) {
      const id = SESSION(mb);
      const t0 = performance.now();
      const { client, lastLine } = await ingest(server, pair, id, mb * 1024 * 1024);
      const storedS = (performance.now() - t0) / 1000;
      await getScreen(server, id); // waits for the live screen to parse everything
      const parsedS = (performance.now() - t0) / 1000;
      await indexedAll(server);
      const indexedS = (performance.now() - t0) / 1000;
      devices.push(client);
      sessions.push({ id, lastLine, live: [], get: [], cold: [], warm: [] });
      rows.push({ historyMB: r2(mb), storedS: r2(storedS), parsedS: r2(parsedS), indexedS: r2(indexedS) });
      console.log(
        `${String(r2(mb)).padStart(5)} MB: stored in ${storedS.toFixed(1)} s, parsed by the live screen at ${parsedS.toFixed(1)} s, indexed at ${indexedS.toFixed(1)} s`,
      );
    }
    // Interleaved, so drift in the machine's load hits every size alike.
    for (let i = 0; i < joins; i++) {
      for (const s of sessions) {
        const j = await joinScreen(server, s.id);
        checkScreen(s.id, j.lines, s.lastLine);
        s.live.push(j.ms);
        s.get.push(await getScreen(server, s.id));
      }
    }
    for (const d of devices) d.ws.close();
    // Restart: no screen in memory, the first join rebuilds it from the store (a bounded tail); the next ones reuse it.
    for (let r = 0; r < restarts; r++) {
      await server.stop({ keepData: true });
      server = await startBenchServer({ dataDir, port });
      await joinScreen(server, WARMUP); // the restarted process's first request pays its own warm-up
      const order = sessions.map((_, i) => sessions[(i + r) % sessions.length]);
      for (const s of order) {
        const cold = await joinScreen(server, s.id);
        checkScreen(s.id, cold.lines, s.lastLine);
        s.cold.push(cold.ms);
      }
      for (const s of order) for (let i = 0; i < 3; i++) s.warm.push((await joinScreen(server, s.id)).ms);
    }
  } finally {
    await server.stop();
  }
  for (const [i, s] of sessions.entries()) {
    Object.assign(rows[i], {
      screenMs: r2(median(s.live)),
      rawMs: r2(median(s.get)),
      coldMs: r2(median(s.cold)),
      warmMs: r2(median(s.warm)),
    });
    const r = rows[i];
    console.log(
      `${String(r.historyMB).padStart(5)} MB: live join ${r.screenMs} ms, GET screen ${r.rawMs} ms (median of ${joins}); after a restart: first join ${r.coldMs} ms (median of ${restarts}), then ${r.warmMs} ms`,
    );
  }
  const base = rows[0];
  const ratios = rows.slice(1).map((r) => ({
    historyMB: r.historyMB,
    live: r2(r.screenMs / base.screenMs),
    get: r2(r.rawMs / base.rawMs),
    cold: r2(r.coldMs / base.coldMs),
  }));
  for (const q of ratios)
    console.log(`ratio vs a 64 KB session, ${q.historyMB} MB: live join ${q.live}×, GET ${q.get}×, first join after restart ${q.cold}×`);
  return { rows, ratios };
}

if (import.meta.main) console.log(JSON.stringify(await run(process.argv.slice(2)), null, 1));
