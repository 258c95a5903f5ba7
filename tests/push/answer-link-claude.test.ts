/**
 * The real Claude Code through `claude-remote`: an AskUserQuestion reaches ntfy with its choices as
 * answer buttons; pressing "Teal" the way the ntfy app does (the action's URL, method, headers,
 * body) answers the prompt, the model's tool_result carries exactly "Teal", the terminal dialog
 * closes, and the button's reply says the answer was taken.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Prompt } from "../../src/protocol/prompts.ts";
import { waitFor } from "../support/wait.ts";
import { type Env, startClaude, startEnv } from "../prompts/support.ts";
import { type Receiver, startReceiver } from "./support.ts";
import { colour } from "../prompts/question-samples.ts";

type NtfyAction = { action: string; label: string; url: string; method?: string; headers?: Record<string, string>; body?: string };

let env: Env;
let ntfy: Receiver;

beforeAll(async () => {
  ntfy = startReceiver(200);
  // No PUBLIC_URL: answer links start at the listening URL, which this test can reach.
  env = await startEnv(
    { "ask-colour": [{ name: "AskUserQuestion", input: { questions: [colour] } }] },
    { serverEnv: { CLAUDE_REMOTE_NTFY_URL: `${ntfy.url}/claude-topic`, CLAUDE_REMOTE_NTFY_ACTIONS: "approve" } },
  );
});
afterAll(async () => {
  await env?.stop();
  ntfy?.stop();
});

test("a question answered from its ntfy button: the model receives that label, the dialog closes, the reply says taken", async () => {
  const c = await startClaude(env);
  try {
    const since = await c.submit("scenario ask-colour");
    const p = await c.prompt(since);
    expect(p.kind).toBe("question");
    const actions = await waitFor(
      () =>
        ntfy.received
          .map((r) => JSON.parse(r.body.toString()) as { actions: NtfyAction[] })
          .find((m) => m.actions.some((a) => a.url.includes(`/api/prompts/${p.id}/answer-link/`)))?.actions ?? null,
      { what: "the question's ntfy message with answer buttons" },
    );
    expect(actions.map((a) => [a.action, a.label])).toEqual([
      ["http", "Crimson"],
      ["http", "Teal"],
      ["view", "Open"],
    ]);
    await waitFor(
      async () => {
        await c.pty.screen.flush();
        return c.pty.screen.lines().join("\n").includes("Type something");
      },
      { what: "the question dialog on the terminal" },
    );
    const teal = actions[1];
    const res = await fetch(teal.url, { method: teal.method, headers: teal.headers, body: teal.body });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ promptId: p.id, option: "2", label: "Teal", status: "approved", delivery: "taken" });

    const result = await waitFor(
      () => {
        for (const r of env.fake.requests)
          for (const m of r.messages ?? []) {
            const hit = Array.isArray(m.content)
              ? m.content.find((b: any) => b.type === "tool_result" && b.tool_use_id === p.toolUseId)
              : undefined;
            if (hit) return hit;
          }
        return undefined;
      },
      { timeoutMs: 15_000, what: "the tool_result of AskUserQuestion" },
    );
    expect(result.content).toBe(
      `Your questions have been answered: "${colour.question}"="Teal". You can now continue with these answers in mind.`,
    );
    await waitFor(
      async () => {
        await c.pty.screen.flush();
        return !c.pty.screen.lines().join("\n").includes("Type something");
      },
      { what: "the dialog to close" },
    );
    const done = (await c.promptById(p.id)) as Prompt;
    expect(done.resolution?.answers).toEqual({ [colour.question]: "Teal" });
    // The other button no longer answers.
    const crimson = actions[0];
    expect((await fetch(crimson.url, { method: crimson.method, headers: crimson.headers, body: crimson.body })).status).toBe(404);
  } finally {
    await c.stop();
  }
}, 90_000);
