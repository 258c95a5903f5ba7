/** Notifications for questions carry the question and its choices; an answer not taken says so. */
import { expect, test } from "bun:test";
import type { Prompt } from "../../src/protocol/prompts.ts";
import { NoticeBuilder } from "../../src/server/notify/from-events.ts";

/** A prompt event for a partial record (the builder reads only these fields). */
const promptEvent = (prompt: object, change: "created" | "resolved") => ({
  event: "prompt" as const,
  data: { prompt: prompt as Prompt, change },
});
const builder = () =>
  new NoticeBuilder(
    () => "https://remote.example",
    () => ({ name: "build" }),
  );
const question = {
  id: "prm_q_000001",
  sessionId: "s-00000001",
  tool: "AskUserQuestion",
  status: "pending",
  kind: "question",
  input: { questions: [] },
  questions: [{ question: "Which colour should the button be?", options: [{ label: "Crimson" }, { label: "Teal" }] }],
};

test("a question's notification carries the question and its choices, and no approve/deny actions", () => {
  const n = builder().fromEvent(promptEvent(question, "created"))!;
  expect(n.title).toBe("build asks");
  expect(n.body).toBe("Which colour should the button be? Crimson / Teal");
  expect(n.actions).toEqual([]);
});

test("an answer Claude did not take: the prompt's notification says it is still waiting", () => {
  const b = builder();
  b.fromEvent(promptEvent({ ...question, status: "approved", delivery: "sent" }, "resolved"));
  const n = b.fromEvent(promptEvent({ ...question, status: "pending", delivery: "not_taken" }, "resolved"))!;
  expect(n.title).toBe("build: Claude did not take the answer");
  expect(n.body).toContain("still waiting at the terminal");
});

test("choices that fit a button ride along: a single single-select question's, a permission prompt's short ones", () => {
  const n = builder().fromEvent(
    promptEvent(
      {
        ...question,
        questions: [
          {
            ...question.questions[0],
            multiSelect: false,
            options: [
              { key: "1", label: "Crimson" },
              { key: "2", label: "Teal" },
            ],
          },
        ],
      },
      "created",
    ),
  )!;
  expect(n.choices).toEqual([
    { key: "1", label: "Crimson" },
    { key: "2", label: "Teal" },
  ]);
  const multi = { ...question.questions[0], multiSelect: true, options: [{ key: "1", label: "A" }] };
  expect(builder().fromEvent(promptEvent({ ...question, id: "prm_q_000002", questions: [multi] }, "created"))!.choices).toBeUndefined();
  const long = {
    ...question.questions[0],
    multiSelect: false,
    options: [
      { key: "1", label: "A" },
      { key: "2", label: "x".repeat(25) },
    ],
  };
  expect(builder().fromEvent(promptEvent({ ...question, id: "prm_q_000003", questions: [long] }, "created"))!.choices).toBeUndefined();
  const two = [long, long].map((q) => ({ ...q, options: [{ key: "1", label: "A" }] }));
  expect(builder().fromEvent(promptEvent({ ...question, id: "prm_q_000004", questions: two }, "created"))!.choices).toBeUndefined();
  const bash = {
    id: "prm_p_000001",
    sessionId: "s-00000001",
    tool: "Bash",
    status: "pending",
    kind: "permission",
    input: { command: "make" },
    options: [
      { key: "once", label: "Yes" },
      { key: "always", label: "Yes, and don't ask again this session for: make" },
      { key: "no", label: "No" },
    ],
  };
  expect(builder().fromEvent(promptEvent(bash, "created"))!.choices).toEqual([
    { key: "once", label: "Yes" },
    { key: "no", label: "No" },
  ]);
});

test("an MCP form's notification names the server and its message, with no button that could answer it", () => {
  const form = {
    server: "colours",
    message: "Pick a colour for the button",
    fields: [{ name: "colour" }, { name: "shade" }],
    unsupported: null,
  };
  const n = builder().fromEvent(
    promptEvent({ ...question, id: "prm_e_000001", tool: "Elicitation", kind: "elicitation", input: {}, questions: [], form }, "created"),
  )!;
  expect(n.title).toBe("build: colours asks");
  expect(n.body).toBe("Pick a colour for the button (2 fields)");
  expect(n.actions).toEqual([]);
  expect(n.choices).toBeUndefined();
});
