/**
 * Web Push end to end: the server encrypts and signs; the test plays the push service (a local
 * receiver the subscription's endpoint points at) and the browser (decrypts with its own keys).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { PushPayload } from "../../src/protocol/notify.ts";
import type { Prompt } from "../../src/protocol/prompts.ts";
import { BUN, CLI, type TestServer, sessions, startTestServer } from "../support/server.ts";
import { spawnInPty } from "../support/pty.ts";
import { waitFor } from "../support/wait.ts";
import { type BrowserKeys, type Receiver, browserKeys, decryptPush, startReceiver, verifyVapid } from "./support.ts";

let server: TestServer;
let push: Receiver;
let keys: BrowserKeys;
let publicKey: string;

beforeAll(async () => {
  server = await startTestServer();
  push = startReceiver(201);
  keys = browserKeys();
  publicKey = ((await (await server.api("/api/push/key")).json()) as { publicKey: string }).publicKey;
});
afterAll(async () => {
  push.stop();
  await server.stop();
});

const subscribe = (endpoint: string, k = keys) =>
  server.api("/api/push/subscriptions", {
    method: "POST",
    body: JSON.stringify({ endpoint, expirationTime: null, keys: { p256dh: k.p256dh, auth: k.auth } }),
  });

async function nextPush(after: number, path: string) {
  const r = await waitFor(() => push.received.slice(after).find((x) => x.path === path), { what: `a push to ${path}` });
  return { req: r, payload: PushPayload.parse(JSON.parse(decryptPush(r.body, keys))) };
}

test("VAPID key: generated once, kept 0600 in the data dir, the same after a restart", async () => {
  expect(publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
  const file = join(server.dataDir, "vapid.json");
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const again = await startTestServer({ dataDir: server.dataDir });
  try {
    expect(((await (await again.api("/api/push/key")).json()) as { publicKey: string }).publicKey).toBe(publicKey);
  } finally {
    await again.stop();
  }
});

test("a bad subscription is refused with a clear error and nothing is stored", async () => {
  for (const body of [
    {},
    { endpoint: "not a url", keys: { p256dh: keys.p256dh, auth: keys.auth } },
    { endpoint: `${push.url}/x`, keys: { p256dh: "short", auth: keys.auth } },
    { endpoint: "ftp://x/y", keys: { p256dh: keys.p256dh, auth: keys.auth } },
  ]) {
    const res = await server.api("/api/push/subscriptions", { method: "POST", body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toBeTruthy();
  }
  expect(await (await server.api("/api/push/subscriptions")).json()).toEqual([]);
});

test("a session that exits is pushed: decrypted payload, VAPID JWT verified against the public key", async () => {
  expect((await subscribe(`${push.url}/push/browser-1`)).status).toBe(201);
  const dev = await server.pairDevice();
  const before = push.received.length;
  const t = spawnInPty([BUN, CLI, "exec", "--name", "pushed-exit", "--", "bash", "-c", "echo hello; exit 7"], {
    env: { CLAUDE_REMOTE_CONFIG_DIR: dev.configDir },
  });
  expect(await t.exited).toBe(7);
  const s = await waitFor(async () => (await sessions(server)).find((x) => x.name === "pushed-exit" && x.status === "exited"));
  const { req, payload } = await nextPush(before, "/push/browser-1");
  expect(req.headers.get("content-encoding")).toBe("aes128gcm");
  expect(Number(req.headers.get("ttl"))).toBeGreaterThan(0);
  await verifyVapid(req.headers.get("authorization"), publicKey, push.url);
  expect(payload).toMatchObject({
    kind: "exit",
    sessionId: s.id,
    title: "pushed-exit exited",
    body: "exit code 7",
    tag: `exit-${s.id}`,
    actions: [],
  });
  expect(payload.url).toBe(`${server.url}/#/s/${s.id}`);
});

test("a prompt is pushed with Approve/Deny and its tag; its resolution replaces it under the same tag", async () => {
  const before = push.received.length;
  const prompt = {
    id: "prm_webpush_0001",
    sessionId: "sess-webpush-01",
    tool: "Bash",
    input: { command: "rm -rf build && make" },
    status: "pending",
  } as unknown as Prompt;
  server.app.events.publish("prompt", { prompt, change: "created" });
  const first = await nextPush(before, "/push/browser-1");
  expect(first.payload).toMatchObject({
    kind: "prompt",
    promptId: prompt.id,
    sessionId: prompt.sessionId,
    tag: `prompt-${prompt.id}`,
    body: "rm -rf build && make",
    actions: [
      { action: "approve", title: "Approve" },
      { action: "deny", title: "Deny" },
    ],
  });
  expect(first.req.headers.get("urgency")).toBe("high");
  const topic = first.req.headers.get("topic");
  expect(topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);

  // The same prompt again (e.g. an update event) does not notify twice.
  server.app.events.publish("prompt", { prompt, change: "updated" });
  const mid = push.received.length;
  server.app.events.publish("prompt", { prompt: { ...prompt, status: "approved" }, change: "resolved" });
  const second = await nextPush(mid, "/push/browser-1");
  expect(second.payload).toMatchObject({ kind: "resolved", promptId: prompt.id, tag: `prompt-${prompt.id}`, actions: [] });
  expect(second.payload.title).toContain("approved");
  expect(second.req.headers.get("topic")).toBe(topic);
  expect(push.received.slice(before).filter((r) => r.path === "/push/browser-1").length).toBe(2);
});

test("a subscription the push service calls gone (410) is removed, and the failure is listed", async () => {
  const gone = startReceiver(410);
  try {
    const other = browserKeys();
    expect((await subscribe(`${gone.url}/push/old-browser`, other)).status).toBe(201);
    expect(((await (await server.api("/api/push/subscriptions")).json()) as unknown[]).length).toBe(2);
    server.app.events.publish("notice", {
      sessionId: "sess-gone-0001",
      kind: "waiting",
      message: "Claude is waiting for your input",
      at: Date.now(),
    });
    await waitFor(() => gone.received.length === 1, { what: "the push to the gone endpoint" });
    const subs = await waitFor(
      async () => {
        const list = (await (await server.api("/api/push/subscriptions")).json()) as { endpoint: string }[];
        return list.length === 1 ? list : null;
      },
      { what: "the gone subscription to be removed" },
    );
    expect(subs[0].endpoint).toBe(`${push.url}/push/browser-1`);
    const status = (await (await server.api("/api/notify/status")).json()) as {
      recentFailures: { channel: string; error: string; target: string }[];
      subscriptions: number;
    };
    expect(status.subscriptions).toBe(1);
    expect(status.recentFailures[0]).toMatchObject({ channel: "webpush", target: `${gone.url}/push/old-browser` });
    expect(status.recentFailures[0].error).toContain("410");
    // The live browser still got the waiting notice.
    await waitFor(() => push.received.some((r) => PushPayload.parse(JSON.parse(decryptPush(r.body, keys))).kind === "waiting"));
  } finally {
    gone.stop();
  }
});

test("DELETE /api/push/subscriptions unsubscribes a browser", async () => {
  const res = await server.api("/api/push/subscriptions", {
    method: "DELETE",
    body: JSON.stringify({ endpoint: `${push.url}/push/browser-1` }),
  });
  expect(res.status).toBe(200);
  expect(await (await server.api("/api/push/subscriptions")).json()).toEqual([]);
  expect(
    (await server.api("/api/push/subscriptions", { method: "DELETE", body: JSON.stringify({ endpoint: `${push.url}/push/browser-1` }) }))
      .status,
  ).toBe(404);
});
