/**
 * Notifications never sit on the session path: with every channel's endpoint hanging or failing
 * and the queues full, a wrapped session's output still reaches the server and input still
 * reaches the session.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { BUN, CLI, type TestServer, sessions, startTestServer, storedOutput } from "../support/server.ts";
import { spawnInPty } from "../support/pty.ts";
import { waitFor } from "../support/wait.ts";
import { type Receiver, browserKeys, startReceiver } from "./support.ts";

let server: TestServer;
let hang: Receiver;
let fail: Receiver;

beforeAll(async () => {
  hang = startReceiver("hang");
  fail = startReceiver(500);
  server = await startTestServer({
    env: { CLAUDE_REMOTE_NTFY_URL: `${hang.url}/ntfy/topic`, CLAUDE_REMOTE_WEBHOOK_URL: `${fail.url}/hook` },
  });
  const k = browserKeys();
  const res = await server.api("/api/push/subscriptions", {
    method: "POST",
    body: JSON.stringify({ endpoint: `${hang.url}/push/slow`, keys: { p256dh: k.p256dh, auth: k.auth } }),
  });
  expect(res.status).toBe(201);
});
afterAll(async () => {
  await server.stop();
  hang.stop();
  fail.stop();
});

test("a hanging push service and a failing webhook do not hold up a session's output or input", async () => {
  // Fill the queues: every notice goes to a push service that never answers.
  for (let i = 0; i < 40; i++)
    server.app.events.publish("notice", {
      sessionId: `flood-session-${i}`,
      kind: "waiting",
      message: "Claude is waiting for your input",
      at: Date.now(),
    });
  await waitFor(() => hang.received.filter((r) => r.path === "/push/slow").length >= 4 && hang.received.some((r) => r.path === "/ntfy"), {
    what: "sends hanging at the push service and ntfy",
  });
  await waitFor(() => server.app.notifier.counters().webhook.retried >= 1, { what: "the failing webhook to be retried" });

  const dev = await server.pairDevice();
  const t = spawnInPty(
    [
      BUN,
      CLI,
      "exec",
      "--name",
      "while-hanging",
      "--",
      "bash",
      "-c",
      "for i in $(seq 1 50); do echo out-$i; done; read reply; echo got-$reply",
    ],
    {
      env: { CLAUDE_REMOTE_CONFIG_DIR: dev.configDir },
    },
  );
  const s = await waitFor(async () => (await sessions(server)).find((x) => x.name === "while-hanging"), { what: "the session" });
  await waitFor(async () => (await storedOutput(server, s.id)).toString().includes("out-50"), { what: "output stored while pushes hang" });
  const res = await server.api(`/api/sessions/${s.id}/input`, { method: "POST", body: JSON.stringify({ text: "pong\r" }) });
  expect(res.status).toBe(200);
  await waitFor(() => t.text().includes("got-pong"), { what: "input round trip while pushes hang" });
  expect(await t.exited).toBe(0);
  await waitFor(async () => (await storedOutput(server, s.id)).toString().includes("got-pong"), { what: "the tail stored" });

  // The sends were really stuck all along: nothing came back from the hanging endpoint.
  const status = server.app.notifier.status();
  expect(status.inFlight).toBeGreaterThan(0);
  expect(status.queued).toBeGreaterThan(0);
  expect(server.app.notifier.counters().webpush.sent).toBe(0);
  expect(server.app.notifier.counters().ntfy.sent).toBe(0);
}, 60_000);
