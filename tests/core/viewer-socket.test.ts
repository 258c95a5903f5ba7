/**
 * The viewer WebSocket `/ws/viewer`: a real wrapped session's output arrives byte-exact as events,
 * input frames reach the child and are acked and audited, bad frames get one error each while the
 * socket, the session and the stored output survive, and the upgrade is authenticated like an
 * admin route (token, or cookie from our own Origin; logout closes the socket).
 */
import { connect } from "node:net";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { SseClient } from "../../src/server/viewers/sse.ts";
import { auditActions, login } from "../security/support.ts";
import { connectDevice } from "../support/device-client.ts";
import { spawnInPty } from "../support/pty.ts";
import { BUN, CLI, type TestServer, sessions, startTestServer, storedOutput } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

let server: TestServer;
let dev: { configDir: string; deviceId: string; secret: string };

beforeAll(async () => {
  server = await startTestServer();
  dev = await server.pairDevice();
});
afterAll(() => server.stop());

type Msg = { event: string; id?: string | number; data: any };
type Viewer = {
  ws: WebSocket;
  msgs: Msg[];
  closed: Promise<{ code: number; reason: string }>;
  send(f: unknown): void;
  wait(pred: (m: Msg) => boolean, what: string): Promise<Msg>;
};

function openViewer(query: string, headers: Record<string, string> = { Authorization: `Bearer ${server.token}` }): Promise<Viewer> {
  const ws = new WebSocket(`${server.url.replace(/^http/, "ws")}/ws/viewer?${query}`, { headers } as never);
  const msgs: Msg[] = [];
  const closed = new Promise<{ code: number; reason: string }>((r) => (ws.onclose = (e) => r({ code: e.code, reason: e.reason })));
  ws.onmessage = (e) => msgs.push(JSON.parse(String(e.data)));
  const v: Viewer = {
    ws,
    msgs,
    closed,
    send: (f) => ws.send(typeof f === "string" ? f : JSON.stringify(f)),
    wait: (pred, what) => waitFor(() => msgs.find(pred), { what }),
  };
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve(v);
    ws.onerror = () => reject(new Error("viewer socket refused"));
  });
}

/** The upgrade's HTTP answer when it is refused (a WebSocket client only sees "error"). */
async function upgradeStatus(query: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(`${server.url}/ws/viewer?${query}`, {
    headers: {
      Connection: "Upgrade",
      Upgrade: "websocket",
      "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
      ...headers,
    },
  });
  return res.status;
}

/** A session held by a raw device client (no PTY): the test writes its output frames itself. */
async function rawSession() {
  const c = await connectDevice(server.url, dev);
  const id = crypto.randomUUID();
  await c.openSession(id);
  return { c, id };
}

const outputOf = (msgs: Msg[]) => Buffer.concat(msgs.filter((m) => m.event === "output").map((m) => Buffer.from(m.data.data, "base64")));

async function wrappedSession(script: string) {
  const name = `viewer-${crypto.randomUUID().slice(0, 8)}`;
  const t = spawnInPty([BUN, CLI, "exec", "--name", name, "--", "bash", "-c", script], {
    env: { CLAUDE_REMOTE_CONFIG_DIR: dev.configDir },
  });
  const s = await waitFor(async () => (await sessions(server)).find((x) => x.name === name && x.status === "running"), {
    what: `session ${name}`,
  });
  return { t, id: s.id };
}

test("a wrapped session over the viewer socket: output byte-exact, text and key input reach the child, acked by ref and audited", async () => {
  const { t, id } = await wrappedSession(
    'stty -echo; echo ready; read a; echo "A=$a"; read b; echo "B=$b"; seq 1 20000; echo at-read; read c',
  );
  const v = await openViewer(`session=${id}`);
  await waitFor(() => outputOf(v.msgs).toString().includes("ready"), { what: "ready over the socket" });

  v.send({ type: "input", ref: "r1", text: "over-the-socket\r" });
  expect((await v.wait((m) => m.event === "input.ok" && m.data.ref === "r1", "input.ok r1")).data).toEqual({ ref: "r1" });
  await waitFor(() => t.text().includes("A=over-the-socket"), { what: "text input at the child" });
  v.send({ type: "input", ref: "r2", keys: ["1", "enter"] });
  await v.wait((m) => m.event === "input.ok" && m.data.ref === "r2", "input.ok r2");
  await waitFor(() => outputOf(v.msgs).toString().includes("20000\r\n"), { what: "the seq burst over the socket" });
  expect(t.text()).toContain("B=1");

  // ids are the output seqs, in order, with nothing missing
  const ids = v.msgs.filter((m) => m.event === "output").map((m) => m.id as number);
  expect(ids).toEqual(ids.map((_, i) => i + 1));
  // Only once bash is at `read`: a SIGINT while it waits for seq is ignored if seq then exits normally.
  await waitFor(() => outputOf(v.msgs).toString().includes("at-read"), { what: "bash at read" });
  v.send({ type: "input", keys: ["ctrl-c"] });
  await t.exited;
  await waitFor(async () => (await sessions(server)).find((s) => s.id === id && s.status === "exited"), { what: "session exited" });
  await waitFor(async () => outputOf(v.msgs).equals(await storedOutput(server, id)), { what: "viewer bytes equal stored bytes" });

  const inputs = (await auditActions(server)).filter((a) => a.action === "session.input" && a.target === id).reverse(); // newest first
  expect(inputs.map((a) => a.detail)).toEqual([
    { text: "over-the-socket\r", via: "ws" },
    { keys: ["1", "enter"], via: "ws" },
    { keys: ["ctrl-c"], via: "ws" },
  ]);
  expect(inputs.every((a) => a.actor === "admin:token")).toBe(true);
  v.ws.close();
});

test("bad frames get one error each, naming what was wrong; the socket, the session and the stored output survive", async () => {
  const { c, id } = await rawSession();
  c.output(id, 1, "before\r\n");
  await c.waitFrame("ack", (f) => f.seq === 1);
  const v = await openViewer(`session=${id}`);
  await v.wait((m) => m.event === "output", "history");

  const bad: [unknown, string, RegExp][] = [
    ["{not json", "bad_frame", /invalid JSON/],
    [{ type: "input" }, "bad_frame", /exactly one of text or keys/],
    [{ type: "input", text: "x", keys: ["esc"] }, "bad_frame", /exactly one of text or keys/],
    [{ type: "input", text: "" }, "bad_frame", /text/],
    [{ type: "input", keys: ["f13"] }, "bad_frame", /keys/],
    [{ type: "input", text: "x", extra: 1 }, "bad_frame", /extra|Unrecognized/i],
    [{ type: "resize", cols: 10 }, "bad_frame", /type/],
    [{ type: "input", ref: "r-big", text: "x".repeat(20_000) }, "bad_frame", /text/],
    ["y".repeat(200 * 1024), "too_large", /exceeds/],
  ];
  for (const [frame, code, why] of bad) {
    const before = v.msgs.filter((m) => m.event === "error").length;
    v.send(frame);
    const err = await waitFor(() => v.msgs.filter((m) => m.event === "error")[before], {
      what: `error for ${String(JSON.stringify(frame)).slice(0, 40)}`,
    });
    expect(err.data.code).toBe(code);
    expect(err.data.message).toMatch(why);
  }
  expect(
    v.msgs.find((m) => m.event === "error" && m.data.code === "bad_frame" && /text/.test(m.data.message) && m.data.ref === "r-big"),
  ).toBeTruthy();
  v.ws.send(new Uint8Array([1, 2, 3]));
  await waitFor(() => v.msgs.find((m) => m.event === "error" && /binary/.test(m.data.message)), { what: "binary refused" });

  // still open, still a viewer, input still works
  v.send({ type: "input", ref: "ok", text: "fine\r" });
  await v.wait((m) => m.event === "input.ok" && m.data.ref === "ok", "valid input after bad frames");
  expect((await c.waitFrame("input", (f) => f.data === "fine\r")).sessionId).toBe(id);
  c.output(id, 2, "after\r\n");
  await waitFor(() => outputOf(v.msgs).toString() === "before\r\nafter\r\n", { what: "live output after bad frames" });
  expect((await storedOutput(server, id)).toString()).toBe("before\r\nafter\r\n");

  // the wrapper goes away: input is refused as not connected, the socket stays
  c.ws.close();
  await waitFor(async () => (await sessions(server)).find((s) => s.id === id && s.status !== "running"), { what: "session disconnected" });
  v.send({ type: "input", ref: "gone", text: "x" });
  expect((await v.wait((m) => m.event === "error" && m.data.ref === "gone", "not_connected")).data.code).toBe("not_connected");
  expect(v.ws.readyState).toBe(WebSocket.OPEN);
  v.ws.close();
});

test("view=screen sends the screen; view=none sends no output but takes input; bad view, unknown session and from are refused", async () => {
  const { c, id } = await rawSession();
  c.output(id, 1, "on the screen\r\n");
  await c.waitFrame("ack", (f) => f.seq === 1);
  const screen = await openViewer(`session=${id}&view=screen`);
  const first = await screen.wait((m) => m.event === "screen", "screen event");
  expect(first.data.lines[0].text ?? JSON.stringify(first.data.lines[0])).toContain("on the screen");
  const none = await openViewer(`session=${id}&view=none`);
  none.send({ type: "input", ref: "n", text: "q" });
  await none.wait((m) => m.event === "input.ok", "input on a view=none socket");
  expect(none.msgs.filter((m) => m.event === "output" || m.event === "screen")).toEqual([]);

  const auth = { Authorization: `Bearer ${server.token}` };
  expect(await upgradeStatus(`session=${id}&view=bogus`, auth)).toBe(400);
  expect(await upgradeStatus(`session=${id}&from=-1`, auth)).toBe(400);
  expect(await upgradeStatus(`session=nope-nope-nope`, auth)).toBe(404);
  screen.ws.close();
  none.ws.close();
  c.ws.close();
});

test("the upgrade needs the admin: no credentials 401; a cookie from another Origin or without Origin 403; our Origin works; logout closes it", async () => {
  const { c, id } = await rawSession();
  expect(await upgradeStatus(`session=${id}`, {})).toBe(401);
  expect(await upgradeStatus(`session=${id}`, { Authorization: "Bearer wrong-token" })).toBe(401);
  const { cookie, pageKey } = await login(server);
  const k = `session=${id}&pageKey=${pageKey}`;
  expect(await upgradeStatus(k, { Cookie: cookie, Origin: "http://evil.example" })).toBe(403);
  expect(await upgradeStatus(k, { Cookie: cookie, Origin: `http://127.0.0.1:${Number(new URL(server.url).port) + 1}` })).toBe(403);
  expect(await upgradeStatus(k, { Cookie: cookie })).toBe(403);
  expect(await upgradeStatus(k, { Cookie: cookie, Origin: server.url, "Sec-Fetch-Site": "same-site" })).toBe(403);
  // The cookie without its page key (what any server on this host receives) is not a login.
  expect(await upgradeStatus(`session=${id}`, { Cookie: cookie, Origin: server.url })).toBe(401);
  expect(await upgradeStatus(`session=${id}&pageKey=${"A".repeat(43)}`, { Cookie: cookie, Origin: server.url })).toBe(401);

  const v = await openViewer(`${k}&view=none`, { Cookie: cookie, Origin: server.url });
  v.send({ type: "input", ref: "c", text: "hi" });
  await v.wait((m) => m.event === "input.ok", "cookie viewer input");
  const audit = (await auditActions(server)).filter((a) => a.action === "session.input" && a.target === id);
  expect(audit[0].actor).toMatch(/^admin:browser:/);
  const out = await fetch(`${server.url}/api/logout`, {
    method: "POST",
    headers: { Cookie: cookie, "x-cr-page-key": pageKey, Origin: server.url },
  });
  expect(out.status).toBe(200);
  expect((await v.closed).code).toBe(4001);
  c.ws.close();
});

test("input frames are rate-limited like POST /input: refused frames get rate_limited, the socket stays open", async () => {
  const { c, id } = await rawSession();
  const v = await openViewer(`session=${id}&view=none`);
  for (let i = 0; i < 400; i++) v.send({ type: "input", ref: `f${i}`, text: "x" });
  await waitFor(() => v.msgs.length >= 400, { what: "an answer per frame" });
  const limited = v.msgs.filter((m) => m.event === "error" && m.data.code === "rate_limited").length;
  const ok = v.msgs.filter((m) => m.event === "input.ok").length;
  expect(ok + limited).toBe(400);
  expect(limited).toBeGreaterThan(0);
  expect(ok).toBeGreaterThanOrEqual(200);
  expect(v.ws.readyState).toBe(WebSocket.OPEN);
  v.ws.close();
  c.ws.close();
});

test("a viewer socket that stops reading is cut off with 4008; output and the other viewer go on", async () => {
  const beat = SseClient.heartbeatMs;
  SseClient.heartbeatMs = 500;
  const { c, id } = await rawSession();
  try {
    // a raw TCP WebSocket client that completes the upgrade and then never reads
    const port = Number(new URL(server.url).port);
    const sock = connect(port, "127.0.0.1");
    await new Promise<void>((r) => sock.once("connect", () => r()));
    sock.write(
      `GET /ws/viewer?session=${id} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer ${server.token}\r\n\r\n`,
    );
    await new Promise<void>((r) => sock.once("data", () => r()));
    sock.pause();
    const live = await openViewer(`session=${id}`);
    const before = server.app.viewers.count; // sockets of earlier tests may still be closing
    expect(before).toBeGreaterThanOrEqual(2);

    const chunk = Buffer.alloc(60 * 1024, "z");
    let seq = 0;
    while (server.app.viewers.count === before && seq < 600) {
      c.output(id, ++seq, chunk);
      if (seq % 16 === 0) await c.waitFrame("ack", (f) => f.seq === seq);
    }
    await waitFor(() => server.app.viewers.count < before && live.ws.readyState === WebSocket.OPEN, {
      what: "the stalled viewer cut off",
      timeoutMs: 30_000,
    });
    await c.waitFrame("ack", (f) => f.seq === seq);
    await waitFor(() => live.msgs.filter((m) => m.event === "output").length === seq, {
      what: "the reading viewer got everything",
      timeoutMs: 30_000,
    });
    expect(outputOf(live.msgs).length).toBe(seq * chunk.length);
    // what the stalled socket was sent ends with a close frame (0x88) carrying 4008
    const got: Buffer[] = [];
    sock.on("data", (d: Buffer) => got.push(d));
    sock.resume();
    await new Promise<void>((r) => sock.once("close", () => r()));
    const tail = Buffer.concat(got).subarray(-32);
    const at = tail.lastIndexOf(0x88);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(tail.readUInt16BE(at + 2)).toBe(4008);
    live.ws.close();
  } finally {
    SseClient.heartbeatMs = beat;
    c.ws.close();
  }
});
