/**
 * The hub in process, through its DeviceConn seam: a real Store (SQLite in a temp dir) and EventLog,
 * no sockets. Fast checks of the rules the end-to-end tests reach only through a wrapper.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeviceClose } from "../../src/protocol/codes.ts";
import type { ServerEvent } from "../../src/protocol/events.ts";
import type { ServerFrame, SessionOpenInfo } from "../../src/protocol/frames.ts";
import { type DeviceConn, Hub } from "../../src/server/ingest/hub.ts";
import { Logger } from "../../src/server/log.ts";
import { EventLog } from "../../src/server/viewers/event-log.ts";
import { Store } from "../../src/store/index.ts";
import { waitFor } from "../support/wait.ts";

/** A device connection that keeps what the hub sent it. */
class FakeConn implements DeviceConn {
  frames: ServerFrame[] = [];
  closed: { code: number; reason: string } | null = null;
  constructor(readonly deviceId: string) {}
  send(frame: ServerFrame): void {
    this.frames.push(frame);
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
  of<T extends ServerFrame["type"]>(type: T): Extract<ServerFrame, { type: T }>[] {
    return this.frames.filter((f): f is Extract<ServerFrame, { type: T }> => f.type === type);
  }
}

let store: Store;
let events: EventLog;
let published: ServerEvent[];
let hub: Hub;

const info = (sessionId: string, over: Partial<SessionOpenInfo> = {}): SessionOpenInfo => ({
  sessionId,
  name: "build",
  command: ["bash"],
  cwd: "/tmp",
  cols: 80,
  rows: 24,
  startedAt: Date.now(),
  ...over,
});
const bytes = (s: string) => new TextEncoder().encode(s);

beforeEach(() => {
  store = Store.open(join(mkdtempSync(join(tmpdir(), "hub-")), "db.sqlite"));
  for (const id of ["dev-a", "dev-b"]) store.devices.add(id, id, null, new Uint8Array(32));
  events = new EventLog();
  published = [];
  events.onPublish((e) => published.push(e));
  hub = new Hub(store, events, new Logger("error"), {
    viewerQueueBytes: 1 << 20,
    scrollback: 100,
    durably: (send) => send(),
    maxSessionsPerDevice: 2,
  });
});
afterEach(() => {
  hub.shutdown();
  store.close();
});

test("opening a session stores it, publishes it and answers with its last seq", () => {
  const a = new FakeConn("dev-a");
  expect(hub.open(a, info("sess-0001"))).toEqual({ lastSeq: 0 });
  expect(store.sessions.get("sess-0001")).toMatchObject({ deviceId: "dev-a", status: "running", name: "build" });
  expect(published.some((e) => e.event === "session" && e.data.session.id === "sess-0001")).toBe(true);
});

test("another device's session is refused as forbidden", () => {
  hub.open(new FakeConn("dev-a"), info("sess-0001"));
  expect(hub.open(new FakeConn("dev-b"), info("sess-0001"))).toMatchObject({ refused: "forbidden" });
});

test("a device past its open-session bound is refused as too_many_sessions", () => {
  const a = new FakeConn("dev-a");
  hub.open(a, info("sess-0001"));
  hub.open(a, info("sess-0002"));
  expect(hub.open(a, info("sess-0003"))).toMatchObject({ refused: "too_many_sessions" });
});

test("a second connection of the device takes the session over and the first is closed with takenOver", () => {
  const first = new FakeConn("dev-a");
  const second = new FakeConn("dev-a");
  hub.open(first, info("sess-0001"));
  hub.open(second, info("sess-0001"));
  expect(first.closed?.code).toBe(DeviceClose.takenOver);
  expect(hub.output(first, "sess-0001", 1, bytes("x"))).toMatchObject({ reason: "not_open" });
});

test("output in order is stored and acked; a duplicate is dropped; a skipped seq is refused as out_of_order", async () => {
  const a = new FakeConn("dev-a");
  hub.open(a, info("sess-0001"));
  expect(hub.output(a, "sess-0001", 1, bytes("hello "))).toBeNull();
  expect(hub.output(a, "sess-0001", 2, bytes("world"))).toBeNull();
  expect(hub.output(a, "sess-0001", 2, bytes("world"))).toBeNull();
  expect(hub.output(a, "sess-0001", 4, bytes("!"))).toEqual({ reason: "out_of_order", message: "out of order: expected seq 3, got 4" });
  await waitFor(() => a.of("ack").at(-1)?.seq === 2, { what: "ack of seq 2" });
  expect(store.output.after("sess-0001", 0, 1 << 20).map((c) => new TextDecoder().decode(c.data))).toEqual(["hello ", "world"]);
});

test("output for a session not open on the connection is refused as not_open", () => {
  expect(hub.output(new FakeConn("dev-a"), "sess-none1", 1, bytes("x"))).toEqual({
    reason: "not_open",
    message: "session not open on this connection",
  });
});

test("typed text goes to the connection holding the session as one input frame; none holding it: false", () => {
  const a = new FakeConn("dev-a");
  hub.open(a, info("sess-0001"));
  expect(hub.type("sess-0001", { text: "ls\r" })).toBe(true);
  expect(hub.type("sess-0001", { keys: ["esc"] })).toBe(true);
  expect(a.of("input").map((f) => f.data)).toEqual(["ls\r", "\x1b"]);
  hub.detach(a);
  expect(hub.type("sess-0001", { text: "ls\r" })).toBe(false);
  expect(store.sessions.get("sess-0001")?.status).toBe("disconnected");
});

test("an exit ends the session with its code and frees the connection's hold", () => {
  const a = new FakeConn("dev-a");
  hub.open(a, info("sess-0001"));
  expect(hub.exit(a, "sess-0001", 3, Date.now())).toBe(true);
  expect(store.sessions.get("sess-0001")).toMatchObject({ status: "exited", exitCode: 3 });
  expect(hub.connected("sess-0001")).toBe(false);
  expect(hub.exit(a, "sess-0001", 3, Date.now())).toBe(false);
});
