/**
 * Question and plan cards in real Chromium at 390x844, with the real Claude Code through
 * `claude-remote`: the question card is a form (choices with descriptions, free text), the plan
 * card shows the plan as text (its `<b>` stays literal), the buttons are reachable (not under the
 * terminal pane), and the answer tapped reaches the model.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, Locator, Page } from "playwright-core";
import { type Scenario, planFilePath } from "../support/fake-anthropic.ts";
import { waitFor } from "../support/wait.ts";
import { type Env, startClaude, startEnv } from "../prompts/support.ts";
import { launch, openPhone, type Phone, screenshot } from "./browser.ts";
import { colour } from "../prompts/question-samples.ts";

const PLAN = "# Add a button\n\n1. Create `button.ts`\n2. Wire it <b>up</b>\n\n```ts\nexport const x = 1;\n```\n";
const SCENARIOS: Record<string, Scenario> = {
  "card-ask": [{ name: "AskUserQuestion", input: { questions: [colour] } }],
  "card-plan": [
    [{ name: "Write", input: (b: any) => ({ file_path: planFilePath(b), content: PLAN }) }],
    [{ name: "ExitPlanMode", input: {} }],
  ],
};

let env: Env;
let browser: Browser;
let phone: Phone;
beforeAll(async () => {
  env = await startEnv(SCENARIOS);
  browser = await launch();
  phone = await openPhone(browser, env.server.url, env.server.token);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

const resultText = (toolName: string) =>
  waitFor(
    () => {
      const uses = new Set(
        env.fake.requests
          .flatMap((r) => r.messages ?? [])
          .flatMap((m: any) => (Array.isArray(m.content) ? m.content : []))
          .filter((b: any) => b.type === "tool_use" && b.name === toolName)
          .map((b: any) => b.id),
      );
      for (const r of env.fake.requests)
        for (const m of r.messages ?? [])
          for (const b of Array.isArray(m.content) ? m.content : [])
            if (b.type === "tool_result" && uses.has(b.tool_use_id)) return String(b.content);
      return undefined;
    },
    { timeoutMs: 15_000, what: `the ${toolName} tool_result` },
  );

/** The element is on screen and nothing (the terminal pane) covers its middle. */
async function reachable(page: Page, el: Locator): Promise<boolean> {
  await el.scrollIntoViewIfNeeded();
  const box = (await el.boundingBox())!;
  const uncovered = await page.evaluate(
    ([x, y, sel]) => {
      const hit = document.elementFromPoint(x as number, y as number);
      return !!hit && !!hit.closest(sel as string);
    },
    [box.x + box.width / 2, box.y + box.height / 2, ".card"] as const,
  );
  return uncovered && box.y >= 0 && box.y + box.height <= 844;
}

test("question card: radios with descriptions and a text field; the tapped choice reaches the model", async () => {
  const c = await startClaude(env);
  const { page, errors } = phone;
  try {
    await page.goto(`${env.server.url}/#/s/${c.sessionId}`);
    await page.waitForSelector(".view[data-ready]");
    await c.submit("scenario card-ask");
    const card = page.locator(".card.question").first();
    await card.waitFor({ timeout: 20_000 });
    expect(await card.locator("legend").innerText()).toContain(colour.question);
    expect(await card.locator(".choice").allInnerTexts()).toEqual(["Crimson — A deep red", "Teal — Blue-green"]);
    expect(await card.locator("input[type=radio]").count()).toBe(2);
    expect(await card.locator(".qtext").count()).toBe(1);
    expect(await card.innerText()).not.toContain("{");
    await screenshot(page, "question-card.png");
    await card.locator("input[value='2']").check();
    const submit = card.locator("button[type=submit]");
    expect(await reachable(page, submit)).toBe(true);
    await submit.click();
    expect(await resultText("AskUserQuestion")).toContain(`"${colour.question}"="Teal"`);
    await waitFor(async () => (await card.locator(".status").innerText()).includes("Teal"), { what: "the card to say it was answered" });
    expect(errors).toEqual([]);
  } finally {
    await c.stop();
  }
}, 90_000);

test("plan card: the plan as text (no HTML), the terminal's options; 'manually approve edits' approves it", async () => {
  const c = await startClaude(env, { mode: "plan" });
  const { page, errors } = phone;
  try {
    await page.goto(`${env.server.url}/#/s/${c.sessionId}`);
    await page.waitForSelector(".view[data-ready]");
    await c.submit("scenario card-plan");
    const card = page.locator(".card.plan").first();
    await card.waitFor({ timeout: 20_000 });
    expect(await card.locator(".plan .ph1").innerText()).toBe("Add a button");
    expect(await card.locator(".plan").innerText()).toContain("Wire it <b>up</b>");
    expect(await card.locator(".plan b").count()).toBe(0);
    expect(await card.locator(".plan pre.code").innerText()).toBe("export const x = 1;");
    const labels = await card.locator(".opts > button, .opts > div > button").allInnerTexts();
    expect(labels.map((l) => l.replace(/^\d\s*/, "").trim())).toEqual([
      "Yes, and use auto mode",
      "Yes, manually approve edits",
      "Tell Claude what to change",
    ]);
    await screenshot(page, "plan-card.png");
    const manual = card.locator(".opts > button").nth(1);
    expect(await reachable(page, manual)).toBe(true);
    await manual.click();
    expect(await resultText("ExitPlanMode")).toContain("User has approved your plan.");
    expect(errors).toEqual([]);
  } finally {
    await c.stop();
  }
}, 90_000);
