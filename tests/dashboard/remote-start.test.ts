/**
 * In real Chromium: New session (machine, folder, agent, mode, first message) → the live screen of
 * the started Claude Code session; Stop → ended; Resume → the same conversation in a new session; a refused folder shows the daemon's reason.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { waitFor } from "../support/wait.ts";
import { type RemoteEnv, startRemoteEnv } from "../remote/support.ts";
import { launch, openPhone, type Phone, screenshot, screenText } from "./browser.ts";

let env: RemoteEnv;
let browser: Browser;
let phone: Phone;
beforeAll(async () => {
  env = await startRemoteEnv({});
  await env.startDaemon();
  browser = await launch();
  phone = await openPhone(browser, env.server.url, env.server.token);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

test("New session opens the live screen of the started session; Stop ends it", async () => {
  const { page } = phone;
  await page.waitForSelector("#tabs a[data-tab=new]");
  await page.click("#tabs a[data-tab=new]");
  await page.waitForSelector("form.newsession select[name=preset] option", { state: "attached" });
  expect(await page.$eval("select[name=folder]", (s) => (s as HTMLSelectElement).value)).toBe(env.project);
  await page.selectOption("select[name=mode]", "manual");
  await page.fill("textarea[name=message]", "hello from the train");
  await page.click("form.newsession button[type=submit]");
  await page.waitForURL(/#\/s\//, { timeout: 30_000 });
  const id = decodeURIComponent(page.url().split("#/s/")[1]);
  await waitFor(async () => (await screenText(page)).some((l) => l.includes("hello from the train")), {
    timeoutMs: 30_000,
    what: "the first message on the phone's live screen",
  });
  await waitFor(() => env.fake.requests.some((r) => JSON.stringify(r.messages ?? []).includes("hello from the train")), {
    timeoutMs: 30_000,
    what: "the first message at the model",
  });
  await screenshot(page, "remote-start.png");

  const stop = page.locator(".shead .actions button", { hasText: "Stop" });
  await stop.waitFor({ state: "visible", timeout: 15_000 });
  await stop.click();
  await waitFor(async () => (await env.get(`/api/sessions/${id}`)).status === "exited", { timeoutMs: 30_000, what: "the session exited" });
  await page.locator(".shead .pill", { hasText: "finished" }).waitFor({ timeout: 15_000 });
  const resume = page.locator(".shead .actions button", { hasText: "Resume" });
  await resume.waitFor({ state: "visible", timeout: 15_000 });
  await resume.click();
  await page.waitForURL((u) => u.hash.startsWith("#/s/") && !u.hash.includes(id), { timeout: 30_000 });
  const resumed = decodeURIComponent(page.url().split("#/s/")[1]);
  expect((await env.get(`/api/sessions/${resumed}`)).command).toContain("--resume");
  await waitFor(async () => (await screenText(page)).some((l) => l.includes("hello from the train")), {
    timeoutMs: 30_000,
    what: "the resumed conversation on the phone",
  });
  expect(phone.errors).toEqual([]);
});

test("a refused start shows the daemon's reason, naming the allowed folders", async () => {
  const { page } = phone;
  await page.goto(`${env.server.url}/#/new`);
  await page.waitForSelector("form.newsession select[name=preset] option", { state: "attached" });
  await page.fill("input[name=sub]", "../..");
  await page.click("form.newsession button[type=submit]");
  const err = page.locator("form.newsession .error");
  await err.waitFor({ state: "visible", timeout: 15_000 });
  expect(await err.textContent()).toContain(`allowed folders are: ${env.project}`);
});
