/** The device socket and the SSE viewer: authentication, bad frames, acks, dedupe, resume. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type TestServer, startTestServer, storedOutput } from "../support/server.ts";
import { connectDevice, readSse } from "../support/device-client.ts";
import { waitFor } from "../support/wait.ts";

let server: TestServer;
let dev: { deviceId: string; secret: string };
beforeAll(async () => {
  server = await startTestServer();
  dev = await server.pairDevice();
});
afterAll(() => server.stop());

test("a wrong HMAC gets an error and the socket is closed", async () => {
  const c = await connectDevice(server.url, dev, { sig: (real) => (real[0] === "0" ? "1" : "0") + real.slice(1) });
  const closed = await c.closed;
  expect(closed.code).toBe(4001);
  expect(c.frames.some((f) => f.type === "error" && f.code === "unauthorized")).toBe(true);
});

test("unauthenticated requests to /api routes and /events get 401", async () => {
  for (const path of ["/api/sessions", "/api/devices", "/api/audit", "/events", "/api/sessions/x/output"]) {
    expect((await fetch(server.url + path)).status).toBe(401);
  }
  expect((await fetch(server.url + "/api/pairing-codes", { method: "POST" })).status).toBe(401);
});

test("malformed frames get an error naming the problem; the session keeps streaming and stores only valid output", async () => {
  const c = await connectDevice(server.url, dev);
  const id = crypto.randomUUID();
  expect(await c.openSession(id)).toBe(0);
  c.output(id, 1, "one ");
  c.sendRaw("{not json");
  c.sendJson({ type: "session.resize", sessionId: id, cols: "wide", rows: 10 });
  c.sendJson({ type: "no-such-frame" });
  c.sendRaw(new Uint8Array([0x7f, 1, 2, 3]));
  c.sendRaw(new Uint8Array([0x01, 200, 1]));
  c.output(id, 2, "two ");
  c.output(id, 2, "two-duplicate ");
  c.output(id, 3, "three");
  await c.waitFrame("ack", (f) => f.seq === 3);
  const errors = c.frames.filter((f) => f.type === "error").map((f) => (f as { message: string }).message);
  expect(errors.some((m) => m.includes("invalid JSON"))).toBe(true);
  expect(errors.some((m) => m.includes("cols"))).toBe(true);
  expect(errors.some((m) => m.includes("type"))).toBe(true);
  expect(errors.some((m) => m.includes("unknown kind"))).toBe(true);
  expect(errors.some((m) => m.includes("truncated"))).toBe(true);
  expect((await storedOutput(server, id)).toString()).toBe("one two three");
  c.ws.close();
});

test("a reconnecting device resumes after the last stored seq; a dropped range is recorded as a gap", async () => {
  const id = crypto.randomUUID();
  const a = await connectDevice(server.url, dev);
  await a.openSession(id);
  a.output(id, 1, "a");
  a.output(id, 2, "b");
  await a.waitFrame("ack", (f) => f.seq === 2);
  a.ws.close();
  await waitFor(async () => (await (await server.api(`/api/sessions/${id}`)).json()).status === "disconnected", { what: "disconnected" });
  const b = await connectDevice(server.url, dev);
  expect(await b.openSession(id)).toBe(2);
  b.output(id, 2, "b-again");
  b.sendJson({ type: "gap", sessionId: id, fromSeq: 3, toSeq: 4, bytes: 10 });
  b.output(id, 5, "e");
  await b.waitFrame("ack", (f) => f.seq === 5);
  expect((await storedOutput(server, id)).toString()).toBe("abe");
  b.ws.close();
});

test("SSE viewer gets output with seq ids and resumes exactly after Last-Event-ID", async () => {
  const id = crypto.randomUUID();
  const c = await connectDevice(server.url, dev);
  await c.openSession(id);
  for (let i = 1; i <= 5; i++) c.output(id, i, `chunk${i};`);
  await c.waitFrame("ack", (f) => f.seq === 5);
  const first = readSse(await server.api(`/events?session=${id}`));
  await waitFor(() => first.events.filter((e) => e.event === "output").length === 5, { what: "5 output events" });
  const ids = first.events.filter((e) => e.event === "output").map((e) => e.id);
  expect(ids).toEqual(["1", "2", "3", "4", "5"]);
  c.output(id, 6, "live6;");
  await waitFor(() => first.events.some((e) => e.event === "output" && e.id === "6"), { what: "live event" });
  first.cancel();
  c.output(id, 7, "missed7;");
  await c.waitFrame("ack", (f) => f.seq === 7);
  const resumed = readSse(await server.api(`/events?session=${id}`, { headers: { "Last-Event-ID": "6" } }));
  await waitFor(() => resumed.events.some((e) => e.event === "output"), { what: "resumed output" });
  const outs = resumed.events.filter((e) => e.event === "output");
  expect(outs.map((e) => e.id)).toEqual(["7"]);
  expect(Buffer.from(outs[0].data.data, "base64").toString()).toBe("missed7;");
  resumed.cancel();
  c.ws.close();
});

test("the global event stream announces sessions and tells a stale viewer to resync", async () => {
  const stream = readSse(await server.api("/events"));
  await waitFor(() => stream.events.some((e) => e.event === "resync"), { what: "initial resync" });
  const c = await connectDevice(server.url, dev);
  const id = crypto.randomUUID();
  await c.openSession(id);
  const ev = await waitFor(() => stream.events.find((e) => e.event === "session" && e.data.session.id === id), { what: "session event" });
  expect(ev.id).toMatch(/^[0-9a-f]{8}-\d+$/);
  stream.cancel();
  const stale = readSse(await server.api("/events", { headers: { "Last-Event-ID": "deadbeef-3" } }));
  await waitFor(() => stale.events.some((e) => e.event === "resync"), { what: "resync for unknown boot id" });
  stale.cancel();
  c.ws.close();
});

test("the screen of a session that is not live is rebuilt from the store (its tail when history is large)", async () => {
  const id = crypto.randomUUID();
  const c = await connectDevice(server.url, dev);
  await c.openSession(id);
  const filler = Buffer.alloc(256 * 1024, "x\r\n");
  let seq = 0;
  for (let i = 0; i < 20; i++) c.output(id, ++seq, filler); // 5 MiB, more than the rebuild window
  c.output(id, ++seq, "\x1b[2J\x1b[Hlast screen line");
  await c.waitFrame("ack", (f) => f.seq === seq);
  c.sendJson({ type: "session.exit", sessionId: id, exitCode: 0, signal: null, endedAt: Date.now(), lastSeq: seq });
  await waitFor(async () => (await (await server.api(`/api/sessions/${id}`)).json()).status === "exited", { what: "exited" });
  c.ws.close();
  const screen = await (await server.api(`/api/sessions/${id}/screen`)).json();
  expect(screen.lines[0]).toBe("last screen line");
});

test("a viewer that stops reading is cut off (it resumes later with Last-Event-ID); the session keeps streaming", async () => {
  const { SseClient } = await import("../../src/server/viewers/sse.ts");
  const saved = SseClient.heartbeatMs;
  SseClient.heartbeatMs = 300;
  const id = crypto.randomUUID();
  const c = await connectDevice(server.url, dev);
  await c.openSession(id);
  const port = new URL(server.url).port;
  // A real TCP viewer that sends its request and then never reads a byte.
  const request = `GET /events?session=${id} HTTP/1.1\\r\\nHost: 127.0.0.1:${port}\\r\\nAuthorization: Bearer ${server.token}\\r\\n\\r\\n`;
  const stalled = Bun.spawn(["bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${port}; printf '${request}' >&3; sleep 60`]);
  try {
    await waitFor(() => server.app.hub.viewerCount === 1, { what: "the stalled viewer connected" });
    const chunk = Buffer.alloc(256 * 1024, "y");
    let seq = 0;
    while (server.app.hub.viewerCount > 0 && seq < 400) {
      c.output(id, ++seq, chunk); // 100 MB at most: far past the kernel buffers and the 4 MiB queue
      if (seq % 8 === 0) await c.waitFrame("ack", (f) => f.sessionId === id && f.seq === seq);
    }
    await waitFor(() => server.app.hub.viewerCount === 0, { what: "the stalled viewer cut off", timeoutMs: 20_000 });
    c.output(id, ++seq, "still streaming");
    await c.waitFrame("ack", (f) => f.sessionId === id && f.seq === seq);
  } finally {
    SseClient.heartbeatMs = saved;
    stalled.kill(9);
    c.ws.close();
  }
});

test("the link's reused frame buffer encodes every frame as a fresh one would, and decodes back", async () => {
  const { decodeOutput, encodeOutput, OutputFrameWriter } = await import("../../src/protocol/output-frame.ts");
  const id = crypto.randomUUID();
  const w = new OutputFrameWriter(id);
  const frames: Uint8Array[] = [];
  // small, merged parts, then one past the buffer's first size (it grows), then small again
  for (const [seq, sizes] of [
    [1, [5]],
    [2, [3000, 7]],
    [3, [200_000]],
    [4, [1]],
  ] as const) {
    const parts = sizes.map((n, i) => new Uint8Array(n).fill(seq * 10 + i));
    const frame = w.encode(seq, parts);
    expect(Buffer.from(frame).equals(Buffer.from(encodeOutput(id, seq, parts)))).toBe(true);
    const back = decodeOutput(frame);
    expect(back.ok && back.value.seq === seq && back.value.data.byteLength === sizes.reduce((a, b) => a + b, 0)).toBe(true);
    frames.push(frame);
  }
  // one buffer: an earlier view now shows the later frame (so the link must hand it to a copying send)
  expect(frames[3].buffer).toBe(frames[2].buffer);
});
