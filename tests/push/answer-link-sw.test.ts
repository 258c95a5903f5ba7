/**
 * Real Chromium: the dashboard's service worker shows a question's answer links as notification
 * buttons, and its `notificationclick` with `event.action` POSTs the option to the link (no
 * cookie, no page key). The push payload is the one the server sent (decrypted by the test, which
 * plays the push service; a PushEvent dispatched in the worker runs its push handler with it).
 *
 * Limitation (honest): headless Chromium has no way to press a notification's button, so the test
 * dispatches a `notificationclick` NotificationEvent in the worker (playwright evaluates there).
 * Such an untrusted event refuses `waitUntil`, after the handler has started its work; the answer
 * it posts and the notification it shows afterwards are real.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type BrowserContext, chromium } from "playwright-core";
import { PushPayload } from "../../src/protocol/notify.ts";
import { type DeviceClient, connectDevice } from "../support/device-client.ts";
import { type TestServer, startTestServer, tempDir } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { type BrowserKeys, type Receiver, browserKeys, decryptPush, dashboardWorker, pushUntilShown, startReceiver } from "./support.ts";

let server: TestServer;
let context: BrowserContext;
let push: Receiver;
let keys: BrowserKeys;
let device: DeviceClient;
const SESSION = "sess-sw-answers-01";
const QUESTION = "Which colour should the button be?";

beforeAll(async () => {
  push = startReceiver(201);
  keys = browserKeys();
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  server = await startTestServer({ port, env: { PUBLIC_URL: `http://127.0.0.1:${port}` } });
  await server.api("/api/push/subscriptions", {
    method: "POST",
    body: JSON.stringify({ endpoint: `${push.url}/push/test`, expirationTime: null, keys: { p256dh: keys.p256dh, auth: keys.auth } }),
  });
  device = await connectDevice(server.url, await server.pairDevice());
  await device.openSession(SESSION, { name: "sw", hooks: true });
  context = await chromium.launchPersistentContext(tempDir("cr-chromium-"), {
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-component-update", "--disable-sync"],
    viewport: { width: 390, height: 844 },
  });
  await context.grantPermissions(["notifications"], { origin: server.url });
});
afterAll(async () => {
  await context?.close();
  device?.ws.close();
  await server?.stop();
  push?.stop();
});

type Shown = { title: string; body: string; tag: string; actions: { action: string; title: string }[] };

test("the service worker shows a question's choices as buttons; pressing one answers it and says so only once taken", async () => {
  device.sendJson({
    type: "prompt.open",
    sessionId: SESSION,
    promptId: "prm_sw_answer_01",
    tool: "AskUserQuestion",
    input: {
      questions: [{ question: QUESTION, header: "Colour", multiSelect: false, options: [{ label: "Crimson" }, { label: "Teal" }] }],
    },
    suggestions: [],
    at: Date.now(),
  });
  const payload = await waitFor(
    () =>
      push.received.map((r) => PushPayload.parse(JSON.parse(decryptPush(r.body, keys)))).find((p) => p.promptId === "prm_sw_answer_01") ??
      null,
    { what: "the question's push" },
  );
  expect(payload.answers?.map((a) => a.title)).toEqual(["Crimson", "Teal"]);

  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${server.url}/#token=${encodeURIComponent(server.token)}`);
  await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  const worker = await dashboardWorker(context);

  const shown = () =>
    page.evaluate(async () => {
      const r = await navigator.serviceWorker.ready;
      return (await r.getNotifications()).map((n) => ({
        title: n.title,
        body: n.body,
        tag: n.tag,
        actions: ((n as unknown as { actions?: { action: string; title: string }[] }).actions ?? []).map((a) => ({
          action: a.action,
          title: a.title,
        })),
      }));
    }) as Promise<Shown[]>;
  const first = await pushUntilShown(
    worker,
    JSON.stringify(payload),
    async () => (await shown()).find((n) => n.tag === payload.tag),
    "the question's notification",
  );
  expect(first.actions).toEqual([
    { action: "answer:1", title: "Crimson" },
    { action: "answer:2", title: "Teal" },
  ]);

  // Press "Teal" in the worker: its notificationclick handler posts to the answer link.
  await worker.evaluate(async (tag: string) => {
    const sw = self as unknown as { registration: ServiceWorkerRegistration; dispatchEvent(e: Event): boolean };
    const [n] = (await sw.registration.getNotifications()).filter((x) => x.tag === tag);
    const Ev = (self as unknown as { NotificationEvent: new (t: string, i: object) => Event }).NotificationEvent;
    sw.dispatchEvent(new Ev("notificationclick", { notification: n, action: "answer:2" }));
  }, payload.tag);
  const answer = await device.waitFrame("prompt.answer", (f) => f.promptId === "prm_sw_answer_01");
  expect(answer.answers).toEqual({ [QUESTION]: "Teal" });
  // Nothing says "answered" before the agent took it.
  expect((await shown()).some((n) => n.title.startsWith("Answered"))).toBe(false);
  device.sendJson({ type: "prompt.taken", sessionId: SESSION, promptId: "prm_sw_answer_01", reason: "PostToolUse", at: Date.now() });
  const after = await waitFor(async () => (await shown()).find((n) => n.tag === payload.tag && n.title === "Answered: Teal"), {
    what: "the worker's Answered notification",
    timeoutMs: 30_000,
  });
  expect(after.actions).toEqual([]);
  const p = (await (await server.api("/api/prompts/prm_sw_answer_01")).json()) as { status: string; resolvedBy: string };
  expect(p.status).toBe("approved");
  expect(p.resolvedBy).toStartWith("answer-link:");
  expect(errors).toEqual([]);
  await page.close();
}, 60_000);
