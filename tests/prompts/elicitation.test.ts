/**
 * MCP elicitation with the real Claude Code through `claude-remote`: the model calls a tool of a
 * small stdio MCP server (tests/support/mcp-elicit.ts) that asks for a form; the prompt carries the
 * form; accept / decline / cancel from the API reach the MCP server exactly (it writes what it got
 * to a file, and the model sees it in the tool result) and the terminal's form closes; bad answers
 * get 400 naming what is allowed and the prompt stays pending; a form answered at the terminal is
 * answered-locally and a late answer gets 409.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Prompt } from "../../src/protocol/prompts.ts";
import type { Scenario } from "../support/fake-anthropic.ts";
import { ELICIT_TOOL, FORM_SCHEMA, elicitMcpArgs, mcpReceived } from "../support/mcp-config.ts";
import { waitFor } from "../support/wait.ts";
import { type ClaudeSession, type Env, post, startClaude, startEnv } from "./support.ts";

const elicit = (message: string): Scenario => [{ name: ELICIT_TOOL, input: { message, schema: FORM_SCHEMA } }];
const SCENARIOS: Record<string, Scenario> = {
  "form-accept": elicit("Tell me about you (accept)"),
  "form-decline": elicit("Tell me about you (decline)"),
  "form-cancel": elicit("Tell me about you (cancel)"),
  "form-local": elicit("Tell me about you (local)"),
};

let env: Env;
let c: ClaudeSession;
let out: string;
beforeAll(async () => {
  env = await startEnv(SCENARIOS);
  const dir = mkdtempSync(join(tmpdir(), "cr-elicit-"));
  out = join(dir, "received.jsonl");
  c = await startClaude(env, { args: elicitMcpArgs(dir, out) });
});
afterAll(async () => {
  await c?.stop();
  await env?.stop();
});

const received = (message: string) => mcpReceived(out, message);

/** The tool result the model got for this call. */
function toolResult(p: Prompt): Promise<string> {
  return waitFor(
    () => {
      for (const r of env.fake.requests)
        for (const m of r.messages ?? [])
          for (const b of Array.isArray(m.content) ? m.content : [])
            if (b.type === "tool_result" && b.tool_use_id === p.toolUseId)
              return typeof b.content === "string" ? b.content : b.content.map((x: any) => x.text ?? "").join("");
      return undefined;
    },
    { timeoutMs: 15_000, what: "the tool result" },
  );
}

async function formOnScreen(): Promise<boolean> {
  await c.pty.screen.flush();
  return c.pty.screen.lines().join("\n").includes("requests your input");
}

async function openForm(scenario: string): Promise<Prompt> {
  const since = await c.submit(`scenario ${scenario}`);
  const p = await c.prompt(since, (x) => x.kind === "elicitation");
  await waitFor(formOnScreen, { what: "the form on the terminal" });
  return p;
}

const closed = () => waitFor(async () => !(await formOnScreen()), { what: "the form to close" });

async function delivered(id: string): Promise<Prompt> {
  return waitFor(
    async () => {
      const p = await c.promptById(id);
      return p.delivery === "taken" ? p : null;
    },
    { timeoutMs: 15_000, what: `prompt ${id} taken` },
  );
}

test("the prompt carries the form; bad answers get 400 naming what is allowed; accept reaches the MCP server exactly", async () => {
  const p = await openForm("form-accept");
  expect(p.tool).toBe("Elicitation");
  expect(p.toolUseId).toMatch(/^toolu_/);
  expect(p.input.tool).toBe(ELICIT_TOOL);
  expect(p.options.map((o) => o.key)).toEqual(["accept", "decline", "cancel"]);
  expect(p.form?.server).toBe("elicit");
  expect(p.form?.message).toBe("Tell me about you (accept)");
  expect(p.form?.unsupported).toBeNull();
  expect(p.form?.fields.map((f) => [f.name, f.type, f.title, f.required])).toEqual([
    ["name", "string", "Name", true],
    ["age", "integer", "Age", false],
    ["subscribe", "boolean", "Subscribe", false],
    ["colour", "enum", "Colour", true],
  ]);
  expect(p.form?.fields[3]?.choices).toEqual([
    { value: "red", label: "Red" },
    { value: "green", label: "Green" },
  ]);

  const bad = async (content: Record<string, unknown>, says: string[]) => {
    const res = await post(env, `/api/prompts/${p.id}/approve`, { content });
    expect(res.status).toBe(400);
    const detail = (await res.json()).detail as string;
    for (const s of says) expect(detail).toContain(s);
  };
  await bad({ name: "Ada", colour: "blue" }, [`"colour": one of "red" (Red), "green" (Green)`]);
  await bad({ name: "Ada", colour: "red", age: "old" }, [`"age": an integer from 1 to 150`]);
  await bad({ name: "Ada", colour: "red", age: 1.5 }, [`"age": an integer from 1 to 150`]);
  await bad({ name: "Ada", colour: "red", subscribe: "yes" }, [`"subscribe": true or false`]);
  await bad({ colour: "red" }, [`"name" is required: a string of 2 to 20 characters`]);
  await bad({ name: "A", colour: "red" }, [`"name": a string of 2 to 20 characters`]);
  await bad({ name: "Ada", colour: "red", shoe: 42 }, [`no field "shoe" (fields are name, age, subscribe, colour)`]);
  expect((await post(env, `/api/prompts/${p.id}/approve`, { option: "maybe" })).status).toBe(400);
  const empty = await post(env, `/api/prompts/${p.id}/approve`, {}); // a notification's one-tap Approve: never an empty accept
  expect(empty.status).toBe(400);
  expect((await empty.json()).detail).toContain(
    "accept needs content: the form's answers (name (required): a string of 2 to 20 characters;",
  );
  expect((await c.promptById(p.id)).status).toBe("pending");
  expect(await formOnScreen()).toBe(true);
  // the hook's prompt is the form's: past the wait for an unclaimed dialog, none is read off the screen (nor walked)
  await Bun.sleep(4000);
  const prompts = (await (await env.server.api(`/api/prompts?session=${c.sessionId}`)).json()) as Prompt[];
  expect(prompts.filter((x) => x.kind === "elicitation").map((x) => x.id)).toEqual([p.id]);
  expect(c.pty.screen.lines().join("\n")).toMatch(/❯ (\* )?Name\*?: +Type something/);

  const content = { name: "Ada Lovelace", age: 36, subscribe: true, colour: "green" };
  const res = await post(env, `/api/prompts/${p.id}/approve`, { content });
  expect(res.status).toBe(200);
  expect(((await res.json()) as Prompt).delivery).toBe("sent");
  expect(await received("Tell me about you (accept)")).toEqual({ action: "accept", content });
  expect(await toolResult(p)).toContain(`elicitation result: ${JSON.stringify({ action: "accept", content })}`);
  await closed();
  const done = await delivered(p.id);
  expect(done.status).toBe("approved");
  expect(done.resolution?.action).toBe("accept");
  expect(done.resolution?.content).toEqual(content);
  await c.turnDone(0);
});

test("decline (reject) and cancel reach the MCP server as such", async () => {
  const d = await openForm("form-decline");
  const declinedAt = Date.now();
  expect((await post(env, `/api/prompts/${d.id}/reject`, {})).status).toBe(200);
  expect(await received("Tell me about you (decline)")).toEqual({ action: "decline" });
  await closed();
  expect((await delivered(d.id)).status).toBe("denied");
  await c.turnDone(declinedAt);

  const x = await openForm("form-cancel");
  expect((await post(env, `/api/prompts/${x.id}/approve`, { option: "cancel", content: {} })).status).toBe(400);
  const cancelledAt = Date.now();
  expect((await post(env, `/api/prompts/${x.id}/approve`, { option: "cancel" })).status).toBe(200);
  expect(await received("Tell me about you (cancel)")).toEqual({ action: "cancel" });
  await closed();
  const done = await delivered(x.id);
  expect(done.status).toBe("denied");
  expect(done.resolution?.action).toBe("cancel");
  await c.turnDone(cancelledAt);
});

test("answered at the terminal: the prompt is answered-locally and a late answer gets 409", async () => {
  const p = await openForm("form-local");
  await Bun.sleep(400); // Claude Code drops keys right after drawing a dialog
  let last = 0;
  await waitFor(
    async () => {
      if (!(await formOnScreen())) return true;
      if (Date.now() - last > 1500) c.pty.write("\x1b"), (last = Date.now());
      return false;
    },
    { what: "the form cancelled at the terminal" },
  );
  expect(await received("Tell me about you (local)")).toEqual({ action: "cancel" });
  const local = await c.waitStatus(p.id, "answered-locally");
  expect(local.resolution?.via).toBe("terminal");
  const late = await post(env, `/api/prompts/${p.id}/approve`, { content: { name: "Ada", colour: "red" } });
  expect(late.status).toBe(409);
});
