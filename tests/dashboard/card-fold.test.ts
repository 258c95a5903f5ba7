/**
 * Cards at the narrowest phone width (360 px), with the real Claude Code through claude-remote
 * against the fake Messages API: nothing on a pending card overflows (tell-Claude box open too, every
 * option as wide as the others), and once answered the card folds to one line.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, Locator } from "playwright-core";
import { DEFAULT_SCENARIOS } from "../support/fake-anthropic.ts";
import { waitFor } from "../support/wait.ts";
import { type ClaudeSession, type Env, startClaude, startEnv } from "../prompts/support.ts";
import { launch, openPhone, type Phone, screenshot } from "./browser.ts";

let env: Env;
let browser: Browser;
let phone: Phone;
let claude: ClaudeSession;

beforeAll(async () => {
  env = await startEnv(DEFAULT_SCENARIOS);
  claude = await startClaude(env);
  browser = await launch();
  phone = await openPhone(browser, env.server.url, env.server.token, { width: 360 });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await claude?.stop();
  await env?.stop();
});

/** Elements inside `card` that stick out of it, and the page's own sideways overflow. */
function overflow(card: Locator) {
  return card.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const out = Array.from(el.querySelectorAll("*"))
      .filter((c) => (c as HTMLElement).offsetParent !== null)
      .filter((c) => {
        const r = c.getBoundingClientRect();
        return r.right > box.right + 0.5 || r.left < box.left - 0.5;
      })
      .map((c) => `${c.tagName}.${c.className}`);
    return { out, page: document.documentElement.scrollWidth - document.documentElement.clientWidth, right: box.right, width: innerWidth };
  });
}

test("at 360 px a pending card fits; its options are equally wide; answered, it folds to one line", async () => {
  const { page } = phone;
  await page.goto(`${env.server.url}/#/s/${claude.sessionId}`);
  await page.waitForSelector(".view[data-ready]");
  await claude.submit("scenario bash-echo please");
  const card = page.locator(".scards .card").first();
  await card.waitFor({ timeout: 20_000 });
  await waitFor(async () => (await card.locator(".opts .btn").count()) >= 3, { what: "the dialog's options on the card" });
  let m = await overflow(card);
  expect(m.out).toEqual([]);
  expect(m.page).toBeLessThanOrEqual(0);
  expect(m.right).toBeLessThanOrEqual(m.width);
  const widths = await card
    .locator(".opts > .btn, .opts > div > .btn")
    .evaluateAll((bs) => bs.map((b) => Math.round(b.getBoundingClientRect().width)));
  expect(new Set(widths).size).toBe(1);

  await card
    .getByRole("button", { name: /tell Claude/i })
    .first()
    .click();
  await card.getByLabel("message for Claude").waitFor();
  m = await overflow(card);
  expect(m.out).toEqual([]);
  // one Send on the screen: the card's button says what it does
  expect(await page.getByRole("button", { name: "Send", exact: true }).count()).toBe(0);
  await screenshot(page, "card-360.png");

  const before = (await card.boundingBox())!.height;
  await card.getByRole("button", { name: /^1?\s*Yes$/ }).click();
  await waitFor(async () => (await card.getAttribute("data-status")) === "approved", { what: "approved" });
  await waitFor(async () => (await card.getAttribute("class"))?.includes("folded"), { what: "the card folded" });
  const folded = (await card.boundingBox())!;
  const line = await card.locator(".status").evaluate((s) => parseFloat(getComputedStyle(s).lineHeight) || 20);
  expect(folded.height).toBeLessThan(line * 2 + 16); // one line plus its padding
  expect(folded.height).toBeLessThan(before / 3);
  expect(await card.innerText()).toContain("Approved");
  expect((await overflow(card)).out).toEqual([]);
  await screenshot(page, "card-folded-360.png");
}, 60_000);
