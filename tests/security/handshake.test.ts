/**
 * The device handshake: a real wrapper's hello, captured on the wire by a relay, cannot be replayed;
 * stale or future timestamps are refused; revoking a device closes it at once and refuses its next HMAC.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ServerWebSocket } from "bun";
import { HANDSHAKE_MAX_SKEW_MS } from "../../src/protocol/frames.ts";
import { BUN, CLI, type TestServer, sessions, startTestServer } from "../support/server.ts";
import { spawnInPty } from "../support/pty.ts";
import { waitFor } from "../support/wait.ts";
import { auditActions, helloFor, rawSocket } from "./support.ts";

let server: TestServer;
let device: { configDir: string; deviceId: string; secret: string };
beforeAll(async () => {
  server = await startTestServer();
  device = await server.pairDevice("laptop");
});
afterAll(() => server.stop());

/** A WebSocket relay between the wrapper and the server that records the wrapper's text frames. */
function startRelay(target: string) {
  const captured: string[] = [];
  type Data = { upstream: WebSocket | null; queue: (string | Uint8Array)[] };
  const relay = Bun.serve<Data>({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req, srv) {
      return srv.upgrade(req, { data: { upstream: null, queue: [] } }) ? undefined : new Response("no", { status: 400 });
    },
    websocket: {
      open(ws: ServerWebSocket<Data>) {
        const up = new WebSocket(target.replace("http", "ws") + "/ws");
        up.binaryType = "arraybuffer";
        up.onopen = () => {
          for (const m of ws.data.queue.splice(0)) up.send(m);
        };
        up.onmessage = (e) => ws.send(typeof e.data === "string" ? e.data : new Uint8Array(e.data as ArrayBuffer));
        up.onclose = (e) => ws.close(e.code === 1005 ? 1000 : e.code, e.reason);
        ws.data.upstream = up;
      },
      message(ws: ServerWebSocket<Data>, m) {
        if (typeof m === "string") captured.push(m);
        const up = ws.data.upstream!;
        if (up.readyState === WebSocket.OPEN) up.send(m);
        else ws.data.queue.push(m);
      },
      close(ws: ServerWebSocket<Data>) {
        ws.data.upstream?.close();
      },
    },
  });
  return { url: `http://127.0.0.1:${relay.port}`, captured, stop: () => relay.stop(true) };
}

test("a real wrapper's captured hello, replayed on a new connection, is refused", async () => {
  const relay = startRelay(server.url);
  try {
    const t = spawnInPty([BUN, CLI, "exec", "--name", "replay-victim", "--", "bash", "-c", "echo captured-session; sleep 0.5"], {
      env: { CLAUDE_REMOTE_CONFIG_DIR: device.configDir, CLAUDE_REMOTE_SERVER: relay.url },
    });
    expect(await t.exited).toBe(0);
    const s = await waitFor(async () => (await sessions(server)).find((x) => x.name === "replay-victim"), { what: "session via relay" });
    expect(s.name).toBe("replay-victim");
  } finally {
    relay.stop();
  }
  const hello = relay.captured.map((m) => JSON.parse(m)).find((f) => f.type === "hello");
  expect(hello).toBeTruthy();
  expect(hello.deviceId).toBe(device.deviceId);

  // 1. Sent as is on a fresh connection: the nonce belongs to the old connection.
  const a = rawSocket(server.url, () => JSON.stringify(hello));
  expect((await a.closed).code).toBe(4001);
  expect(a.received.map((f) => f.type)).toEqual(["challenge", "error"]);
  expect(a.received[1].message).toContain("nonce");

  // 2. With the new nonce pasted in: the signature covers the nonce, so it no longer verifies.
  const b = rawSocket(server.url, (c) => JSON.stringify({ ...hello, nonce: c.nonce }));
  expect((await b.closed).code).toBe(4001);
  expect(b.received[1].message).toContain("signature");

  // 3. The same captured frame on the connection that already authenticated is refused too.
  const c = rawSocket(server.url, (ch) => helloFor(device, ch.nonce));
  await c.waitFor("welcome");
  c.send(JSON.stringify(hello));
  await waitFor(() => c.received.find((f) => f.type === "error" && f.ref === "hello"), { what: "already-authenticated error" });
  c.ws.close();
});

test("a correctly signed hello with a stale or future timestamp is refused; a fresh one is welcomed", async () => {
  for (const skew of [-(HANDSHAKE_MAX_SKEW_MS + 5_000), HANDSHAKE_MAX_SKEW_MS + 5_000, -3_600_000]) {
    const s = rawSocket(server.url, (c) => helloFor(device, c.nonce, Date.now() + skew));
    expect((await s.closed).code).toBe(4001);
    expect(s.received[1].message).toContain("timestamp");
  }
  const ok = rawSocket(server.url, (c) => helloFor(device, c.nonce));
  const welcome = await ok.waitFor("welcome");
  expect(welcome.deviceId).toBe(device.deviceId);
  ok.ws.close();
});

test("a wrong secret, an unknown device or a binary first frame is refused", async () => {
  const wrong = rawSocket(server.url, (c) => helloFor({ deviceId: device.deviceId, secret: "not-the-secret" }, c.nonce));
  expect((await wrong.closed).code).toBe(4001);
  const unknown = rawSocket(server.url, (c) => helloFor({ deviceId: "dev_nobody", secret: device.secret }, c.nonce));
  expect((await unknown.closed).code).toBe(4001);
  const binary = rawSocket(server.url, () => null);
  await binary.waitFor("challenge");
  binary.send(new Uint8Array([1, 2, 3]));
  expect((await binary.closed).code).toBe(4001);
});

test("a cross-origin WebSocket upgrade is refused before any challenge", async () => {
  const s = rawSocket(server.url, (c) => helloFor(device, c.nonce), { Origin: "http://evil.example" });
  expect(await s.opened).toBe(false);
  expect(s.received).toEqual([]);
});

test("the device list shows name, host and last seen; revoking closes live connections at once and refuses the next HMAC", async () => {
  const d = await server.pairDevice("to-revoke");
  const t = spawnInPty([BUN, CLI, "exec", "--name", "revoked-session", "--", "bash", "-c", "echo up; sleep 30"], {
    env: { CLAUDE_REMOTE_CONFIG_DIR: d.configDir },
  });
  const live = await waitFor(async () => (await sessions(server)).find((x) => x.name === "revoked-session" && x.status === "running"), {
    what: "running session",
  });
  const raw = rawSocket(server.url, (c) => helloFor(d, c.nonce));
  await raw.waitFor("welcome");

  const list = (await (await server.api("/api/devices")).json()) as {
    id: string;
    name: string;
    host: string | null;
    lastSeenAt: number | null;
    online: boolean;
  }[];
  const entry = list.find((x) => x.id === d.deviceId)!;
  expect(entry.name).toBe("to-revoke");
  expect(entry.host).toBeTruthy();
  expect(Math.abs((entry.lastSeenAt ?? 0) - Date.now())).toBeLessThan(60_000);
  expect(entry.online).toBe(true);

  const res = await server.api(`/api/devices/${d.deviceId}`, { method: "DELETE", headers: { "User-Agent": "admin-phone/1" } });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { connectionsClosed: number }).connectionsClosed).toBe(2);
  expect((await raw.closed).code).toBe(4003);
  await waitFor(async () => (await sessions(server)).find((x) => x.id === live.id)?.status === "disconnected", {
    what: "session disconnected",
  });

  const again = rawSocket(server.url, (c) => helloFor(d, c.nonce));
  expect((await again.closed).code).toBe(4001);
  expect(again.received.some((f) => f.type === "welcome")).toBe(false);
  expect((await server.api(`/api/devices/${d.deviceId}`, { method: "DELETE" })).status).toBe(404);

  const after = (await (await server.api("/api/devices")).json()) as { id: string; revokedAt: number | null; online: boolean }[];
  expect(after.find((x) => x.id === d.deviceId)).toMatchObject({ online: false });
  expect(after.find((x) => x.id === d.deviceId)!.revokedAt).toBeGreaterThan(0);
  const audit = (await auditActions(server)).find((a) => a.action === "device.revoke" && a.target === d.deviceId)!;
  expect(audit).toMatchObject({ actor: "admin:token", userAgent: "admin-phone/1", ip: "127.0.0.1" });
  t.proc.kill("SIGKILL");
  await t.exited;
});
