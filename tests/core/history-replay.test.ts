/**
 * A viewer joining a session with a big stored history: it gets every byte, in order, then the
 * live output; the replay is paced (a bounded slice per event-loop turn), so one joiner cannot
 * hold the server's loop; resuming mid-history with Last-Event-ID continues exactly.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { SseClient } from "../../src/server/viewers/sse.ts";
import { connectDevice, readSse } from "../support/device-client.ts";
import { type TestServer, startTestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

const CHUNK = 64 * 1024;
const CHUNKS = 192; // 12 MiB: three times a viewer's 4 MiB queue
/** A replay slice is one 256 KiB page plus at most one chunk, as base64 events. */
const MAX_TURN_BYTES = 1024 * 1024;

let server: TestServer;
let dev: { deviceId: string; secret: string };
beforeAll(async () => {
  server = await startTestServer();
  dev = await server.pairDevice();
});
afterAll(() => server.stop());

/** Largest number of SSE bytes written in one synchronous stretch of the server (one turn). */
function measureTurns() {
  const send = SseClient.prototype.send;
  let turn = 0;
  let max = 0;
  let open = false;
  SseClient.prototype.send = function (this: SseClient, ...args: Parameters<SseClient["send"]>) {
    const before = SseClient.totalBytesSent;
    const ok = send.apply(this, args);
    turn += SseClient.totalBytesSent - before;
    if (!open) {
      open = true;
      queueMicrotask(() => {
        max = Math.max(max, turn);
        turn = 0;
        open = false;
      });
    }
    return ok;
  };
  return { max: () => max, restore: () => void (SseClient.prototype.send = send) };
}

const outputBytes = (events: { event: string; data: any }[]) =>
  Buffer.concat(events.filter((e) => e.event === "output").map((e) => Buffer.from(e.data.data, "base64")));

test("a viewer joining 12 MiB of history gets it byte-exact in bounded slices, then live output; Last-Event-ID resumes mid-history", async () => {
  const id = crypto.randomUUID();
  const c = await connectDevice(server.url, dev);
  await c.openSession(id);
  const sent: Buffer[] = [];
  for (let seq = 1; seq <= CHUNKS; seq++) {
    const chunk = Buffer.from(randomBytes((CHUNK * 3) / 4).toString("base64")); // printable, no two chunks alike
    sent.push(chunk);
    c.output(id, seq, chunk);
    if (seq % 32 === 0) await c.waitFrame("ack", (f) => f.sessionId === id && f.seq === seq);
  }
  await c.waitFrame("ack", (f) => f.sessionId === id && f.seq === CHUNKS);

  const turns = measureTurns();
  const identity = { headers: { "Accept-Encoding": "identity" } };
  let viewer: ReturnType<typeof readSse> | undefined;
  try {
    viewer = readSse(await server.api(`/events?session=${id}`, identity));
    const v = viewer;
    await waitFor(() => v.events.filter((e) => e.event === "output").length === CHUNKS, { what: "the whole history", timeoutMs: 60_000 });
  } finally {
    turns.restore();
  }
  expect(turns.max()).toBeGreaterThan(CHUNK); // the spy saw the replay
  expect(turns.max()).toBeLessThan(MAX_TURN_BYTES);

  const live = Buffer.from("live after the history\r\n");
  sent.push(live);
  c.output(id, CHUNKS + 1, live);
  await waitFor(() => viewer!.events.some((e) => e.event === "output" && e.id === String(CHUNKS + 1)), { what: "the live chunk" });
  const outs = viewer.events.filter((e) => e.event === "output");
  expect(outs.map((e) => Number(e.id))).toEqual(Array.from({ length: CHUNKS + 1 }, (_, i) => i + 1));
  expect(outputBytes(viewer.events).equals(Buffer.concat(sent))).toBe(true);
  viewer.cancel();

  const from = 77;
  const resumed = readSse(
    await server.api(`/events?session=${id}`, { headers: { "Accept-Encoding": "identity", "Last-Event-ID": String(from) } }),
  );
  await waitFor(() => resumed.events.some((e) => e.event === "output" && e.id === String(CHUNKS + 1)), {
    what: "the resumed tail",
    timeoutMs: 60_000,
  });
  const ids = resumed.events.filter((e) => e.event === "output").map((e) => Number(e.id));
  expect(ids[0]).toBe(from + 1);
  expect(ids.length).toBe(CHUNKS + 1 - from);
  expect(outputBytes(resumed.events).equals(Buffer.concat(sent.slice(from)))).toBe(true);
  resumed.cancel();
  c.ws.close();
});
