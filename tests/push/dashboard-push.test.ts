/**
 * Real Chromium: the dashboard's service worker carries the push handlers, the notifications
 * permission is granted, and "Enable notifications" asks the server for the VAPID key and the
 * browser's push manager for a subscription.
 *
 * Limitation (honest): headless Chromium cannot complete `pushManager.subscribe()` here. In an
 * incognito context it fails at once ("Registration failed - permission denied"); with a real
 * profile it waits forever for Google's push service (FCM), which this offline machine cannot
 * reach. So no real browser subscription reaches the server in this test; the subscription POST
 * is covered by webpush.test.ts with the test playing the browser. What is real here: SW
 * registration, the permission, the key fetch, the subscribe attempt, and the SW's `push`
 * handler (a PushEvent dispatched in the worker, as a delivery would run it, shows the
 * notification, with Approve/Deny, and a resolved prompt replaces it under the same tag).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type BrowserContext, chromium } from "playwright-core";
import type { PushPayload } from "../../src/protocol/notify.ts";
import { type TestServer, startTestServer, tempDir } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { dashboardWorker, pushUntilShown } from "./support.ts";

let server: TestServer;
let context: BrowserContext;

beforeAll(async () => {
  server = await startTestServer();
  // A persistent profile: Chromium refuses push outright in incognito contexts.
  context = await chromium.launchPersistentContext(tempDir("cr-chromium-"), {
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 390, height: 844 },
  });
  await context.grantPermissions(["notifications"], { origin: server.url });
});
afterAll(async () => {
  await context?.close();
  await server?.stop();
});

type Shown = { title: string; body: string; tag: string; actions: string[] };

test("the dashboard's service worker shows pushes, and Enable notifications asks for a subscription", async () => {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${server.url}/#token=${encodeURIComponent(server.token)}`);
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  expect(scope).toBe(`${server.url}/`);

  await page.goto(`${server.url}/#/devices`);
  const toggle = page.locator("#push-toggle");
  await waitFor(async () => (await toggle.textContent()) === "Enable notifications", { what: "the notifications switch" });
  expect(await page.evaluate(() => Notification.permission)).toBe("granted");

  const keyResponse = page.waitForResponse((r) => r.url() === `${server.url}/api/push/key`);
  await toggle.click();
  const key = (await (await keyResponse).json()) as { publicKey: string };
  expect(key.publicKey).toBe(server.app.notifier.publicKey);

  // The SW's push handler, fed inside the worker (the push service itself is out of reach offline).
  const worker = await dashboardWorker(context);
  const prompt: PushPayload = {
    kind: "prompt",
    title: "build: allow Bash?",
    body: "make test",
    tag: "prompt-prm_chromium_01",
    promptId: "prm_chromium_01",
    sessionId: "sess-chromium-01",
    url: `${server.url}/#/s/sess-chromium-01`,
    ts: Date.now(),
    actions: [
      { action: "approve", title: "Approve" },
      { action: "deny", title: "Deny" },
    ],
  };
  const shown = () =>
    page.evaluate(async () => {
      const r = await navigator.serviceWorker.ready;
      return (await r.getNotifications()).map((n) => ({
        title: n.title,
        body: n.body,
        tag: n.tag,
        actions: ((n as unknown as { actions?: { action: string }[] }).actions ?? []).map((a) => a.action),
      }));
    }) as Promise<Shown[]>;
  const first = await pushUntilShown(
    worker,
    JSON.stringify(prompt),
    async () => (await shown()).find((n) => n.tag === prompt.tag),
    "the prompt notification",
  );
  expect(first).toEqual({ title: prompt.title, body: prompt.body, tag: prompt.tag, actions: ["approve", "deny"] });

  const resolved: PushPayload = { ...prompt, kind: "resolved", title: "build: Bash approved", actions: [] };
  await pushUntilShown(
    worker,
    JSON.stringify(resolved),
    async () => {
      const list = (await shown()).filter((n) => n.tag === prompt.tag);
      return list.length === 1 && list[0].title === resolved.title && list[0].actions.length === 0 ? list : undefined;
    },
    "the resolved notification replacing the prompt's",
  );
  expect(errors).toEqual([]);
  await page.close();
}, 60_000);
