/**
 * The conversation view in real Chromium at 390×844, on the real Claude Code through
 * `claude-remote` (fake Messages API): messages and tool calls in order, live as the session goes
 * on; an Edit as a coloured diff; the subagent's work grouped under its call; HTML and script in
 * an answer shown as text; "partial" when the transcript breaks; the usage line and the usage page,
 * their figures equal to the fake's sums; a prompt card inline where it was asked, answered from
 * the chat view; terminal and conversation side by side on a wide screen, the text box and the key
 * bar working from both views.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { appendFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import type { Scenario } from "../support/fake-anthropic.ts";
import { waitFor } from "../support/wait.ts";
import { type ClaudeSession, type Env, startClaude, startEnv } from "../prompts/support.ts";
import { approveAll, expectedCost, sums, transcriptFiles } from "../transcript/support.ts";
// @ts-ignore: plain JS module of the dashboard (the test formats the fake's sums as the page does)
import { fmtCost, fmtTokens } from "../../public/js/usage-line.js";
import { launch, openPhone, type Phone, screenshot } from "./browser.ts";

const HOSTILE =
  'Here is **bold** and <script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> done.\n\n# Heading\n\n- one\n- two';
const SCENARIOS: Record<string, Scenario> = {
  "v-bash": [[{ name: "Bash", input: { command: "echo hi > hi.txt", description: "write hi" } }], { text: HOSTILE }],
  "v-edit": [
    [{ name: "Read", input: { file_path: "a.txt" } }],
    [{ name: "Edit", input: { file_path: "a.txt", old_string: "one", new_string: "uno\ndos" } }],
    { text: "Edited a.txt." },
  ],
  "v-agent": [{ name: "Agent", input: { description: "helper", prompt: "scenario v-sub", subagent_type: "general-purpose" } }],
  "v-sub": [{ name: "Bash", input: { command: "echo sub > sub.txt", description: "write sub" } }],
  "v-ask": [[{ name: "Bash", input: { command: "echo inline > inline.txt", description: "write inline" } }], { text: "Wrote inline.txt." }],
};
const MODEL = "claude-sonnet-4-5";

let env: Env;
let c: ClaudeSession;
let browser: Browser;
let phone: Phone;
let stopApproving: () => void;

beforeAll(async () => {
  env = await startEnv(SCENARIOS);
  stopApproving = approveAll(env);
  c = await startClaude(env, { files: { "a.txt": "one\ntwo\n" }, args: ["--model", MODEL] });
  await c.turnDone(await c.submit("scenario v-bash"));
  browser = await launch();
  phone = await openPhone(browser, env.server.url, env.server.token);
}, 120_000);

afterAll(async () => {
  stopApproving?.();
  await browser?.close();
  await c?.stop();
  await env?.stop();
});

test("the session list shows a usage line from the transcript", async () => {
  const { page } = phone;
  await page.waitForSelector(`.srow[data-id="${c.sessionId}"] .l4.usage`);
  await waitFor(async () => /tokens · \$[\d.]+ · 1 turn/.test((await page.textContent(`.srow[data-id="${c.sessionId}"] .l4`)) ?? ""), {
    what: "tokens, cost and turns on the list",
  });
});

test("the conversation view: messages and tool calls in order; HTML in an answer is text", async () => {
  const { page } = phone;
  await page.goto(`${env.server.url}/#/s/${c.sessionId}`);
  await page.click("button.chat");
  await page.waitForSelector('.conv[data-ready="1"] .msg.user');
  await waitFor(async () => (await page.$$eval(".conv .msg.assistant .md", (els) => els.length)) > 0, { what: "the answer" });
  const kinds = await page.$$eval(".conv .convlist > .msg", (els) =>
    els.map((e) => `${(e as HTMLElement).dataset.kind}:${e.querySelector(".tool")?.getAttribute("data-tool") ?? ""}`),
  );
  expect(kinds).toEqual(["user:", "assistant:Bash", "assistant:"]);
  expect(await page.textContent('.conv .tool[data-tool="Bash"] summary')).toContain("echo hi > hi.txt");
  // folded to one line; opens to input and result
  expect(await page.$eval('.conv .tool[data-tool="Bash"]', (d) => (d as HTMLDetailsElement).open)).toBe(false);
  await page.click('.conv .tool[data-tool="Bash"] summary');
  expect(await page.textContent('.conv .tool[data-tool="Bash"] .tin')).toContain('"command": "echo hi > hi.txt"');
  // the hostile answer: Markdown rendered, HTML shown as text, never run
  const answer = page.locator(".conv .msg.assistant .md").last();
  expect(await answer.textContent()).toContain("<script>window.__pwned = 1</script>");
  expect(await answer.locator("strong").textContent()).toBe("bold");
  expect(await answer.locator("h3").textContent()).toBe("Heading");
  expect(await answer.locator("li").allTextContents()).toEqual(["one", "two"]);
  expect(await page.$$eval(".conv script, .conv img", (els) => els.length)).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  // per-turn figures on the turn's first line
  await waitFor(async () => /turn 1 · .* tokens · \$/.test((await page.textContent(".conv .msg.user .turnhead")) ?? ""), {
    what: "per-turn usage",
  });
  expect(phone.errors).toEqual([]);
}, 60_000);

test("it follows live: an Edit as a coloured diff, the subagent grouped under its call", async () => {
  const { page } = phone;
  await c.turnDone(await c.submit("scenario v-edit"));
  await page.waitForSelector('.conv .tool.edit[data-tool="Edit"]');
  await page.click('.conv .tool[data-tool="Edit"] summary');
  expect(await page.$$eval('.conv .tool[data-tool="Edit"] .cdiff .dl.add', (els) => els.map((e) => e.textContent))).toEqual([
    "+uno",
    "+dos",
  ]);
  expect(await page.$$eval('.conv .tool[data-tool="Edit"] .cdiff .dl.del', (els) => els.map((e) => e.textContent))).toEqual(["-one"]);
  expect(await page.textContent('.conv .tool[data-tool="Edit"] .tstat')).toBe("+2 −1");

  await c.turnDone(await c.submit("scenario v-agent"));
  await page.waitForSelector('.conv .tool[data-tool="Agent"] .subagent', { state: "attached" });
  await page.click('.conv .tool[data-tool="Agent"] summary');
  await page.click('.conv .tool[data-tool="Agent"] .subagent > summary');
  await page.waitForSelector('.conv .subagent .tool[data-tool="Bash"]', { state: "attached" });
  expect(await page.textContent('.conv .subagent .tool[data-tool="Bash"] summary')).toContain("echo sub > sub.txt");
  // nothing wider than the phone
  expect(await page.evaluate(() => document.querySelector(".conv")!.scrollWidth <= window.innerWidth)).toBe(true);
  await screenshot(page, "conversation.png");
  expect(phone.errors).toEqual([]);
}, 90_000);

test("the dashboard's figures equal the sums the fake returned: list line, per turn, usage page", async () => {
  const { page } = phone;
  // the subagent finishes after its turn, and Claude answers its notice: wait for the 10 responses
  await waitFor(() => env.fake.responses.length >= 10, { timeoutMs: 30_000, what: "every response of the first three turns" });
  const all = sums(env.fake.responses);
  const tokens = all.input + all.output + all.cacheRead + all.cacheWrite;
  const line = `${fmtTokens(tokens)} tokens · ${fmtCost(expectedCost(MODEL, all))} · 4 turns`;
  await page.goto(`${env.server.url}/#/`);
  await waitFor(async () => ((await page.textContent(`.srow[data-id="${c.sessionId}"] .l4`)) ?? "").includes(line), {
    what: `"${line}" on the list`,
    timeoutMs: 20_000,
  });
  // per turn: the first turn is v-bash's two responses
  const bash = sums(env.fake.responses.filter((r) => r.scenario === "v-bash"));
  await page.goto(`${env.server.url}/#/s/${c.sessionId}`);
  await page.click("button.chat");
  await waitFor(
    async () =>
      ((await page.textContent(".conv .msg.user .turnhead")) ?? "").startsWith(
        `turn 1 · ${fmtTokens(bash.input + bash.output + bash.cacheRead + bash.cacheWrite)} tokens · ${fmtCost(expectedCost(MODEL, bash))}`,
      ),
    { what: "turn 1's figures" },
  );
  // the usage page, to the token
  await page.goto(`${env.server.url}/#/usage`);
  await page.waitForSelector('.usage-page[data-ready="1"]');
  expect(await page.textContent(".usage-page .kinds")).toBe(
    `input ${all.input.toLocaleString("en-US")} · output ${all.output.toLocaleString("en-US")} · cache read ${all.cacheRead.toLocaleString("en-US")} · cache write ${all.cacheWrite.toLocaleString("en-US")}`,
  );
  expect(await page.textContent(".usage-page .total")).toBe(
    `${fmtCost(expectedCost(MODEL, all))} · ${fmtTokens(tokens)} tokens · ${all.responses} responses`,
  );
  expect(phone.errors).toEqual([]);
}, 60_000);

test("a prompt card inline where it was asked, answered from the chat view (typed from its text box)", async () => {
  const { page } = phone;
  stopApproving(); // this prompt is answered on the page
  await page.goto(`${env.server.url}/#/s/${c.sessionId}`);
  await page.click("button.chat");
  await page.waitForSelector('.conv[data-ready="1"]');
  // the turn is typed in the chat view's text box
  const asked = env.fake.requests.length;
  await page.fill(".inputbar textarea", "scenario v-ask");
  await page.click('.inputbar button[aria-label="send line"]');
  await waitFor(() => env.fake.requests.slice(asked).some((r) => JSON.stringify(r.messages ?? []).includes("scenario v-ask")), {
    what: "the typed turn at the API",
  });
  const card = page.locator(".conv .icard .card");
  await card.waitFor({ state: "visible", timeout: 20_000 });
  expect(await page.isVisible(".scards")).toBe(false); // not above the conversation too
  expect(await card.textContent()).toContain("echo inline > inline.txt");
  // where it was asked: after the Bash call it is about, or (call not yet in the transcript) after the typed turn
  await waitFor(
    async () =>
      page.evaluate(() => {
        const slot = document.querySelector(".conv .icard")!;
        const prev = slot.previousElementSibling as HTMLElement | null;
        const msgs = Array.from(document.querySelectorAll(".conv .convlist > .msg"));
        return (
          (prev?.matches('.tool[data-tool="Bash"]') && prev.textContent!.includes("echo inline")) ||
          (prev?.matches(".msg.user") && prev === msgs.at(-1) && prev.textContent!.includes("scenario v-ask"))
        );
      }),
    { what: "the card after its call" },
  );
  const promptId = (await card.getAttribute("data-id"))!;
  await card.locator("button.primary").click();
  await waitFor(async () => /Approved from the dashboard/.test((await card.textContent()) ?? ""), {
    timeoutMs: 20_000,
    what: "the answer taken",
  });
  expect(await c.promptById(promptId)).toMatchObject({ status: "approved", delivery: "taken" }); // the card said taken only once Claude took it
  await c.turnDone(Date.now() - 60_000);
  await waitFor(
    async () =>
      (await Bun.file(`${c.cwd}/inline.txt`).exists()) &&
      (await page.$$eval(".conv .msg.assistant .md", (els) => els.some((e) => e.textContent === "Wrote inline.txt."))),
    { timeoutMs: 20_000, what: "the tool ran and the answer followed" },
  );
  await screenshot(page, "conversation-inline-card.png");
  expect(phone.errors).toEqual([]);
}, 60_000);

test("a wide screen: terminal and conversation side by side; the key bar works from both", async () => {
  const { page } = phone;
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.waitForSelector(".view.session.split .conv .msg.user");
  const term = (await page.locator(".termwrap").boundingBox())!;
  const conv = (await page.locator(".conv").boundingBox())!;
  expect(term.width).toBeGreaterThan(400);
  expect(conv.width).toBeGreaterThan(300);
  expect(conv.x).toBeGreaterThanOrEqual(term.x + term.width - 1); // beside, not below
  expect(Math.abs(conv.y - term.y)).toBeLessThan(2);
  expect(await page.isVisible("button.chat")).toBe(false);
  // the key bar from the split view: ↑ recalls the last prompt into Claude's input line
  await page.click('.keys button[aria-label="Up"]');
  const inputLine = async () => (await c.pty.screen.flush(), c.pty.screen.lines().findLast((l) => l.startsWith("❯")) ?? "");
  await waitFor(async () => (await inputLine()).includes("scenario v-ask"), {
    what: () => `↑ from the key bar on the terminal:\n${c.pty.screen.lines().join("\n")}`,
  });
  await screenshot(page, "conversation-wide.png");
  // back on a phone: the chat view alone, the key bar still serving it
  await page.setViewportSize({ width: 390, height: 844 });
  await waitFor(async () => !(await page.isVisible(".termwrap")) && (await page.isVisible(".conv")), {
    what: "the chat view alone at 390 px",
  });
  await page.click('.keys button[aria-label="Ctrl+C"]');
  await waitFor(async () => !(await inputLine()).includes("scenario v-ask"), { what: "^C from the key bar cleared the input" });
  expect(phone.errors).toEqual([]);
}, 60_000);

test("a broken transcript: the view says partial and why", async () => {
  const { page } = phone;
  const file = transcriptFiles(c.home)[0]!;
  appendFileSync(file, "this is not json\n");
  await page.waitForSelector(".conv .partial:not([hidden])", { timeout: 20_000 });
  expect(await page.textContent(".conv .partial")).toContain("malformed line");
  // the key bar and text box still work from the conversation view
  expect(await page.isVisible(".conv")).toBe(true);
});

test("the usage page: totals and a chart drawn by the dashboard", async () => {
  const { page } = phone;
  await page.goto(`${env.server.url}/#/usage`);
  await page.waitForSelector('.usage-page[data-ready="1"] svg rect.bar', { state: "attached" });
  expect(await page.textContent(".usage-page .total")).toMatch(/^\$[\d.]+ · .* tokens/);
  const today = new Date().toISOString().slice(0, 10);
  expect(Number(await page.getAttribute(`.usage-page svg rect[dataset="${today}"]`, "height"))).toBeGreaterThan(0);
  expect(await page.textContent(".usage-page table:last-of-type")).toContain(c.cwd);
  await screenshot(page, "usage.png");
  expect(phone.errors).toEqual([]);
});
