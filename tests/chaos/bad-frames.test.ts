/**
 * Duplicated, reordered, truncated and garbage frames injected at the server by a raw device
 * client doing the real handshake: the stored output is exactly the in-order payloads, nothing
 * else. After an out-of-order frame the server closes the socket (4009 resync); the client
 * reconnects, reads `session.ready.lastSeq` and resends from there, as the wrapper does.
 */
import { afterAll, expect, test } from "bun:test";
import { encodeOutput } from "../../src/protocol/output-frame.ts";
import { waitFor } from "../support/wait.ts";
import { startTestServer, storedOutput, type TestServer } from "../support/server.ts";
import { RawDevice, firstDiff } from "./helpers.ts";

let server: TestServer | null = null;
const devices: RawDevice[] = [];
afterAll(async () => {
  for (const d of devices) d.close();
  await server?.stop();
});

function rng(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

test("duplicate, reordered, truncated and garbage frames never corrupt stored output", async () => {
  server = await startTestServer();
  const dev = await server.pairDevice();
  const sessionId = crypto.randomUUID();
  const rand = rng(42);
  const N = 300;
  const payloads = Array.from({ length: N }, (_, i) =>
    new TextEncoder().encode(`chunk ${i + 1} ${"#".repeat(1 + Math.floor(rand() * 3000))}\r\n`),
  );
  const open = async () => {
    const d = await RawDevice.connect(server!.url, dev.deviceId, dev.secret);
    devices.push(d);
    d.sendJson({ type: "session.open", sessionId, name: "fuzz", command: ["fuzz"], cwd: "/", cols: 80, rows: 24, startedAt: Date.now() });
    await waitFor(() => d.frames.some((f) => f.type === "session.ready"), { timeoutMs: 5000 });
    return { d, lastSeq: d.frames.find((f) => f.type === "session.ready")!.lastSeq as number };
  };

  let { d, lastSeq } = await open();
  let reconnects = 0;
  while (lastSeq < N) {
    let seq = lastSeq + 1;
    while (seq <= N && d.open_) {
      const frame = encodeOutput(sessionId, seq, payloads[seq - 1]);
      const r = rand();
      if (r < 0.1)
        d.sendBinary(frame.subarray(0, Math.floor(rand() * 40))); // truncated inside the header
      else if (r < 0.15)
        d.sendBinary(Uint8Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256))); // garbage
      else if (r < 0.25 && seq > 1)
        d.sendBinary(encodeOutput(sessionId, seq - 1, payloads[seq - 2])); // duplicate of the last one
      else if (r < 0.27 && seq < N) {
        d.sendBinary(encodeOutput(sessionId, seq + 1, payloads[seq])); // reordered: the next one first
        break;
      }
      d.sendBinary(frame);
      seq++;
    }
    await waitFor(() => d.lastAck(sessionId) >= seq - 1 || !d.open_, { timeoutMs: 10_000 });
    if (d.lastAck(sessionId) >= N) break;
    if (d.open_) {
      if (seq > N) continue;
      await waitFor(() => !d.open_, { timeoutMs: 5000 }); // the server asked for a resync
    }
    reconnects++;
    ({ d, lastSeq } = await open());
  }
  await waitFor(() => d.lastAck(sessionId) >= N, { timeoutMs: 10_000 });
  const rejected = devices.flatMap((x) => x.frames).filter((f) => f.type === "error");
  expect(rejected.some((f) => f.code === "bad_frame")).toBe(true);
  expect(reconnects).toBeGreaterThan(0);

  const expected = Buffer.concat(payloads);
  const stored = await storedOutput(server, sessionId);
  expect(firstDiff(stored, expected)).toBe(-1);
}, 60_000);
