/**
 * AskUserQuestion and ExitPlanMode with the real Claude Code through `claude-remote`: the prompt
 * carries the questions / the plan, answers from the API reach the model exactly (its next
 * tool_result) and close the terminal dialog, bad answers get 400 naming what is allowed, an
 * answer Claude cannot take shows `not_taken` and the prompt is answerable again, and a question
 * answered at the terminal is answered-locally (a late answer gets 409).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Prompt } from "../../src/protocol/prompts.ts";
import { type Scenario, planFilePath } from "../support/fake-anthropic.ts";
import { waitFor } from "../support/wait.ts";
import { type ClaudeSession, type Env, post, startClaude, startEnv, terminalKeys } from "./support.ts";
import { colour, toppings, size } from "./question-samples.ts";

const ask = (...questions: unknown[]) => [{ name: "AskUserQuestion", input: { questions } }];
const PLAN = "# Add a button\n\n1. Create `button.ts`\n2. Wire it <b>up</b>\n\n```ts\nexport const x = 1;\n```\n";
const plan: Scenario = [
  [{ name: "Write", input: (b: any) => ({ file_path: planFilePath(b), content: PLAN }) }],
  [{ name: "ExitPlanMode", input: {} }],
];

const SCENARIOS: Record<string, Scenario> = {
  "ask-one": ask(colour),
  "ask-text": ask(colour),
  "ask-many": ask(toppings, size),
  "ask-mtext-phone": ask(toppings),
  "ask-mtext-local": ask(toppings),
  "ask-local": ask(colour),
  "ask-stuck": ask(colour),
  "ask-late": ask(colour),
  "plan-auto": plan,
  "plan-manual": plan,
  "plan-reject": plan,
};

let env: Env;
beforeAll(async () => {
  env = await startEnv(SCENARIOS);
});
afterAll(async () => {
  await env?.stop();
});

/** The tool_result the model got for the call of this prompt (by its tool_use_id). */
async function resultFor(p: Prompt): Promise<any> {
  return waitFor(
    () => {
      for (const r of env.fake.requests) {
        for (const m of r.messages ?? []) {
          const hit = Array.isArray(m.content)
            ? m.content.find((b: any) => b.type === "tool_result" && b.tool_use_id === p.toolUseId)
            : undefined;
          if (hit) return hit;
        }
      }
      return undefined;
    },
    { timeoutMs: 15_000, what: `the tool_result of ${p.tool}` },
  );
}

async function screenHas(c: ClaudeSession, text: string): Promise<boolean> {
  await c.pty.screen.flush();
  return c.pty.screen.lines().join("\n").includes(text);
}

const waitDelivery = (c: ClaudeSession, id: string, delivery: string) =>
  waitFor(
    async () => {
      const p = await c.promptById(id);
      return p.delivery === delivery ? p : null;
    },
    { timeoutMs: 15_000, what: `prompt ${id} delivery ${delivery}` },
  );

test("one question: the record carries it; option 2 reaches the model as its label and the dialog closes", async () => {
  const c = await startClaude(env);
  try {
    const since = await c.submit("scenario ask-one");
    const p = await c.prompt(since);
    expect(p.kind).toBe("question");
    expect(p.questions).toEqual([
      {
        header: "Colour",
        question: colour.question,
        multiSelect: false,
        text: true,
        options: [
          { key: "1", label: "Crimson", description: "A deep red" },
          { key: "2", label: "Teal", description: "Blue-green" },
        ],
      },
    ]);
    expect(p.options.map((o) => o.label)).toEqual(["Crimson", "Teal", "Type something.", "Chat about this"]);
    await waitFor(() => screenHas(c, "Type something"), { what: "the question dialog" });
    // Bad answers: 400 naming what is allowed, the prompt stays pending.
    const bad = await post(env, `/api/prompts/${p.id}/approve`, { option: "7" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).detail).toContain("1 (Crimson), 2 (Teal)");
    expect((await post(env, `/api/prompts/${p.id}/approve`, { answers: [{ keys: ["1", "2"] }] })).status).toBe(400);
    expect((await post(env, `/api/prompts/${p.id}/approve`, {})).status).toBe(400);
    expect((await c.promptById(p.id)).status).toBe("pending");

    const res = await post(env, `/api/prompts/${p.id}/approve`, { option: "2" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Prompt).delivery).toBe("sent");
    const r = await resultFor(p);
    expect(r.content).toBe(
      `Your questions have been answered: "${colour.question}"="Teal". You can now continue with these answers in mind.`,
    );
    expect(r.is_error).toBeUndefined();
    await waitFor(async () => !(await screenHas(c, "Type something")), { what: "the dialog to close" });
    const done = await waitDelivery(c, p.id, "taken");
    expect(done.status).toBe("approved");
    expect(done.resolution?.answers).toEqual({ [colour.question]: "Teal" });
  } finally {
    await c.stop();
  }
}, 60_000);

test("free text: the model gets the text", async () => {
  const c = await startClaude(env);
  try {
    const since = await c.submit("scenario ask-text");
    const p = await c.prompt(since);
    expect((await post(env, `/api/prompts/${p.id}/approve`, { text: "   " })).status).toBe(400);
    expect((await post(env, `/api/prompts/${p.id}/approve`, { option: "type", text: "Sunset orange" })).status).toBe(200);
    expect((await resultFor(p)).content).toContain(`"${colour.question}"="Sunset orange"`);
    await waitDelivery(c, p.id, "taken");
  } finally {
    await c.stop();
  }
}, 60_000);

test("two questions, one multi-select: several keys and one key; labels joined as the terminal joins them", async () => {
  const c = await startClaude(env);
  try {
    const since = await c.submit("scenario ask-many");
    const p = await c.prompt(since);
    expect(p.questions.map((q) => [q.header, q.multiSelect])).toEqual([
      ["Toppings", true],
      ["Size", false],
    ]);
    const one = await post(env, `/api/prompts/${p.id}/approve`, { option: "1" });
    expect(one.status).toBe(400);
    expect((await one.json()).detail).toContain("asks 2 questions");
    expect((await post(env, `/api/prompts/${p.id}/approve`, { answers: [{ keys: ["1"] }, { keys: ["1", "2"] }] })).status).toBe(400);
    expect((await post(env, `/api/prompts/${p.id}/approve`, { answers: [{ keys: ["1", "2"] }, { keys: ["1"] }] })).status).toBe(200);
    expect((await resultFor(p)).content).toBe(
      `Your questions have been answered: "${toppings.question}"="Cheese, Olives", "${size.question}"="Small". You can now continue with these answers in mind.`,
    );
    await waitFor(async () => !(await screenHas(c, "Submit")), { what: "the dialog to close" });
  } finally {
    await c.stop();
  }
}, 60_000);

test("answered at the terminal: answered-locally, a late answer gets 409", async () => {
  const c = await startClaude(env);
  try {
    const since = await c.submit("scenario ask-local");
    const p = await c.prompt(since);
    await waitFor(() => screenHas(c, "Type something"), { what: "the question dialog" });
    await Bun.sleep(400); // Claude Code drops keys right after drawing a dialog
    c.pty.write("\r"); // the first choice
    const local = await c.waitStatus(p.id, "answered-locally");
    expect(local.resolution?.via).toBe("terminal");
    expect((await resultFor(p)).content).toContain(`="Crimson"`);
    expect((await post(env, `/api/prompts/${p.id}/approve`, { option: "2" })).status).toBe(409);
  } finally {
    await c.stop();
  }
}, 60_000);

test("an answer Claude cannot take (its process stopped): not_taken, pending again, then taken once it runs", async () => {
  const c = await startClaude(env);
  let pid = 0;
  try {
    const since = await c.submit("scenario ask-stuck");
    const p = await c.prompt(since);
    pid = await answerWhileStopped(c, p);
    const stuck = await waitDelivery(c, p.id, "not_taken");
    expect(stuck.status).toBe("pending");
    expect(await screenHas(c, "Type something")).toBe(true);
    process.kill(pid, "SIGCONT");
    pid = 0;
    const taken = await waitDelivery(c, p.id, "taken");
    expect(taken.status).toBe("approved");
    expect((await resultFor(p)).content).toContain(`="Crimson"`);
  } finally {
    if (pid) process.kill(pid, "SIGCONT");
    await c.stop();
  }
}, 60_000);

test("a PostToolUse that comes after not_taken and after the dialog left: taken (the call ran with the phone's answer), not answered-locally", async () => {
  // The wrapper handles hook events late (test-only), so the dialog leaving reaches the server first, as on a loaded box.
  const c = await startClaude(env, { extraEnv: { CLAUDE_REMOTE_TEST_EVENT_DELAY_MS: "2500" } });
  let pid = 0;
  try {
    const since = await c.submit("scenario ask-late");
    const p = await c.prompt(since);
    pid = await answerWhileStopped(c, p);
    await waitDelivery(c, p.id, "not_taken");
    process.kill(pid, "SIGCONT");
    pid = 0;
    await waitFor(async () => !(await screenHas(c, "Type something")), { what: "the dialog gone" });
    const taken = await waitDelivery(c, p.id, "taken");
    expect(taken).toMatchObject({ status: "approved", resolution: { via: "api", option: "1" } });
    expect((await resultFor(p)).content).toContain(`="Crimson"`);
  } finally {
    if (pid) process.kill(pid, "SIGCONT");
    await c.stop();
  }
}, 60_000);

/** Stops Claude (SIGSTOP) once its question is on screen and answers option 1, which it cannot take until it runs again; returns its pid. */
async function answerWhileStopped(c: ClaudeSession, p: Prompt): Promise<number> {
  await waitFor(() => screenHas(c, "Type something"), { what: "the question dialog" });
  const pid = Number(
    Bun.spawnSync(["pgrep", "-P", String(c.pty.proc.pid)])
      .stdout.toString()
      .trim()
      .split("\n")[0],
  );
  expect(pid).toBeGreaterThan(0);
  process.kill(pid, "SIGSTOP");
  const status = (await post(env, `/api/prompts/${p.id}/approve`, { option: "1" })).status;
  if (status !== 200) process.kill(pid, "SIGCONT"); // the caller's finally does not know the pid yet
  expect(status).toBe(200);
  return pid;
}

async function planPrompt(c: ClaudeSession, key: string): Promise<Prompt> {
  const since = await c.submit(`scenario ${key}`);
  const p = await c.prompt(since, (x) => x.tool === "ExitPlanMode");
  expect(p.kind).toBe("plan");
  expect(p.plan).toBe(PLAN);
  expect(p.options.map((o) => o.label)).toEqual(["Yes, and use auto mode", "Yes, manually approve edits", "Tell Claude what to change"]);
  await waitFor(() => screenHas(c, "Ready to code?"), { what: "the plan dialog" });
  return p;
}

test("plan: 'Yes, and use auto mode' approves the plan and switches to auto mode, as at the terminal", async () => {
  const c = await startClaude(env, { mode: "plan" });
  try {
    const p = await planPrompt(c, "plan-auto");
    expect((await post(env, `/api/prompts/${p.id}/approve`, { option: "1" })).status).toBe(200);
    expect((await resultFor(p)).content).toContain("User has approved your plan.");
    await waitFor(() => screenHas(c, "auto mode on"), { what: "auto mode" });
    await waitDelivery(c, p.id, "taken");
  } finally {
    await c.stop();
  }
}, 60_000);

test("plan: 'Yes, manually approve edits' approves and leaves manual mode", async () => {
  const c = await startClaude(env, { mode: "plan" });
  try {
    const p = await planPrompt(c, "plan-manual");
    expect((await post(env, `/api/prompts/${p.id}/approve`, { option: "2" })).status).toBe(200);
    expect((await resultFor(p)).content).toContain("User has approved your plan.");
    await waitFor(() => screenHas(c, "manual mode on"), { what: "manual mode" });
  } finally {
    await c.stop();
  }
}, 60_000);

test("plan: reject with a message keeps planning and the model gets the message", async () => {
  const c = await startClaude(env, { mode: "plan" });
  try {
    const p = await planPrompt(c, "plan-reject");
    expect((await post(env, `/api/prompts/${p.id}/reject`, { message: "Please also add tests." })).status).toBe(200);
    expect(await resultFor(p)).toMatchObject({ content: "Please also add tests.", is_error: true });
    await waitFor(async () => !(await screenHas(c, "Ready to code?")), { what: "the dialog to close" });
    expect(await screenHas(c, "plan mode on")).toBe(true);
  } finally {
    await c.stop();
  }
}, 60_000);

test("multi-select with free text: the phone's answer reaches the model in the terminal's wording", async () => {
  // at the terminal (hooks on, the dialog drawn while the hook waits): tick Cheese, ↓ to Type something, type, ↓ Submit, Enter, Enter
  const c = await startClaude(env);
  let atTerminal: string;
  try {
    const since = await c.submit("scenario ask-mtext-local");
    const p = await c.prompt(since);
    const { now, press } = terminalKeys(c);
    await waitFor(() => screenHas(c, "Type something"), { what: "the question dialog" });
    await press("1", (d) => !!d?.checked?.includes("1"), "Cheese ticked");
    for (const row of ["2", "3", "4"]) await press("\x1b[B", (d) => d?.selected === row, `row ${row}`);
    c.pty.write("Pineapple");
    await waitFor(async () => (await now())?.typed === "Pineapple", { what: "typed" });
    c.pty.write("\x1b[B");
    await waitFor(async () => (await now())?.selected === "submit", { what: "Submit" });
    c.pty.write("\r");
    await waitFor(async () => (await now())?.question === "Review your answers", { what: "review" });
    c.pty.write("\r");
    await c.waitStatus(p.id, "answered-locally");
    atTerminal = (await resultFor(p)).content;
    expect(atTerminal).toStartWith(`The user answered: "${toppings.question}"="Cheese, Pineapple".`);
  } finally {
    await c.stop();
  }
  // from the phone (a new conversation): the hook's updatedInput.answers, the same tool_result
  const phone = await startClaude(env);
  try {
    const since = await phone.submit("scenario ask-mtext-phone");
    const p = await phone.prompt(since);
    expect((await post(env, `/api/prompts/${p.id}/approve`, { answers: [{ keys: ["1"], text: "Pineapple" }] })).status).toBe(200);
    expect((await resultFor(p)).content).toBe(atTerminal);
  } finally {
    await phone.stop();
  }
}, 90_000);
