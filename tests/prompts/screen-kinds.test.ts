/**
 * Hooks off (`disableAllHooks` in --settings; `--bare` drops both tools): Claude Code's
 * AskUserQuestion and ExitPlanMode dialogs are read off the screen into question / plan prompts
 * and answered with keys, and the model receives exactly the chosen label, text or plan approval.
 * The recorded screens (tests/prompts/fixtures/claude-<version>/, by record-kinds.ts) are parsed too.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { detectDialog, sameDialog } from "../../src/agents/screen-dialogs.ts";
import type { Prompt } from "../../src/protocol/prompts.ts";
import { type Scenario, planFilePath } from "../support/fake-anthropic.ts";
import { waitFor } from "../support/wait.ts";
import { type ClaudeSession, type Env, post, startClaude, startEnv, terminalKeys } from "./support.ts";
import { colour, size, toppings } from "./question-samples.ts";

const PLAN = "# Add a button\n\n1. Create `button.ts`\n2. Wire it up\n";
const ask = (q: unknown): Scenario => [{ name: "AskUserQuestion", input: { questions: [q] } }];
const SCENARIOS: Record<string, Scenario> = {
  "off-one": ask(colour),
  "off-text": ask(colour),
  "off-multi": ask(toppings),
  "off-phone-mtext": ask(toppings),
  "off-mtext-local": ask(toppings),
  "off-many": [{ name: "AskUserQuestion", input: { questions: [toppings, size] } }],
  "off-tabtext-local": [{ name: "AskUserQuestion", input: { questions: [toppings, size] } }],
  "off-tabtext-phone": [{ name: "AskUserQuestion", input: { questions: [toppings, size] } }],
  "off-plan": [
    [{ name: "Write", input: (b: any) => ({ file_path: planFilePath(b), content: PLAN }) }],
    [{ name: "ExitPlanMode", input: {} }],
  ],
};
const HOOKS_OFF = ["--settings", JSON.stringify({ disableAllHooks: true })];

let env: Env;
beforeAll(async () => {
  env = await startEnv(SCENARIOS);
});
afterAll(async () => {
  await env?.stop();
});

/** The content of the first tool_result for `tool` the model got after request `from`. */
function resultOf(tool: string, from: number): Promise<string> {
  return waitFor(
    () => {
      for (const r of env.fake.requests.slice(from)) {
        const blocks = (r.messages ?? []).flatMap((m: any) => (Array.isArray(m.content) ? m.content : []));
        const use = blocks.find((b: any) => b.type === "tool_use" && b.name === tool);
        const res = use && blocks.find((b: any) => b.type === "tool_result" && b.tool_use_id === use.id);
        if (res) return typeof res.content === "string" ? res.content : JSON.stringify(res.content);
      }
      return undefined;
    },
    { timeoutMs: 15_000, what: `the ${tool} tool_result` },
  );
}

async function screenPrompt(c: ClaudeSession, scenario: string): Promise<{ p: Prompt; from: number }> {
  const from = env.fake.requests.length;
  const since = await c.submit(`scenario ${scenario}`);
  const p = await c.prompt(since, (x) => x.kind !== "permission");
  return { p, from };
}

// 2.1.332 draws the question dialog at the bottom of the screen and the no-plan dialog one column further left.
for (const version of ["2.1.330", "2.1.332", "2.1.337"])
  test(`the recorded question and plan screens of ${version} parse into their kinds`, () => {
    const screen = (n: string) =>
      readFileSync(join(import.meta.dir, `fixtures/claude-${version}`, `${n}.screen.txt`), "utf8")
        .split("\n")
        .slice(0, 30);
    expect(detectDialog(screen("one"))).toMatchObject({
      kind: "question",
      multiSelect: false,
      title: "Colour",
      question: colour.question,
      options: [
        { key: "1", label: "Crimson", description: "A deep red" },
        { key: "2", label: "Teal", description: "Blue-green" },
        { key: "3", label: "Type something." },
        { key: "4", label: "Chat about this" },
      ],
    });
    // the selection moving is the same dialog (its identity ignores it)
    expect(detectDialog(screen("one-down"))).toMatchObject({ selected: "2", question: colour.question });
    expect(detectDialog(screen("multi"))).toMatchObject({ kind: "question", multiSelect: true, title: "Toppings" });
    // several questions (tabs ☐ Toppings ☐ Size): only the current tab's is drawn, and read
    expect(detectDialog(screen("many"))).toMatchObject({ kind: "question", multiSelect: true, title: "Toppings · Size", questionCount: 2 });
    expect(detectDialog(screen("plan"))).toMatchObject({
      kind: "plan",
      title: "Ready to code?",
      options: [{ label: "Yes, and use auto mode" }, { label: "Yes, manually approve edits" }, { label: "Tell Claude what to change" }],
    });
    expect(detectDialog(screen("plan"))!.body).toContain("1. Create button.ts");
    expect(detectDialog(screen("noplan"))).toMatchObject({
      kind: "plan",
      title: "Exit plan mode?",
      options: [{ key: "1" }, { key: "2", label: "No" }],
    });
  });

for (const version of ["2.1.330", "2.1.337"])
  test(`the recorded free text of a multi-select (${version}): the row keeps reading as Type something, its text as typed`, () => {
    const screen = (n: string) =>
      detectDialog(readFileSync(join(import.meta.dir, `fixtures/claude-${version}`, `${n}.screen.txt`), "utf8").split("\n"));
    expect(screen("multi-type-focus")).toMatchObject({ kind: "question", selected: "4", checked: ["1"] });
    expect(screen("multi-type-focus")!.typed).toBeUndefined();
    const typed = screen("multi-typed")!;
    expect(typed).toMatchObject({ kind: "question", selected: "4", checked: ["1", "4"], typed: "Pineapple" });
    expect(typed.options[3]).toEqual({ key: "4", label: "Type something" });
    expect(sameDialog(typed, screen("multi"))).toBe(true);
    expect(screen("multi-submit")).toMatchObject({ kind: "question", selected: "submit", typed: "Pineapple" });
    expect(screen("multi-review")).toMatchObject({
      question: "Review your answers",
      body: expect.arrayContaining(["→ Cheese, Pineapple"]),
    });
  });

for (const version of ["2.1.330", "2.1.337"])
  test(`the recorded free text in one of several tabs (${version}): typed into Type something, ↓ to Next, Enter shows the next tab`, () => {
    const screen = (n: string) =>
      detectDialog(readFileSync(join(import.meta.dir, `fixtures/claude-${version}`, `${n}.screen.txt`), "utf8").split("\n"));
    expect(screen("many-type-focus")).toMatchObject({ kind: "question", questionCount: 2, selected: "4", checked: ["1"] });
    expect(screen("many-typed")).toMatchObject({ questionCount: 2, selected: "4", checked: ["1", "4"], typed: "Pineapple" });
    expect(screen("many-next")).toMatchObject({ questionCount: 2, selected: "submit", typed: "Pineapple" });
    expect(screen("many-after-next")).toMatchObject({ questionCount: 2, multiSelect: false, question: size.question });
    expect(screen("many-text-review")).toMatchObject({
      question: "Review your answers",
      body: expect.arrayContaining(["→ Cheese, Pineapple", "→ Large"]),
    });
  });

test("hooks off, a question: a screen prompt with its choices; a choice's digit answers it, the model gets that label", async () => {
  const c = await startClaude(env, { args: HOOKS_OFF });
  try {
    const { p, from } = await screenPrompt(c, "off-one");
    expect(p).toMatchObject({
      source: "screen",
      kind: "question",
      questions: [
        {
          header: "Colour",
          question: colour.question,
          multiSelect: false,
          options: [
            { key: "1", label: "Crimson", description: "A deep red" },
            { key: "2", label: "Teal", description: "Blue-green" },
          ],
        },
      ],
    });
    expect((await post(env, `/api/prompts/${p.id}/approve`, { option: "9" })).status).toBe(400);
    expect((await post(env, `/api/prompts/${p.id}/approve`, { option: "2" })).status).toBe(200);
    expect(await resultOf("AskUserQuestion", from)).toContain(`"${colour.question}"="Teal"`);
    expect((await c.promptById(p.id)).status).toBe("approved");
  } finally {
    await c.stop();
  }
}, 60_000);

test("hooks off, free text: typed into the dialog's 'Type something', the model gets the text", async () => {
  const c = await startClaude(env, { args: HOOKS_OFF });
  try {
    const { p, from } = await screenPrompt(c, "off-text");
    expect((await post(env, `/api/prompts/${p.id}/approve`, { text: "Mauve" })).status).toBe(200);
    expect(await resultOf("AskUserQuestion", from)).toContain(`"${colour.question}"="Mauve"`);
  } finally {
    await c.stop();
  }
}, 60_000);

test("hooks off, multi-select: the chosen boxes ticked and submitted, the model gets the labels joined", async () => {
  const c = await startClaude(env, { args: HOOKS_OFF });
  try {
    const { p, from } = await screenPrompt(c, "off-multi");
    expect(p.questions[0]).toMatchObject({ multiSelect: true, options: [{ label: "Cheese" }, { label: "Olives" }, { label: "Basil" }] });
    expect((await post(env, `/api/prompts/${p.id}/approve`, { answers: [{ keys: ["1", "3"] }] })).status).toBe(200);
    expect(await resultOf("AskUserQuestion", from)).toContain(`"${toppings.question}"="Cheese, Basil"`);
  } finally {
    await c.stop();
  }
}, 60_000);

test("hooks off, multi-select with free text: ticked, typed into 'Type something', the model gets what the terminal sends", async () => {
  const c = await startClaude(env, { args: HOOKS_OFF });
  let atTerminal: string;
  try {
    // at the terminal first: tick Cheese, ↓ to the Type something row, type, ↓ to Submit, Enter, Enter on the review
    const local = await screenPrompt(c, "off-mtext-local");
    const { now, press } = terminalKeys(c);
    await press("1", (d) => !!d?.checked?.includes("1"), "Cheese ticked");
    await press("\x1b[B", (d) => d?.selected === "2", "row 2");
    await press("\x1b[B", (d) => d?.selected === "3", "row 3");
    await press("\x1b[B", (d) => d?.selected === "4", "row 4");
    c.pty.write("Pineapple");
    await waitFor(async () => (await now())?.typed === "Pineapple", { what: "typed" });
    c.pty.write("\x1b[B");
    await waitFor(async () => (await now())?.selected === "submit", { what: "Submit" });
    c.pty.write("\r");
    await waitFor(async () => (await now())?.question === "Review your answers", { what: "review" });
    c.pty.write("\r");
    atTerminal = await resultOf("AskUserQuestion", local.from);
    expect(atTerminal).toContain(`"${toppings.question}"="Cheese, Pineapple"`);
    await waitFor(async () => (await c.promptById(local.p.id)).status !== "pending", { what: "the local prompt settled" });
  } finally {
    await c.stop();
  }
  // from the phone (a new conversation): the same answer, the same tool_result
  const phone = await startClaude(env, { args: HOOKS_OFF });
  try {
    const { p, from } = await screenPrompt(phone, "off-phone-mtext");
    expect((await post(env, `/api/prompts/${p.id}/approve`, { answers: [{ keys: ["1"], text: "Pineapple" }] })).status).toBe(200);
    expect(await resultOf("AskUserQuestion", from)).toBe(atTerminal);
  } finally {
    await phone.stop();
  }
}, 90_000);

test("hooks off, plan approval: a plan prompt with the plan as drawn; option 2 approves it, manual mode after", async () => {
  const c = await startClaude(env, { args: HOOKS_OFF, mode: "plan" });
  try {
    const { p, from } = await screenPrompt(c, "off-plan");
    expect(p).toMatchObject({ source: "screen", kind: "plan", title: "Ready to code?" });
    expect(p.plan).toContain("Add a button");
    expect(p.options.map((o) => o.label)).toEqual(["Yes, and use auto mode", "Yes, manually approve edits", "Tell Claude what to change"]);
    expect((await post(env, `/api/prompts/${p.id}/approve`, { option: "2" })).status).toBe(200);
    expect(await resultOf("ExitPlanMode", from)).toContain("User has approved your plan");
    await waitFor(async () => (await c.pty.screen.flush(), c.pty.screen.lines().some((l) => l.includes("manual mode on"))), {
      what: "manual mode",
    });
  } finally {
    await c.stop();
  }
}, 60_000);

test("hooks off, several questions: each tab a screen prompt in turn, then the review; the model gets every chosen label", async () => {
  const c = await startClaude(env, { args: HOOKS_OFF });
  try {
    const { p, from } = await screenPrompt(c, "off-many");
    expect(p).toMatchObject({
      source: "screen",
      kind: "question",
      questions: [{ header: "Toppings · Size", question: toppings.question, multiSelect: true }],
    });
    let since = Date.now() - 1;
    expect((await post(env, `/api/prompts/${p.id}/approve`, { answers: [{ keys: ["1", "3"] }] })).status).toBe(200);
    const second = await c.prompt(since, (x) => x.id !== p.id && x.kind === "question");
    expect(second).toMatchObject({ questions: [{ header: "Toppings · Size", question: size.question, multiSelect: false }] });
    since = Date.now() - 1;
    expect((await post(env, `/api/prompts/${second.id}/approve`, { option: "2" })).status).toBe(200);
    const review = await c.prompt(since, (x) => x.id !== second.id && x.id !== p.id);
    expect(review).toMatchObject({ source: "screen", title: "Submit", question: "Review your answers" });
    expect(review.body).toContain("→ Cheese, Basil");
    expect((await post(env, `/api/prompts/${review.id}/approve`, { option: "1" })).status).toBe(200);
    const result = await resultOf("AskUserQuestion", from);
    expect(result).toContain(`"${toppings.question}"="Cheese, Basil"`);
    expect(result).toContain(`"${size.question}"="Large"`);
  } finally {
    await c.stop();
  }
});

test("hooks off, free text in one of several tabs: typed, Next, the next tab; the model gets what the terminal sends", async () => {
  const c = await startClaude(env, { args: HOOKS_OFF });
  let atTerminal: string;
  try {
    // at the terminal: tick Cheese, ↓ to the Type something row, type, ↓ to Next, Enter; 2 (Large); Enter on the review
    const local = await screenPrompt(c, "off-tabtext-local");
    const { now, press } = terminalKeys(c);
    await press("1", (d) => !!d?.checked?.includes("1"), "Cheese ticked");
    for (const row of ["2", "3", "4"]) await press("\x1b[B", (d) => d?.selected === row, `row ${row}`);
    c.pty.write("Pineapple");
    await waitFor(async () => (await now())?.typed === "Pineapple", { what: "typed" });
    c.pty.write("\x1b[B");
    await waitFor(async () => (await now())?.selected === "submit", { what: "Next" });
    c.pty.write("\r");
    await waitFor(async () => (await now())?.question === size.question, { what: "the Size tab" });
    c.pty.write("2");
    await waitFor(async () => (await now())?.question === "Review your answers", { what: "review" });
    c.pty.write("\r");
    atTerminal = await resultOf("AskUserQuestion", local.from);
    expect(atTerminal).toContain(`"${toppings.question}"="Cheese, Pineapple"`);
    expect(atTerminal).toContain(`"${size.question}"="Large"`);
  } finally {
    await c.stop();
  }
  // from the phone (a new conversation): the same answers, the same tool_result
  const phone = await startClaude(env, { args: HOOKS_OFF });
  try {
    const { p, from } = await screenPrompt(phone, "off-tabtext-phone");
    let since = Date.now() - 1;
    expect((await post(env, `/api/prompts/${p.id}/approve`, { answers: [{ keys: ["1"], text: "Pineapple" }] })).status).toBe(200);
    const second = await phone.prompt(since, (x) => x.id !== p.id && x.kind === "question");
    expect(second.questions[0]).toMatchObject({ question: size.question });
    since = Date.now() - 1;
    expect((await post(env, `/api/prompts/${second.id}/approve`, { option: "2" })).status).toBe(200);
    const review = await phone.prompt(since, (x) => x.id !== second.id && x.id !== p.id);
    expect(review.body).toContain("→ Cheese, Pineapple");
    expect((await post(env, `/api/prompts/${review.id}/approve`, { option: "1" })).status).toBe(200);
    expect(await resultOf("AskUserQuestion", from)).toBe(atTerminal);
  } finally {
    await phone.stop();
  }
}, 120_000);
