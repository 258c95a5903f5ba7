/**
 * MCP elicitation without Claude Code: the form read from a requestedSchema, content checked
 * against it (400 messages name what is allowed), and the wrapper's tracker (HookElicitations)
 * turning Elicitation / ElicitationResult hooks into prompt frames and hook outputs.
 */
import { describe, expect, test } from "bun:test";
import { HookElicitations } from "../../src/agents/claude/hook-elicitations.ts";
import { elicitationOnScreen } from "../../src/agents/claude/elicitation-screen.ts";
import type { ClientFrame } from "../../src/protocol/frames.ts";
import type { Prompt, PromptAnswer } from "../../src/protocol/prompts.ts";
import { shapeOf } from "../../src/protocol/questions.ts";
import { elicitationChoice } from "../../src/server/prompts/elicitation-answers.ts";

const schema = {
  type: "object",
  properties: {
    email: { type: "string", format: "email" },
    day: { type: "string", format: "date", title: "Day" },
    size: { type: "number", minimum: 0.5 },
    plan: {
      type: "string",
      oneOf: [
        { const: "free", title: "Free" },
        { const: "pro", title: "Pro" },
      ],
    },
  },
  required: ["email"],
};
function promptFor(requestedSchema: Record<string, unknown>): Prompt {
  const input = { server: "s", message: "m", requestedSchema };
  return { tool: "Elicitation", input, ...shapeOf("Elicitation", input) } as unknown as Prompt;
}

describe("the form", () => {
  test("fields from the schema: formats, oneOf titles; an array field is unsupported", () => {
    const p = promptFor(schema);
    expect(p.kind).toBe("elicitation");
    expect(p.form!.fields.map((f) => [f.name, f.type, f.format, f.required])).toEqual([
      ["email", "string", "email", true],
      ["day", "string", "date", false],
      ["size", "number", null, false],
      ["plan", "enum", null, false],
    ]);
    expect(p.form!.fields[3]!.choices).toEqual([
      { value: "free", label: "Free" },
      { value: "pro", label: "Pro" },
    ]);
    const odd = promptFor({ type: "object", properties: { tags: { type: "array", items: { type: "string" } } } });
    expect(odd.form!.unsupported).toBe(`field "tags" has type "array"`);
    expect(() => elicitationChoice(odd, { content: {} })).toThrow("cannot be filled from claude-remote");
    expect(elicitationChoice(odd, { option: "decline" }).elicitation).toEqual({ action: "decline" });
  });

  test("a form past 64 fields or 200 choices, or one the wrapper cut, is unsupported and says what is left out", () => {
    const properties = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`f${i}`, { type: "string" }]));
    const big = promptFor({ type: "object", properties });
    expect(big.form!.fields).toHaveLength(64);
    expect(big.form!.unsupported).toBe(
      `the form has 70 fields and only 64 can be shown here (not shown: "f64", "f65", "f66", "f67", "f68" and 1 more)`,
    );
    expect(() => elicitationChoice(big, { content: { f0: "x" } })).toThrow("cannot be filled from claude-remote");
    const cut = { server: "s", message: "m", requestedSchema: schema, clipped: true };
    expect(shapeOf("Elicitation", cut).form!.unsupported).toBe("the form was too large to pass on in full, so part of its schema was cut");
    const many = Array.from({ length: 250 }, (_, i) => `c${i}`);
    const wide = promptFor({
      type: "object",
      properties: { pick: { type: "string", enum: many }, one: { type: "string", oneOf: many.map((c) => ({ const: c })) } },
    });
    expect(wide.form!.fields[0]!.choices).toHaveLength(200);
    expect(wide.form!.unsupported).toBe(
      `field "pick" has 250 choices and only 200 can be shown here; field "one" has 250 choices and only 200 can be shown here`,
    );
    expect(promptFor({ type: "object", properties: { pick: { type: "string", enum: many.slice(0, 200) } } }).form!.unsupported).toBeNull();
    const two = promptFor({ type: "object", properties: { a: { type: "array" }, b: { type: "object" } } });
    expect(two.form!.unsupported).toBe(`field "a" has type "array"; field "b" has type "object"`);
  });

  test("content is checked against the schema, every problem named", () => {
    const p = promptFor(schema);
    expect(elicitationChoice(p, { content: { email: "a@b.co", day: "2026-12-07", size: 0.5, plan: "pro" } }).elicitation).toEqual({
      action: "accept",
      content: { email: "a@b.co", day: "2026-12-07", size: 0.5, plan: "pro" },
    });
    expect(() => elicitationChoice(p, { content: { email: "nope", day: "7 Dec", size: 0.1, plan: "gold" } })).toThrow(
      `"email": a string (email), got "nope"; "day": a string (date), got "7 Dec"; "size": a number of at least 0.5, got 0.1; "plan": one of "free" (Free), "pro" (Pro), got "gold"`,
    );
    expect(() => elicitationChoice(p, { content: {}, answers: [] })).toThrow("an elicitation takes content");
    expect(() => elicitationChoice(p, { option: "cancel", content: {} })).toThrow("cancel takes no content");
  });

  test("the terminal's form is recognised on the screen, for this server only", () => {
    const lines = [
      "  MCP server “elicit” requests your input",
      "",
      "  Tell me",
      "    Accept    Decline",
      "  Esc to cancel · ↑/↓ to navigate",
    ];
    expect(elicitationOnScreen(lines, "elicit")).toBe(true);
    expect(elicitationOnScreen(lines, "other")).toBe(false);
    expect(elicitationOnScreen(lines.slice(0, 4), "elicit")).toBe(false);
  });
});

describe("HookElicitations (the wrapper)", () => {
  function tracker() {
    const sent: ClientFrame[] = [];
    let answer: (f: PromptAnswer) => void = () => {};
    const t = new HookElicitations("s-1");
    t.attach({ sendControl: (f) => void sent.push(f), onReadyAgain: () => {}, onPromptAnswer: (fn) => void (answer = fn) });
    return { t, sent, answer: (f: PromptAnswer) => answer(f) };
  }
  const base = { session_id: "cc-1", mcp_server_name: "elicit" };
  const open = (t: HookElicitations) =>
    t.elicitation({ ...base, hook_event_name: "Elicitation", message: "m", mode: "form", requested_schema: { type: "object" } });

  test("Elicitation: prompt.open paired with the MCP call's PreToolUse, and no output (the terminal draws its form)", () => {
    const { t, sent } = tracker();
    t.event({ ...base, hook_event_name: "PreToolUse", tool_name: "mcp__elicit__ask", tool_use_id: "toolu_1", tool_input: {} });
    expect(open(t)).toEqual({});
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      type: "prompt.open",
      tool: "Elicitation",
      toolUseId: "toolu_1",
      input: { server: "elicit", tool: "mcp__elicit__ask" },
    });
  });

  test("a kept answer is the ElicitationResult output after our Esc (cancel); a cancel answer gives no output", () => {
    const { t, sent, answer } = tracker();
    open(t);
    const id = (sent[0] as any).promptId;
    answer({
      type: "prompt.answer",
      sessionId: "s-1",
      promptId: id,
      decision: "allow",
      elicitation: { action: "accept", content: { a: 1 } },
    });
    expect(t.elicitation({ ...base, hook_event_name: "ElicitationResult", action: "cancel" })).toEqual({
      hookSpecificOutput: { hookEventName: "ElicitationResult", action: "accept", content: { a: 1 } },
    });
    expect(sent[1]).toMatchObject({ type: "prompt.taken", promptId: id, reason: "ElicitationResult" });
    open(t);
    const id2 = (sent[2] as any).promptId;
    answer({ type: "prompt.answer", sessionId: "s-1", promptId: id2, decision: "deny", elicitation: { action: "cancel" } });
    expect(t.elicitation({ ...base, hook_event_name: "ElicitationResult", action: "cancel" })).toEqual({});
    expect(sent[3]).toMatchObject({ type: "prompt.taken", promptId: id2 });
  });

  test("an ElicitationResult with nothing kept, or another action than cancel, is the terminal's answer", () => {
    const { t, sent, answer } = tracker();
    open(t);
    expect(t.elicitation({ ...base, hook_event_name: "ElicitationResult", action: "accept", content: { a: 2 } })).toEqual({});
    expect(sent[1]).toMatchObject({
      type: "prompt.closed",
      how: "answered-locally",
      decision: "allow",
      reason: "ElicitationResult accept",
    });
    open(t);
    const id = (sent[2] as any).promptId;
    answer({ type: "prompt.answer", sessionId: "s-1", promptId: id, decision: "allow", elicitation: { action: "accept", content: {} } });
    expect(t.elicitation({ ...base, hook_event_name: "ElicitationResult", action: "decline" })).toEqual({});
    expect(sent[3]).toMatchObject({ type: "prompt.closed", promptId: id, how: "answered-locally", decision: "deny" });
  });

  test("a schema too large to pass on is marked clipped (an unsupported form); a long message alone is not; past any cut the message stays", () => {
    const { t, sent } = tracker();
    const long = { type: "string", description: "d".repeat(200 * 1024) };
    t.elicitation({
      ...base,
      hook_event_name: "Elicitation",
      message: "m",
      mode: "form",
      requested_schema: { type: "object", properties: { a: long } },
    });
    const input = (sent[0] as any).input;
    expect(input.clipped).toBe(true);
    expect(shapeOf("Elicitation", input).form!.unsupported).toContain("part of its schema was cut");
    t.elicitation({ ...base, hook_event_name: "Elicitation", message: "m".repeat(200 * 1024), mode: "form", requested_schema: schema });
    const input2 = (sent[1] as any).input;
    expect(input2.clipped).toBeUndefined();
    expect(shapeOf("Elicitation", input2).form!.unsupported).toBeNull();
    // Too large for any cut (thousands of fields): who asks and what stay, the form is declinable only.
    const props = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`field${i}`, { type: "string", title: `Field ${i}` }]));
    t.elicitation({ ...base, hook_event_name: "Elicitation", message: "Pick one", mode: "form", requested_schema: { properties: props } });
    const input3 = (sent[2] as any).input;
    expect(input3).toMatchObject({ server: "elicit", message: "Pick one", mode: "form", clipped: true, requestedSchema: {} });
    expect(shapeOf("Elicitation", input3).form).toMatchObject({ server: "elicit", message: "Pick one", fields: [] });
    expect(shapeOf("Elicitation", input3).form!.unsupported).toBe(
      "the form was too large to pass on, so none of its fields can be shown here",
    );
  });

  test("the MCP call ending with the form open cancels it; at most 16 forms are kept", () => {
    const { t, sent } = tracker();
    t.event({ ...base, hook_event_name: "PreToolUse", tool_name: "mcp__elicit__ask", tool_use_id: "toolu_9", tool_input: {} });
    open(t);
    t.event({ ...base, hook_event_name: "PostToolUseFailure", tool_name: "mcp__elicit__ask", tool_use_id: "toolu_9", tool_input: {} });
    expect(sent[1]).toMatchObject({ type: "prompt.closed", how: "cancelled", reason: "PostToolUseFailure" });
    for (let i = 0; i < 20; i++) open(t);
    // The 4 oldest past 16 are closed on the server too, each after its own open.
    const opens = sent.filter((f) => f.type === "prompt.open").map((f) => (f as any).promptId);
    const evicted = sent.filter((f) => f.type === "prompt.closed" && f.reason === "evicted");
    expect(evicted.map((f) => (f as any).promptId)).toEqual(opens.slice(1, 5));
    expect(evicted.every((f) => (f as any).how === "cancelled")).toBe(true);
    t.exited();
    expect(sent.filter((f) => f.type === "prompt.closed" && f.reason === "exit")).toHaveLength(16);
  });
});
