/**
 * The MCP elicitation card in real Chromium at 390x844, with the real Claude Code through
 * `claude-remote` and a stdio MCP server (tests/support/mcp-elicit.ts): the card is the form
 * built from the schema (text, number, checkbox, a list for the enum), its controls and buttons
 * are not under the terminal pane, nothing is raw JSON, and what is filled in and accepted reaches
 * the MCP server exactly; the terminal's form closes.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { ELICIT_TOOL, FORM_SCHEMA, elicitMcpArgs, mcpReceived } from "../support/mcp-config.ts";
import { waitFor } from "../support/wait.ts";
import { type Env, startClaude, startEnv } from "../prompts/support.ts";
import { launch, openPhone, type Phone, screenshot } from "./browser.ts";

// the test form, with markup in a title (shown as text, never as HTML)
const SCHEMA = {
  ...FORM_SCHEMA,
  properties: { ...FORM_SCHEMA.properties, colour: { ...FORM_SCHEMA.properties.colour, title: "Colour <i>" } },
};
const MESSAGE = "Tell me about <b>you</b>";

let env: Env;
let browser: Browser;
let phone: Phone;
beforeAll(async () => {
  env = await startEnv({
    "card-form": [{ name: ELICIT_TOOL, input: { message: MESSAGE, schema: SCHEMA } }],
    "card-offform": [{ name: ELICIT_TOOL, input: { message: "Read off the screen", schema: FORM_SCHEMA } }],
  });
  browser = await launch();
  phone = await openPhone(browser, env.server.url, env.server.token);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

/** The element is on screen and nothing (the terminal pane) covers its middle. */
async function reachable(page: Page, el: Locator): Promise<boolean> {
  await el.scrollIntoViewIfNeeded();
  const box = (await el.boundingBox())!;
  const uncovered = await page.evaluate(([x, y]) => !!document.elementFromPoint(x as number, y as number)?.closest(".card"), [
    box.x + box.width / 2,
    box.y + box.height / 2,
  ] as const);
  return uncovered && box.y >= 0 && box.y + box.height <= 844;
}

test("elicitation card: the schema's form; what is filled in and accepted reaches the MCP server", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cr-elicit-card-"));
  const out = join(dir, "received.jsonl");
  const c = await startClaude(env, { args: elicitMcpArgs(dir, out) });
  const { page, errors } = phone;
  try {
    await page.goto(`${env.server.url}/#/s/${c.sessionId}`);
    await page.waitForSelector(".view[data-ready]");
    await c.submit("scenario card-form");
    const card = page.locator(".card.elicitation").first();
    await card.locator("form.eform").waitFor({ timeout: 20_000 });
    expect(await card.locator(".head .tool").innerText()).toBe("MCP elicit");
    expect(await card.locator(".question").innerText()).toBe(MESSAGE); // literal: no HTML
    expect(await card.locator("b, i").allInnerTexts()).toEqual(["Name *", "Age", "Subscribe", "Colour <i> *"]);
    expect(await card.innerText()).not.toContain("{");
    const name = card.locator("input[name=f_name]");
    const age = card.locator("input[name=f_age]");
    const subscribe = card.locator("input[name=f_subscribe]");
    const colour = card.locator("select[name=f_colour]");
    expect(await age.getAttribute("type")).toBe("number");
    expect(await subscribe.getAttribute("type")).toBe("checkbox");
    expect(await colour.locator("option").allInnerTexts()).toEqual(["—", "Red", "Green"]);
    for (const el of [name, age, subscribe, colour]) expect(await reachable(page, el)).toBe(true);
    await name.fill("Grace Hopper");
    await age.fill("85");
    await subscribe.check();
    await colour.selectOption("green");
    await screenshot(page, "elicitation-card.png");
    const labels = await card.locator(".opts > button").allInnerTexts();
    expect(labels).toEqual(["Accept", "Decline", "Cancel"]);
    const accept = card.locator(".opts > button").first();
    expect(await reachable(page, accept)).toBe(true);
    await accept.click();
    const content = { name: "Grace Hopper", age: 85, subscribe: true, colour: "green" };
    expect(await mcpReceived(out, MESSAGE)).toEqual({ action: "accept", content });
    await waitFor(async () => (await c.pty.screen.flush(), !c.pty.screen.lines().join("\n").includes("requests your input")), {
      what: "the terminal's form to close",
    });
    await waitFor(async () => (await card.locator(".status").innerText()).includes("Approved"), {
      what: "the card to say it was answered",
    });
    expect(errors).toEqual([]);
  } finally {
    await c.stop();
  }
}, 90_000);

test("hooks off: the form read off the terminal's screen is the same card, and its answer is typed into the form", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cr-elicit-card-off-"));
  const out = join(dir, "received.jsonl");
  const c = await startClaude(env, { args: ["--settings", JSON.stringify({ disableAllHooks: true }), ...elicitMcpArgs(dir, out)] });
  const { page, errors } = phone;
  try {
    await page.goto(`${env.server.url}/#/s/${c.sessionId}`);
    await page.waitForSelector(".view[data-ready]");
    await c.submit("scenario card-offform");
    const card = page.locator(".card.elicitation").first();
    await card.locator("form.eform").waitFor({ timeout: 30_000 });
    expect(await card.locator(".question").innerText()).toBe("Read off the screen");
    expect(await card.locator("b, i").allInnerTexts()).toEqual(["Name *", "Age", "Subscribe", "Colour *"]);
    const age = card.locator("input[name=f_Age]");
    expect(await age.getAttribute("type")).toBe("number");
    expect(await card.locator("input[name=f_Subscribe]").getAttribute("type")).toBe("checkbox");
    expect(await card.locator("select[name=f_Colour] option").allInnerTexts()).toEqual(["—", "Red", "Green"]);
    await card.locator("input[name=f_Name]").fill("Grace Hopper");
    await age.fill("85");
    await card.locator("input[name=f_Subscribe]").check();
    await card.locator("select[name=f_Colour]").selectOption("Green");
    await card.locator(".opts > button").first().click();
    expect(await mcpReceived(out, "Read off the screen")).toEqual({
      action: "accept",
      content: { name: "Grace Hopper", age: 85, subscribe: true, colour: "green" },
    });
    await waitFor(async () => (await card.locator(".status").innerText()).includes("Approved"), {
      timeoutMs: 15_000,
      what: "the card to say it was answered",
    });
    expect(errors).toEqual([]);
  } finally {
    await c.stop();
  }
}, 90_000);
