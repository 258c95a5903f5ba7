/**
 * MCP elicitation with hooks off (`disableAllHooks`), the real Claude Code through `claude-remote`:
 * the form dialog is read off the screen (the focus walked over each field to learn its kind, then
 * put back) into an elicitation prompt, and accept / decline / cancel from the API are typed into
 * the form; the MCP server receives exactly that answer. A value the terminal's form refuses leaves
 * the form open: the answer is not taken and the prompt is answerable again. A form answered at the
 * terminal is answered-locally, and a late answer gets 409.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseElicitationScreen } from "../../src/agents/claude/elicitation-screen.ts";
import type { Prompt } from "../../src/protocol/prompts.ts";
import type { Scenario } from "../support/fake-anthropic.ts";
import { ELICIT_TOOL, FORM_SCHEMA, elicitMcpArgs, mcpReceived } from "../support/mcp-config.ts";
import { waitFor } from "../support/wait.ts";
import { type ClaudeSession, type Env, post, startClaude, startEnv } from "./support.ts";

const SHELVES = Array.from({ length: 40 }, (_, i) => `shelf-${i + 1}`);
/** Longer than the terminal draws: the list is cut to a window (`↓ N more`), so reading and picking scroll it. */
const LONG_LIST = { type: "object", properties: { shelf: { type: "string", title: "Shelf", enum: SHELVES } }, required: ["shelf"] };
const elicit = (message: string): Scenario => [{ name: ELICIT_TOOL, input: { message, schema: FORM_SCHEMA } }];
const SCENARIOS: Record<string, Scenario> = {
  "offform-ok": elicit("About you (accept)"),
  "offform-no": elicit("About you (decline)"),
  "offform-esc": elicit("About you (cancel)"),
  "offform-here": elicit("About you (local)"),
  "offform-list": [{ name: ELICIT_TOOL, input: { message: "Pick a shelf", schema: LONG_LIST } }],
};
const HOOKS_OFF = ["--settings", JSON.stringify({ disableAllHooks: true })];

let env: Env;
let c: ClaudeSession;
let out: string;
beforeAll(async () => {
  env = await startEnv(SCENARIOS);
  const dir = mkdtempSync(join(tmpdir(), "cr-elicit-off-"));
  out = join(dir, "received.jsonl");
  c = await startClaude(env, { args: [...HOOKS_OFF, ...elicitMcpArgs(dir, out)] });
});
afterAll(async () => {
  await c?.stop();
  await env?.stop();
});

const received = (message: string) => mcpReceived(out, message, () => `; the screen:\n${c.pty.screen.lines().join("\n")}`);
const answers = () => (existsSync(out) ? readFileSync(out, "utf8").trim().split("\n").filter(Boolean).length : 0);

async function form() {
  await c.pty.screen.flush();
  return parseElicitationScreen(c.pty.screen.lines());
}

async function openForm(scenario: string): Promise<Prompt> {
  const since = await c.submit(`scenario ${scenario}`);
  return c.prompt(since, (x) => x.kind === "elicitation");
}

const closed = () => waitFor(async () => !(await form()), { timeoutMs: 15_000, what: "the form to close" });
const taken = (id: string) =>
  waitFor(async () => ((await c.promptById(id)).delivery === "taken" ? c.promptById(id) : null), {
    timeoutMs: 20_000,
    what: `prompt ${id} taken`,
  });

test("the form is read off the screen; a value the terminal refuses is not taken; accept lands exactly", async () => {
  const p = await openForm("offform-ok");
  expect(p.source).toBe("screen");
  expect(p.tool).toBe("Elicitation");
  expect(p.options.map((o) => o.key)).toEqual(["accept", "decline", "cancel"]);
  expect(p.form?.server).toBe("elicit");
  expect(p.form?.message).toBe("About you (accept)");
  expect(p.form?.unsupported).toBeNull();
  // names are the titles as drawn; kinds, choices and the number's range were read by walking the focus
  expect(p.form?.fields.map((f) => [f.name, f.type, f.required, f.description])).toEqual([
    ["Name", "string", true, "Your name"],
    ["Age", "integer", false, null],
    ["Subscribe", "boolean", false, null],
    ["Colour", "enum", true, null],
  ]);
  expect(p.form?.fields[1]).toMatchObject({ minimum: 1, maximum: 150 });
  expect(p.form?.fields[3]?.choices).toEqual([
    { value: "Red", label: "Red" },
    { value: "Green", label: "Green" },
  ]);
  // the walk left the terminal's form as it found it
  const after = await form();
  expect(after?.focus).toBe(0);
  expect(after?.fields.map((f) => f.value)).toEqual([null, null, (await form())!.fields[2]!.value, null]);
  expect(after?.choices).toBeNull();

  const bad = async (content: Record<string, unknown>, says: string) => {
    const res = await post(env, `/api/prompts/${p.id}/approve`, { content });
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toContain(says);
  };
  await bad({ Name: "Ada", Colour: "Blue" }, `"Colour": one of "Red", "Green"`);
  await bad({ Name: "Ada", Colour: "Red", Age: 200 }, `"Age": an integer from 1 to 150`);
  await bad({ Name: "two\nlines", Colour: "Red" }, "one line of text");
  expect((await c.promptById(p.id)).status).toBe("pending");

  // "A" is shorter than the MCP server's minLength, which the screen does not show: the form refuses it and stays
  const short = await post(env, `/api/prompts/${p.id}/approve`, { content: { Name: "A", Colour: "Red" } });
  expect(short.status).toBe(200);
  expect(((await short.json()) as Prompt).delivery).toBe("sent");
  const refused = await waitFor(async () => ((await c.promptById(p.id)).delivery === "not_taken" ? c.promptById(p.id) : null), {
    timeoutMs: 25_000,
    what: "the refused answer not taken",
  });
  expect(refused.status).toBe("pending");
  expect((await form())?.message).toBe("About you (accept)");
  expect(answers()).toBe(0);

  const content = { Name: "Ada Lovelace", Age: 36, Subscribe: true, Colour: "Green" };
  const res = await post(env, `/api/prompts/${p.id}/approve`, { content });
  expect(res.status).toBe(200);
  expect(await received("About you (accept)")).toEqual({
    action: "accept",
    content: { name: "Ada Lovelace", age: 36, subscribe: true, colour: "green" },
  });
  await closed();
  const done = await taken(p.id);
  expect(done.status).toBe("approved");
  expect(done.resolution?.content).toEqual(content);
});

test("decline (reject) and cancel are typed into the form and reach the MCP server as such", async () => {
  const d = await openForm("offform-no");
  expect((await post(env, `/api/prompts/${d.id}/reject`, {})).status).toBe(200);
  expect(await received("About you (decline)")).toEqual({ action: "decline" });
  await closed();
  expect((await taken(d.id)).status).toBe("denied");

  const x = await openForm("offform-esc");
  expect((await post(env, `/api/prompts/${x.id}/approve`, { option: "cancel" })).status).toBe(200);
  expect(await received("About you (cancel)")).toEqual({ action: "cancel" });
  await closed();
  expect((await taken(x.id)).resolution?.action).toBe("cancel");
});

test("answered at the terminal: answered-locally, and a late answer gets 409", async () => {
  const p = await openForm("offform-here");
  let last = 0;
  await waitFor(
    async () => {
      if (!(await form())) return true;
      if (Date.now() - last > 1500) c.pty.write("\x1b"), (last = Date.now());
      return false;
    },
    { what: "the form cancelled at the terminal" },
  );
  expect(await received("About you (local)")).toEqual({ action: "cancel" });
  const local = await c.waitStatus(p.id, "answered-locally");
  expect(local.resolution?.via).toBe("terminal");
  expect((await post(env, `/api/prompts/${p.id}/approve`, { content: { Name: "Ada", Colour: "Red" } })).status).toBe(409);
});

test("a list longer than the terminal draws is read to its end and its last choices can be picked", async () => {
  const p = await openForm("offform-list");
  expect(p.form?.fields.map((f) => [f.name, f.type, f.required])).toEqual([["Shelf", "enum", true]]);
  expect(p.form?.fields[0]?.choices.map((x) => x.value)).toEqual(SHELVES);
  expect((await post(env, `/api/prompts/${p.id}/approve`, { content: { Shelf: "shelf-37" } })).status).toBe(200);
  expect(await received("Pick a shelf")).toEqual({ action: "accept", content: { shelf: "shelf-37" } });
  await closed();
  expect((await taken(p.id)).status).toBe("approved");
});
