/**
 * Join time of the dashboard's screen view: a session with 50 MB of history vs a fresh one.
 * Real server (temp dir), a device over the real WebSocket; times from request to the first
 * `screen` event on /events?session=ID&view=screen. Run: bun bench/screen-join.ts
 */
import { connectDevice } from "../tests/support/device-client.ts";
import { startTestServer } from "../tests/support/server.ts";
import { waitFor } from "../tests/support/wait.ts";

const HISTORY_MB = Number(process.env.HISTORY_MB ?? 50);
const JOINS = 7;

async function joinMs(api: (p: string) => Promise<Response>, id: string): Promise<number> {
  const t0 = performance.now();
  const res = await api(`/events?session=${id}&view=screen`);
  const reader = res.body!.getReader();
  let text = "";
  while (!text.includes("event: screen")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("stream ended");
    text += new TextDecoder().decode(value);
  }
  const ms = performance.now() - t0;
  await reader.cancel();
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await startTestServer();
try {
  const dev = await server.pairDevice("bench");
  const client = await connectDevice(server.url, dev);
  await client.openSession("fresh-session-1");
  client.output("fresh-session-1", 1, "hello\r\n");
  await client.openSession("big-session-01");
  const line = "\x1b[32mok\x1b[0m " + "x".repeat(70) + "\r\n";
  const chunk = line.repeat(Math.floor(65536 / line.length));
  const chunks = Math.ceil((HISTORY_MB * 1024 * 1024) / chunk.length);
  const t0 = performance.now();
  for (let seq = 1; seq <= chunks; seq++) {
    client.output("big-session-01", seq, chunk);
    if (seq % 64 === 0) await waitFor(() => client.frames.some((f) => f.type === "ack" && f.sessionId === "big-session-01" && f.seq >= seq - 32), { timeoutMs: 60_000 });
  }
  await waitFor(() => client.frames.some((f) => f.type === "ack" && f.sessionId === "big-session-01" && f.seq === chunks), { timeoutMs: 120_000 });
  const ingest = performance.now() - t0;
  // The headless terminal parses asynchronously: let it catch up before timing joins.
  await server.api("/api/sessions/big-session-01/screen");
  const parsed = performance.now() - t0;
  const fresh: number[] = [];
  const big: number[] = [];
  for (let i = 0; i < JOINS; i++) {
    fresh.push(await joinMs(server.api, "fresh-session-1"));
    big.push(await joinMs(server.api, "big-session-01"));
  }
  const f = median(fresh);
  const b = median(big);
  console.log(`history: ${(chunks * chunk.length / 1048576).toFixed(1)} MB in ${chunks} chunks (stored in ${(ingest / 1000).toFixed(1)} s, parsed by the live screen at ${(parsed / 1000).toFixed(1)} s)`);
  console.log(`screen join, median of ${JOINS}: fresh ${f.toFixed(1)} ms, ${HISTORY_MB} MB history ${b.toFixed(1)} ms, ratio ${(b / f).toFixed(2)}`);
  client.ws.close();
} finally {
  await server.stop();
}
