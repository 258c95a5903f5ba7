/**
 * SSE compression: a viewer that accepts gzip/deflate gets one compressed stream flushed per event
 * (each event decodable on arrival, while the session still runs); one that does not gets identity
 * as before; the opt-out turns it off; a stalled compressed viewer is still cut off.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { rawSse, type RawSse } from "../../bench/lib/raw-http.ts";
import { sseEncoding } from "../../src/server/viewers/sse-compression.ts";
import { connectDevice, type DeviceClient } from "../support/device-client.ts";
import { type TestServer, startTestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

let server: TestServer;
let dev: { deviceId: string; secret: string };
const views: RawSse[] = [];
const devices: DeviceClient[] = [];
beforeAll(async () => {
  server = await startTestServer();
  dev = await server.pairDevice();
});
afterAll(async () => {
  for (const v of views) v.close();
  for (const d of devices) d.ws.close();
  await server.stop();
});

const port = () => Number(new URL(server.url).port);
const header = (head: string, name: string) => new RegExp(`\\r\\n${name}:\\s*([^\\r]*)`, "i").exec(head)?.[1] ?? null;

async function liveSession(): Promise<{ c: DeviceClient; id: string }> {
  const c = await connectDevice(server.url, dev);
  devices.push(c);
  const id = crypto.randomUUID();
  await c.openSession(id);
  return { c, id };
}

type Ev = { event: string; data: any };
async function view(path: string, acceptEncoding: string | null, p = port(), token = server.token): Promise<{ v: RawSse; events: Ev[] }> {
  const events: Ev[] = [];
  const v = await rawSse(p, path, token, (event, data) => events.push({ event, data: JSON.parse(data) }), { acceptEncoding });
  views.push(v);
  return { v, events };
}

const decoded = (events: Ev[]) =>
  Buffer.concat(events.filter((e) => e.event === "output").map((e) => Buffer.from(e.data.data, "base64"))).toString();

test("Accept-Encoding picks gzip, else deflate, honouring q=0 and *", () => {
  expect(sseEncoding("gzip, deflate, br, zstd")).toBe("gzip");
  expect(sseEncoding("deflate")).toBe("deflate");
  expect(sseEncoding("gzip;q=0, deflate")).toBe("deflate");
  expect(sseEncoding("GZIP;q=0.5")).toBe("gzip");
  expect(sseEncoding("*")).toBe("gzip");
  expect(sseEncoding("*;q=0")).toBeNull();
  expect(sseEncoding("br, zstd")).toBeNull();
  expect(sseEncoding("identity")).toBeNull();
  expect(sseEncoding("")).toBeNull();
  expect(sseEncoding(null)).toBeNull();
});

test("a gzip viewer of the raw stream decodes each event as it arrives, while the session runs", async () => {
  const { c, id } = await liveSession();
  c.output(id, 1, "first line\r\n");
  await c.waitFrame("ack", (f) => f.sessionId === id && f.seq === 1);
  const { SseClient } = await import("../../src/server/viewers/sse.ts");
  const sentBefore = SseClient.totalBytesSent; // no other stream is open on this server yet
  const { v, events } = await view(`/events?session=${id}`, "gzip, deflate, br");
  // The stream is open (the session has not ended) and the first chunk is already decoded:
  // the server flushed it, it did not wait to fill a block.
  await waitFor(() => decoded(events) === "first line\r\n", { what: "first output decoded" });
  expect(v.status).toBe(200);
  expect(header(v.head, "content-encoding")).toBe("gzip");
  expect(header(v.head, "vary")).toMatch(/accept-encoding/i);
  c.output(id, 2, "second line\r\n");
  await waitFor(() => decoded(events) === "first line\r\nsecond line\r\n", { what: "live output decoded" });
  // Repetitive terminal output costs a fraction of the event stream on the wire.
  const wireBefore = v.wireBytes;
  const bodyBefore = v.bodyBytes;
  const row = "\x1b[38;5;246m│\x1b[0m  src/server/sse.ts  │ 42 + │ 7 - │\r\n";
  for (let seq = 3; seq < 53; seq++) c.output(id, seq, row.repeat(20));
  await waitFor(() => events.filter((e) => e.event === "output").length === 52, { what: "50 more chunks" });
  expect(v.wireBytes - wireBefore).toBeLessThan((v.bodyBytes - bodyBefore) / 4);
  // The server counts what went on the wire (compressed), not the event text.
  await waitFor(() => SseClient.totalBytesSent - sentBefore === v.encodedBytes, {
    what: () => `server count ${SseClient.totalBytesSent - sentBefore} = received ${v.encodedBytes}`,
  });
});

test("a deflate viewer of the screen view gets the screen, then rows", async () => {
  const { c, id } = await liveSession();
  c.output(id, 1, "screen before\r\n");
  await c.waitFrame("ack", (f) => f.sessionId === id && f.seq === 1);
  const { v, events } = await view(`/events?session=${id}&view=screen`, "deflate");
  const text = (row: { t: string }[]) => row.map((r) => r.t).join("");
  await waitFor(() => events.find((e) => e.event === "screen" && text(e.data.lines[0]) === "screen before"), { what: "screen event" });
  expect(header(v.head, "content-encoding")).toBe("deflate");
  c.output(id, 2, "and after");
  await waitFor(
    () => events.find((e) => e.event === "rows" && e.data.rows.some(([, row]: [number, { t: string }[]]) => text(row) === "and after")),
    { what: "rows event" },
  );
});

test("without Accept-Encoding (or identity) the stream is sent as before", async () => {
  const { c, id } = await liveSession();
  c.output(id, 1, "plain");
  await c.waitFrame("ack", (f) => f.sessionId === id && f.seq === 1);
  for (const accept of [null, "identity"]) {
    const { v, events } = await view(`/events?session=${id}`, accept);
    await waitFor(() => decoded(events) === "plain", { what: `identity output (${accept})` });
    expect(header(v.head, "content-encoding")).toBeNull();
    expect(v.bodyBytes).toBeLessThan(v.wireBytes); // the body is the event stream itself
  }
  const { v } = await view("/events", null);
  await waitFor(() => v.status === 200);
  expect(header(v.head, "content-encoding")).toBeNull();
});

test("CLAUDE_REMOTE_SSE_COMPRESSION=0 sends every stream uncompressed", async () => {
  const off = await startTestServer({ env: { CLAUDE_REMOTE_SSE_COMPRESSION: "0" } });
  try {
    const offPort = Number(new URL(off.url).port);
    const { v, events } = await view("/events", "gzip", offPort, off.token);
    await waitFor(() => events.some((e) => e.event === "hello"), { what: "hello" });
    expect(header(v.head, "content-encoding")).toBeNull();
  } finally {
    await off.stop();
  }
});

test("a stalled gzip viewer is still cut off; the session keeps streaming", async () => {
  const { SseClient } = await import("../../src/server/viewers/sse.ts");
  const saved = SseClient.heartbeatMs;
  SseClient.heartbeatMs = 300;
  const { c, id } = await liveSession();
  const others = server.app.hub.viewerCount; // viewers of the earlier tests' sessions
  // A real TCP viewer that accepts gzip, sends its request and then never reads a byte.
  const request = `GET /events?session=${id} HTTP/1.1\\r\\nHost: 127.0.0.1:${port()}\\r\\nAuthorization: Bearer ${server.token}\\r\\nAccept-Encoding: gzip\\r\\n\\r\\n`;
  const stalled = Bun.spawn(["bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${port()}; printf '${request}' >&3; sleep 60`]);
  try {
    await waitFor(() => server.app.hub.viewerCount === others + 1, { what: "the stalled viewer connected" });
    // Random text hardly compresses: this fills the kernel buffers and the queue as identity would.
    const chunk = randomBytes(192 * 1024).toString("base64");
    let seq = 0;
    while (server.app.hub.viewerCount > others && seq < 400) {
      c.output(id, ++seq, chunk);
      if (seq % 8 === 0) await c.waitFrame("ack", (f) => f.sessionId === id && f.seq === seq);
    }
    await waitFor(() => server.app.hub.viewerCount === others, { what: "the stalled viewer cut off", timeoutMs: 20_000 });
    c.output(id, ++seq, "still streaming");
    await c.waitFrame("ack", (f) => f.sessionId === id && f.seq === seq);
  } finally {
    SseClient.heartbeatMs = saved;
    stalled.kill(9);
  }
});
