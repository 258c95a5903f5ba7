// Acks mean "on disk": the server acks output (and confirms an exit) only after the WAL's fsync,
// so a power cut can never take output the wrapper has already forgotten.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { DurableAcks } from "../../src/server/ingest/durable-acks.ts";
import { Logger } from "../../src/server/log.ts";
import { connectDevice } from "../support/device-client.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

/** Holds the checkpoint worker's fsyncs until released (the real one then runs). */
function gateSyncs(): { release(): void; asked(): number } {
  const cp = server.app.checkpointer;
  const real = cp.sync.bind(cp);
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let asked = 0;
  cp.sync = async () => {
    asked++;
    await gate;
    return real();
  };
  return { release: () => ((cp.sync = real), open()), asked: () => asked };
}

test("output is acked only after the fsync that follows its commit; the exit is confirmed the same way", async () => {
  const dev = await server.pairDevice();
  const c = await connectDevice(server.url, dev);
  await c.openSession("durable-ack-1", { name: "durable" });
  const gate = gateSyncs();
  c.output("durable-ack-1", 1, "committed, not yet on disk\r\n");
  c.sendJson({ type: "session.exit", sessionId: "durable-ack-1", exitCode: 0, signal: null, endedAt: Date.now(), lastSeq: 1 });
  // stored at once…
  await waitFor(async () => (await (await server.api("/api/sessions/durable-ack-1")).json()).status === "exited", { what: "exit stored" });
  await waitFor(() => gate.asked() > 0, { what: "an fsync asked for" });
  // …but neither acked nor confirmed while the fsync has not happened
  await Bun.sleep(300);
  expect(c.frames.filter((f) => f.type === "ack" || f.type === "session.ended")).toEqual([]);
  const syncsBefore = server.app.checkpointer.syncs;
  gate.release();
  await c.waitFrame("ack", (f) => f.sessionId === "durable-ack-1" && f.seq === 1);
  await c.waitFrame("session.ended", (f) => f.sessionId === "durable-ack-1");
  expect(server.app.checkpointer.syncs).toBeGreaterThan(syncsBefore); // the worker's real fsync ran
  c.ws.close();
});

test("a burst shares fsyncs: far fewer than commits", async () => {
  const dev = await server.pairDevice();
  const c = await connectDevice(server.url, dev);
  await c.openSession("durable-burst-1", { name: "burst" });
  const before = server.app.checkpointer.syncs;
  for (let seq = 1; seq <= 400; seq++) c.output("durable-burst-1", seq, `line ${seq}\r\n`);
  await c.waitFrame("ack", (f) => f.sessionId === "durable-burst-1" && f.seq === 400);
  const acks = c.frames.filter((f) => f.type === "ack" && f.sessionId === "durable-burst-1").length;
  const syncs = server.app.checkpointer.syncs - before;
  expect(syncs).toBeGreaterThanOrEqual(1);
  expect(syncs).toBeLessThanOrEqual(acks);
  c.ws.close();
});

test("an fsync that fails or never answers does not hold acks for ever: they go out, and it is logged", async () => {
  const lines: string[] = [];
  const log = new Logger("warn", (l) => lines.push(l));
  const sent: number[] = [];
  const failing = new DurableAcks(() => Promise.reject(new Error("EIO")), log);
  failing.after(() => sent.push(1));
  failing.after(() => sent.push(2));
  await waitFor(() => sent.length === 2, { what: "acks after a failed fsync" });
  expect(lines.join("\n")).toContain("wal_sync_failed");
  expect(lines.join("\n")).toContain("EIO");
  const ordered: number[] = [];
  let calls = 0;
  const slow = new DurableAcks(() => (++calls === 1 ? Bun.sleep(50) : Promise.resolve()), log);
  for (let i = 0; i < 5; i++) slow.after(() => ordered.push(i));
  await waitFor(() => ordered.length === 5, { what: "acks in order" });
  expect(ordered).toEqual([0, 1, 2, 3, 4]);
  expect(calls).toBeLessThanOrEqual(2); // the four queued during the first fsync share the second
});
