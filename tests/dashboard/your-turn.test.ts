/**
 * The real Claude Code through claude-remote, against the fake Messages API, watched from a phone
 * (real Chromium, 390 px): a session whose turn ended (Stop hook) or that was interrupted at the
 * terminal shows "your turn" in the list and the header; two sessions in one folder have different
 * names; rename, archive and delete work from the phone (delete removes the stored output, audited).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { realpathSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { Browser } from "playwright-core";
import { turnOf } from "../../src/store/sessions.ts";
import { DEFAULT_SCENARIOS } from "../support/fake-anthropic.ts";
import { storedOutput } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { auditActions } from "../security/support.ts";
import { type ClaudeSession, type Env, startClaude, startEnv } from "../prompts/support.ts";
import { launch, openPhone, type Phone, screenshot } from "./browser.ts";

let env: Env;
let browser: Browser;
let phone: Phone;
let a: ClaudeSession;
let b: ClaudeSession;
const folder = realpathSync(mkdtempSync(join(tmpdir(), "cr-shop-api-")));

beforeAll(async () => {
  Bun.spawnSync(["git", "init", "-q"], { cwd: folder });
  env = await startEnv(DEFAULT_SCENARIOS);
  a = await startClaude(env, { cwd: folder });
  b = await startClaude(env, { cwd: folder, skip: [a.sessionId] });
  browser = await launch();
  phone = await openPhone(browser, env.server.url, env.server.token);
  await phone.page.waitForSelector(".srow");
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await a?.stop();
  await b?.stop();
  await env?.stop();
});

const session = async (id: string) => (await (await env.server.api(`/api/sessions/${id}`)).json()) as any;

/** Page time at which the list row of `id` first said "your turn" after `armed` (a MutationObserver in the page). */
async function armTurnWatch(id: string): Promise<void> {
  await phone.page.evaluate((id) => {
    const w = window as any;
    w.__turnSeen = 0;
    const check = () => {
      const row = document.querySelector(`.srow[data-id="${id}"] .pill`);
      if (!w.__turnSeen && row && row.textContent === "your turn") w.__turnSeen = Date.now();
    };
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, id);
}

test("turnOf: a pending prompt or a finished / waiting / interrupted turn is the user's; working is the agent's; ended is nobody's", () => {
  const n = (kind: any) => ({ kind, message: "", at: 1 });
  expect(turnOf("running", 0, n("done"))).toBe("user");
  expect(turnOf("running", 0, n("waiting"))).toBe("user");
  expect(turnOf("running", 0, n("interrupted"))).toBe("user");
  expect(turnOf("running", 0, n("working"))).toBe("agent");
  expect(turnOf("running", 0, n("permission"))).toBe("agent"); // the prompt was answered: Claude goes on
  expect(turnOf("waiting", 1, n("permission"))).toBe("user");
  expect(turnOf("running", 0, null)).toBeNull();
  expect(turnOf("exited", 0, n("done"))).toBeNull();
  expect(turnOf("disconnected", 0, n("done"))).toBeNull();
});

test("after the Stop hook the list and the header say 'your turn'; two sessions of one folder are told apart by their first prompt", async () => {
  const { page } = phone;
  await armTurnWatch(a.sessionId);
  const since = await a.submit("explain the cart module");
  await a.turnDone(since);
  const stopAt = (await session(a.sessionId)).notice.at;
  const rowA = page.locator(`.srow[data-id="${a.sessionId}"]`);
  await waitFor(async () => (await rowA.locator(".pill").innerText()) === "your turn", { what: "'your turn' in the list" });
  const seenAt = await page.evaluate(() => (window as any).__turnSeen as number);
  console.log(`your turn shown ${seenAt - stopAt} ms after the server took the Stop notice`);
  expect((await session(a.sessionId)).turn).toBe("user");

  await b.submit("scenario none: fix the checkout tests");
  await b.turnDone(0);
  const row = (s: ClaudeSession) => page.locator(`.srow[data-id="${s.sessionId}"]`);
  await waitFor(async () => (await row(b).locator(".title").count()) === 1, { what: "b's title in the list" });
  const names = await Promise.all(
    [a, b].map(async (s) => [await row(s).locator(".name").innerText(), await row(s).locator(".title").innerText()]),
  );
  expect(names[0]).toEqual([basename(folder), "explain the cart module"]);
  expect(names[1]).toEqual([basename(folder), "scenario none: fix the checkout tests"]);
  await screenshot(page, "sessions-your-turn.png");

  await page.locator(`.srow[data-id="${a.sessionId}"]`).click();
  await page.waitForSelector(".view[data-ready]");
  expect(await page.locator(".shead .pill").innerText()).toBe("your turn");
  expect(await page.locator(".shead .name").innerText()).toBe(`${basename(folder)} · explain the cart module`);
  await screenshot(page, "session-your-turn.png");
}, 60_000);

test("a turn interrupted at the terminal (Esc on the permission dialog, no Stop hook) is the user's turn too", async () => {
  await phone.page.goto(`${env.server.url}/#/`);
  const since = await b.submit("scenario bash-echo now");
  const p = await b.prompt(since);
  await waitFor(async () => (await session(b.sessionId)).status === "waiting", { what: "the session waiting on the prompt" });
  await waitFor(async () => (await phone.page.locator(`.srow[data-id="${b.sessionId}"] .pill`).innerText()) === "your turn · asks you", {
    what: "'asks you' in the list",
  });
  await b.answerAtTerminal("\x1b");
  await b.waitStatus(p.id, "answered-locally");
  await waitFor(async () => (await session(b.sessionId)).notice?.kind === "interrupted", { what: "the interrupted notice" });
  await waitFor(async () => (await phone.page.locator(`.srow[data-id="${b.sessionId}"] .pill`).innerText()) === "your turn", {
    what: "'your turn' after the interrupt",
  });
}, 60_000);

test("rename and archive from the phone; delete removes the session and its stored output, audited", async () => {
  const { page } = phone;
  page.on("dialog", (d) => void d.accept());
  await page.goto(`${env.server.url}/#/s/${a.sessionId}`);
  await page.waitForSelector(".view[data-ready]");
  await page.getByRole("button", { name: "session actions" }).click();
  await page.getByLabel("session name").fill("cart explainer");
  await page.getByRole("button", { name: "Rename" }).click();
  await waitFor(async () => (await session(a.sessionId)).name === "cart explainer", { what: "the new name stored" });
  await waitFor(async () => (await page.locator(".shead .name").innerText()).startsWith("cart explainer"), {
    what: "the new name in the header",
  });

  await page.getByRole("button", { name: "Archive" }).click();
  await page.waitForURL(/#\/$/);
  await waitFor(async () => (await session(a.sessionId)).archivedAt > 0, { what: "archived" });
  await waitFor(async () => (await page.locator(`.sessions:not([aria-label]) .srow[data-id="${a.sessionId}"]`).count()) === 0, {
    what: "the archived session out of the list",
  });
  expect(await page.getByRole("button", { name: "Archived (1)" }).isVisible()).toBe(true);

  // a live session cannot be deleted (its wrapper would bring it back): end it first
  expect((await env.server.api(`/api/sessions/${b.sessionId}`, { method: "DELETE" })).status).toBe(409);
  expect((await storedOutput(env.server, b.sessionId)).length).toBeGreaterThan(0);
  await b.stop();
  await waitFor(async () => (await session(b.sessionId)).status !== "running" && (await session(b.sessionId)).status !== "waiting", {
    what: "b no longer connected",
  });
  await page.goto(`${env.server.url}/#/s/${b.sessionId}`);
  await page.waitForSelector(".view[data-ready]");
  await page.getByRole("button", { name: "session actions" }).click();
  await page.getByRole("button", { name: "Delete…" }).click();
  await page.waitForURL(/#\/$/);
  expect((await env.server.api(`/api/sessions/${b.sessionId}`)).status).toBe(404);
  const left = env.server.app.store.db
    .query("SELECT (SELECT COUNT(*) FROM output WHERE session_id = ?1) + (SELECT COUNT(*) FROM prompts WHERE session_id = ?1) AS n")
    .get(b.sessionId) as { n: number };
  expect(left.n).toBe(0);
  expect(await page.locator(`.srow[data-id="${b.sessionId}"]`).count()).toBe(0);
  const audit = await auditActions(env.server);
  expect(audit.find((x) => x.action === "session.delete")?.detail.chunks).toBeGreaterThan(0);
  expect(audit.map((x) => x.action)).toEqual(expect.arrayContaining(["session.rename", "session.archive", "session.delete"]));
}, 60_000);
