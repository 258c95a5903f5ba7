/**
 * The server's side of the daemon protocol with raw device sockets: bad daemon frames get an error
 * frame and change nothing; a device cannot answer another device's request; a newer daemon
 * replaces an older one (4010); a daemon leaving mid-request makes the start 409, not a hang.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { connectDevice, type DeviceClient } from "../support/device-client.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

let server: TestServer;
let a: { deviceId: string; secret: string };
let b: { deviceId: string; secret: string };
beforeAll(async () => {
  server = await startTestServer();
  a = await server.pairDevice("a");
  b = await server.pairDevice("b");
});
afterAll(() => server?.stop());

const hello = {
  type: "daemon.hello",
  v: 1,
  folders: ["/srv/p"],
  presets: [{ name: "claude", agent: "claude", modes: ["manual"], resumable: true }],
  sessions: [],
};

async function daemon(creds: { deviceId: string; secret: string }): Promise<DeviceClient> {
  const c = await connectDevice(server.url, creds);
  await c.waitFrame("welcome");
  c.sendJson(hello);
  await waitFor(
    async () =>
      ((await (await server.api("/api/daemons")).json()) as { deviceId: string }[]).some((d) => d.deviceId === creds.deviceId && true),
    { what: "the daemon listed" },
  );
  return c;
}

const start = (deviceId: string) =>
  server.api("/api/sessions", { method: "POST", body: JSON.stringify({ deviceId, folder: "/srv/p", message: "hi" }) });

test("bad daemon frames are refused with an error frame; the connection and the daemon stay", async () => {
  const c = await daemon(a);
  const before = c.frames.length;
  c.sendJson({ type: "daemon.hello", v: 2, folders: [], presets: [], sessions: [] });
  c.sendJson({ type: "daemon.result", requestId: "short", ok: true });
  c.sendJson({ type: "daemon.result", requestId: "abcdefgh-not-asked", ok: true, sessionId: "aaaaaaaa-1111" });
  c.sendJson({ type: "daemon.sessions", sessions: [{ sessionId: "x" }] });
  c.sendJson({ type: "session.attach", sessionId: "aaaaaaaa-2222", event: "attach", who: "me", at: 1 });
  const errors = await waitFor(
    () => {
      const e = c.frames.slice(before).filter((f) => f.type === "error");
      return e.length === 5 ? e : null;
    },
    { what: "five error frames" },
  );
  expect(errors.map((e) => (e as { code: string }).code)).toEqual(["bad_frame", "bad_frame", "bad_daemon_frame", "bad_frame", "forbidden"]);
  const [listed] = (await (await server.api("/api/daemons")).json()) as { folders: string[] }[];
  expect(listed.folders).toEqual(["/srv/p"]);
  c.ws.close();
});

test("a device cannot answer another device's start; the real answer still counts", async () => {
  const da = await daemon(a);
  const db = await daemon(b);
  const pending = start(a.deviceId);
  const req = (await da.waitFrame("daemon.start")) as { requestId: string; folder: string; by: string };
  expect(req.folder).toBe("/srv/p");
  expect(req.by).toStartWith("admin:token@");
  db.sendJson({ type: "daemon.result", requestId: req.requestId, ok: false, code: "folder_not_allowed", message: "forged" });
  await db.waitFrame("error", (f) => f.code === "bad_daemon_frame");
  da.sendJson({ type: "daemon.result", requestId: req.requestId, ok: false, code: "busy", message: "the real one" });
  const res = await pending;
  expect(res.status).toBe(403);
  expect(await res.json()).toEqual({ error: "busy", detail: "the real one" });
  da.ws.close();
  db.ws.close();
});

test("a newer daemon replaces the older (4010); one leaving mid-request answers 409", async () => {
  const old = await daemon(a);
  const fresh = await daemon(a);
  expect((await old.closed).code).toBe(4010);
  const pending = start(a.deviceId);
  await fresh.waitFrame("daemon.start");
  fresh.ws.close();
  const res = await pending;
  expect(res.status).toBe(409);
  expect(((await res.json()) as { error: string }).error).toBe("daemon_offline");
});
