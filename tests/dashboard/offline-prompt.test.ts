/**
 * A prompt whose terminal went offline: its card says so; tapping an answer on the phone says
 * plainly that nothing was sent (it used to say "Already answered elsewhere"), the prompt stays open
 * with its buttons usable, and once the wrapper reconnects the line goes and the same tap reaches it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { connectDevice, type DeviceClient } from "../support/device-client.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { launch, openPhone, type Phone } from "./browser.ts";

const SESSION = "0f1e2d3c-4b5a-4978-8697-a5b4c3d2e1f0";
const PROMPT = "toolu_offline_01";

let server: TestServer;
let creds: { deviceId: string; secret: string };
let device: DeviceClient;
let browser: Browser;
let phone: Phone;

const promptStatus = async () => ((await (await server.api(`/api/prompts/${PROMPT}`)).json()) as { status: string }).status;
const sessionStatus = async () => ((await (await server.api(`/api/sessions/${SESSION}`)).json()) as { status: string }).status;

beforeAll(async () => {
  server = await startTestServer();
  creds = await server.pairDevice("laptop");
  device = await connectDevice(server.url, creds);
  await device.openSession(SESSION, { name: "offline-session", hooks: true });
  device.sendJson({
    type: "prompt.open",
    sessionId: SESSION,
    promptId: PROMPT,
    tool: "Bash",
    input: { command: "make deploy", description: "deploy" },
    suggestions: [],
    at: Date.now(),
  });
  await waitFor(async () => (await promptStatus()) === "pending", { what: "the prompt stored" });
  device.ws.close();
  await device.closed;
  await waitFor(async () => (await sessionStatus()) === "disconnected", { what: "the session disconnected" });
  browser = await launch();
  phone = await openPhone(browser, server.url, server.token);
}, 60_000);

afterAll(async () => {
  device?.ws.close();
  await browser?.close();
  await server?.stop();
});

test("answering while the terminal is offline: told it was not sent, the prompt stays open, and the retry lands after reconnecting", async () => {
  const { page, errors } = phone;
  const card = page.locator(`.cards .card[data-id="${PROMPT}"]`);
  await card.waitFor({ timeout: 20_000 });
  // the card says the terminal is offline before anyone taps
  await waitFor(async () => (await card.locator(".status").innerText()).includes("terminal is offline"), {
    what: "the offline line on the card",
  });
  // the terminal's own options, numbered as it numbers them (built from the hook: the wrapper is offline)
  const yes = card.getByRole("button", { name: /^(1 ?)?Yes$/ });
  await yes.tap();
  const toast = page.locator("#toast");
  await waitFor(async () => /offline/.test(await toast.innerText()), { what: "the offline notice" });
  expect(await toast.innerText()).not.toContain("Already answered");
  expect(await promptStatus()).toBe("pending");
  await waitFor(() => yes.isEnabled(), { what: "the buttons usable again" });
  expect(await card.getAttribute("data-status")).toBe("pending");

  const back = await connectDevice(server.url, creds);
  device = back;
  await back.openSession(SESSION, { name: "offline-session", hooks: true });
  await waitFor(async () => (await card.locator(".status").innerText()) === "", {
    what: "the offline line gone once the terminal is back",
  });
  await yes.tap();
  const answer = await back.waitFrame("prompt.answer", (f) => f.promptId === PROMPT);
  expect(answer).toMatchObject({ sessionId: SESSION, promptId: PROMPT });
  await waitFor(async () => (await card.getAttribute("data-status")) === "approved", { what: "card approved" });
  expect(await promptStatus()).toBe("approved");
  expect(errors).toEqual([]);
}, 60_000);
