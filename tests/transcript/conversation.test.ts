/**
 * The real Claude Code through `claude-remote` against the fake Messages API (known usage per
 * response): a session of several turns (a Bash call, an Edit, a subagent). The conversation API
 * shows every message and tool call in order; the usage figures equal the fake's sums, in the API
 * and in /metrics; they survive a server restart.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ConversationItem, SessionUsage } from "../../src/protocol/transcript.ts";
import type { Scenario } from "../support/fake-anthropic.ts";
import { type TestServer, startTestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { type ClaudeSession, type Env, startClaude, startEnv } from "../prompts/support.ts";
import { approveAll, expectedCost, sums } from "./support.ts";

export const HOSTILE =
  'Here is **bold** and <script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> done.\n\n# Heading\n\n- one\n- two\n\n```\ncode <b>not bold</b>\n```';
const SCENARIOS: Record<string, Scenario> = {
  "t-bash": [[{ name: "Bash", input: { command: "echo hi > hi.txt", description: "write hi" } }], { text: HOSTILE }],
  "t-edit": [
    [{ name: "Read", input: { file_path: "a.txt" } }],
    [{ name: "Edit", input: { file_path: "a.txt", old_string: "one", new_string: "uno\ndos" } }],
    { text: "Edited a.txt." },
  ],
  "t-agent": [{ name: "Agent", input: { description: "helper", prompt: "scenario t-sub", subagent_type: "general-purpose" } }],
  "t-sub": [{ name: "Bash", input: { command: "echo sub > sub.txt", description: "write sub" } }],
};
const MODEL = "claude-sonnet-4-5";

let env: Env;
let c: ClaudeSession;
let stopApproving: () => void;
let restarted: TestServer | null = null;

async function getJson(path: string): Promise<any> {
  const r = await env.server.api(path);
  expect(r.status).toBe(200);
  return r.json();
}

/** Every entry, read back in pages of 7 from the newest (as the dashboard pages back). */
async function wholeConversation(sessionId: string): Promise<ConversationItem[]> {
  let page = await getJson(`/api/sessions/${sessionId}/conversation?limit=7`);
  const items: ConversationItem[] = [...page.items];
  while (page.more) {
    page = await getJson(`/api/sessions/${sessionId}/conversation?limit=7&before=${items[0]!.id}`);
    items.unshift(...page.items);
  }
  return items;
}

beforeAll(async () => {
  env = await startEnv(SCENARIOS);
  stopApproving = approveAll(env);
  c = await startClaude(env, { files: { "a.txt": "one\ntwo\n" }, args: ["--model", MODEL] });
  for (const t of ["scenario t-bash", "scenario t-edit", "scenario t-agent"]) await c.turnDone(await c.submit(t));
  // the background subagent finishes after its turn; then Claude answers its notification
  await waitFor(() => env.fake.responses.filter((r) => r.scenario === "t-sub").length >= 2, {
    timeoutMs: 30_000,
    what: "the subagent's two responses",
  });
  // 10 responses: t-bash 2, t-edit 3, t-agent 2, the subagent 2, and the answer to its completion notice (a 4th turn)
  await waitFor(() => env.fake.responses.length >= 10, { timeoutMs: 30_000, what: "the answer to the subagent's completion notice" });
  await waitFor(
    async () => {
      const u = await getJson(`/api/sessions/${c.sessionId}/usage`);
      return u.turns === 4 && u.total.responses === env.fake.responses.length;
    },
    { timeoutMs: 20_000, what: "every response and turn in the usage figures" },
  );
}, 150_000);

afterAll(async () => {
  stopApproving?.();
  await c?.stop();
  await env?.stop();
  await restarted?.stop();
});

test("the conversation API shows every message and tool call, in order", async () => {
  const items = await wholeConversation(c.sessionId);
  const main = items.filter((i) => i.agentId === null);
  const seq = main.flatMap((i) =>
    i.blocks.map((b) =>
      b.type === "text"
        ? `${i.kind}:text:${b.text.slice(0, 20)}`
        : b.type === "tool_use"
          ? `tool_use:${b.name}`
          : b.type === "tool_result"
            ? "tool_result"
            : b.type,
    ),
  );
  const want = [
    "user:text:scenario t-bash",
    "tool_use:Bash",
    "tool_result",
    `assistant:text:${HOSTILE.slice(0, 20)}`,
    "user:text:scenario t-edit",
    "tool_use:Read",
    "tool_result",
    "tool_use:Edit",
    "tool_result",
    "assistant:text:Edited a.txt.",
    "user:text:scenario t-agent",
    "tool_use:Agent",
    "tool_result",
  ];
  let at = 0;
  for (const w of want) {
    const found = seq.indexOf(w, at);
    expect({ w, found, seq }).toMatchObject({ found: expect.any(Number) });
    if (found < 0) throw new Error(`missing ${w} after position ${at} in ${JSON.stringify(seq)}`);
    at = found + 1;
  }
  const bash = main.flatMap((i) => i.blocks).find((b) => b.type === "tool_use" && b.name === "Bash");
  expect(bash).toMatchObject({ input: { command: "echo hi > hi.txt" } });
  // the Edit's change, as Claude Code recorded it
  const editResult = main.find((i) => i.kind === "tool_result" && i.linesAdded > 0)!;
  expect(editResult.linesAdded).toBe(2);
  expect(editResult.linesRemoved).toBe(1);
  const patch = editResult.blocks.find((b) => b.type === "tool_result")!;
  expect(patch.type === "tool_result" && patch.patch?.hunks[0]?.lines).toEqual(["-one", "+uno", "+dos", " two"]);
  // the subagent's work, apart, with its Bash call
  const sub = items.filter((i) => i.agentId !== null);
  expect(
    sub.some((i) =>
      i.blocks.some(
        (b) => b.type === "tool_use" && b.name === "Bash" && (b.input as { command?: string }).command === "echo sub > sub.txt",
      ),
    ),
  ).toBe(true);
  expect(new Set(sub.map((i) => i.agentId)).size).toBe(1);
  // ids increase: the order is the transcript's
  for (let i = 1; i < items.length; i++) expect(items[i]!.id).toBeGreaterThan(items[i - 1]!.id);
});

test("usage figures equal the sums the fake returned, main and subagent apart, in the API and /metrics", async () => {
  const u: SessionUsage = await getJson(`/api/sessions/${c.sessionId}/usage`);
  const subResponses = env.fake.responses.filter((r) => r.scenario === "t-sub");
  const mainResponses = env.fake.responses.filter((r) => r.scenario !== "t-sub");
  expect(env.fake.responses.every((r) => r.model === MODEL)).toBe(true);
  const all = sums(env.fake.responses);
  expect(u.total).toMatchObject({
    input: all.input,
    output: all.output,
    cacheRead: all.cacheRead,
    cacheWrite: all.cacheWrite,
    responses: all.responses,
    costSource: "price-table",
  });
  expect(u.main).toMatchObject(sums(mainResponses));
  expect(u.subagents).toMatchObject(sums(subResponses));
  expect(u.total.costUsd).toBeCloseTo(expectedCost(MODEL, all), 9);
  expect(u.models).toEqual([MODEL]);
  // turns: the three typed prompts and the subagent's completion notice
  expect(u.turns).toBe(4);
  expect(u.perTurn.slice(0, 3).map((t) => t.prompt)).toEqual(["scenario t-bash", "scenario t-edit", "scenario t-agent"]);
  expect(u.perTurn[0]!.usage.responses).toBe(2);
  expect(u.perTurn[1]!.usage.responses).toBe(3);
  expect(u.perTurn[1]!.linesAdded).toBe(2);
  expect(u.perTurn[2]!.subagents.responses).toBe(2);
  expect(u.linesAdded).toBe(2);
  expect(u.linesRemoved).toBe(1);
  expect(u.activeMs).toBeGreaterThan(0);
  expect(u.wallMs).toBeGreaterThanOrEqual(u.activeMs);
  expect(u.partial).toEqual([]);

  const metrics = await (await env.server.api("/metrics")).text();
  const sample = (name: string, labels: string) => Number(new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, "m").exec(metrics)?.[1]);
  expect(sample("claude_remote_tokens_total", `model="${MODEL}",kind="input"`)).toBe(all.input);
  expect(sample("claude_remote_tokens_total", `model="${MODEL}",kind="output"`)).toBe(all.output);
  expect(sample("claude_remote_tokens_total", `model="${MODEL}",kind="cache_read"`)).toBe(all.cacheRead);
  expect(sample("claude_remote_tokens_total", `model="${MODEL}",kind="cache_write"`)).toBe(all.cacheWrite);
  expect(sample("claude_remote_cost_usd_total", `model="${MODEL}"`)).toBeCloseTo(expectedCost(MODEL, all), 9);

  const today = new Date().toISOString().slice(0, 10);
  const byDay = await getJson(`/api/usage?by=day`);
  expect(byDay.buckets.find((b: any) => b.key === today)?.usage).toMatchObject({ input: all.input, output: all.output });
  const byFolder = await getJson(`/api/usage?by=folder`);
  expect(byFolder.buckets.find((b: any) => b.key === c.cwd)).toMatchObject({ sessions: 1, usage: { responses: all.responses } });
  expect((await env.server.api("/api/usage?by=week")).status).toBe(400);
});

test("after a server restart the conversation and figures are still there", async () => {
  const before = await wholeConversation(c.sessionId);
  const { dataDir, url } = env.server;
  await env.server.stop();
  restarted = await startTestServer({ dataDir, port: Number(new URL(url).port) });
  env.server = restarted;
  const after = await wholeConversation(c.sessionId);
  expect(after.map((i) => i.uuid).slice(0, before.length)).toEqual(before.map((i) => i.uuid));
  expect((await getJson(`/api/sessions/${c.sessionId}/usage`)).total.responses).toBe(env.fake.responses.length);
});
