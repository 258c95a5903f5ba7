/**
 * Answers to the two prompts that are not "may this tool run": AskUserQuestion (the model gets
 * the chosen labels or the typed text as `answers`) and ExitPlanMode (the tool input goes back as
 * `updatedInput`, with the permission mode the terminal's choice would set). Options and labels
 * are the terminal's, as drawn by Claude Code 2.1.330 (docs/agents/claude-code.md).
 */
import type { DialogOption, ScreenDialog } from "../../protocol/dialog.ts";
import { CHAT_LABEL, TYPE_LABEL } from "../../agents/claude/question-dialog.ts";
import type { Prompt, QuestionAnswer } from "../../protocol/prompts.ts";
import type { Question } from "../../protocol/questions.ts";
import { type Choice, OptionError } from "./prompt-answers.ts";

const TYPE_KEY = "type";
const CHAT_KEY = "chat";

/** What the terminal's "Chat about this" tells the model (it denies the call with this text). */
function chatMessage(questions: Question[]): string {
  return [
    "The user wants to clarify these questions.",
    "This means they may have additional information, context or questions for you.",
    "Take their response into account and then reformulate the questions if appropriate.",
    "Start by asking them what they would like to clarify.",
    "",
    "Questions asked:",
    ...questions.map((q) => `- ${JSON.stringify(q.question)}\n  (No answer provided)`),
  ].join("\n");
}

/** A question prompt's options: the first question's choices, then what the terminal offers besides. */
export function questionOptions(questions: Question[]): DialogOption[] {
  return [...(questions[0]?.options ?? []), { key: TYPE_KEY, label: "Type something." }, { key: CHAT_KEY, label: "Chat about this" }];
}

/** A plan prompt's options, as the terminal draws them with a plan and without one. */
export function planOptions(plan: string | null): DialogOption[] {
  if (plan === null) {
    return [
      { key: "1", label: "Yes, and switch to default (ask each time) for this session" },
      { key: "2", label: "No" },
    ];
  }
  return [
    { key: "1", label: "Yes, and use auto mode" },
    { key: "2", label: "Yes, manually approve edits" },
    { key: "3", label: "Tell Claude what to change" },
  ];
}

/** The body's answers, one per question: `answers`, or for one question `option` / `text`. */
export function questionChoice(p: Prompt, body: { option?: string; answers?: QuestionAnswer[]; text?: string }): Choice {
  const qs = p.questions;
  if (body.option === CHAT_KEY) {
    if (body.answers || body.text !== undefined) throw new OptionError(`"chat" takes no answers`);
    return { decision: "deny", option: CHAT_KEY, message: chatMessage(qs) };
  }
  let given: QuestionAnswer[];
  if (body.answers) {
    if (body.option !== undefined || body.text !== undefined)
      throw new OptionError("give either answers, or option/text for a single question");
    given = body.answers;
  } else {
    if (qs.length !== 1)
      throw new OptionError(
        `this prompt asks ${qs.length} questions: give answers, one per question (${qs.map((q) => JSON.stringify(q.question)).join(", ")})`,
      );
    if (body.option === undefined && body.text === undefined)
      throw new OptionError(`a question needs an answer: option (${describe(qs[0]!)}) or text`);
    if (body.option === TYPE_KEY && body.text === undefined) throw new OptionError(`"type" needs text`);
    const keys = body.option !== undefined && body.option !== TYPE_KEY ? [body.option] : [];
    given = [{ keys, ...(body.text !== undefined ? { text: body.text } : {}) }];
  }
  if (given.length !== qs.length) throw new OptionError(`this prompt asks ${qs.length} question(s); ${given.length} answer(s) given`);
  const answers: Record<string, string> = {};
  qs.forEach((q, i) => (answers[q.question] = answerText(q, given[i]!, i)));
  return { decision: "allow", option: body.option ?? "answers", answers };
}

/** The answer string Claude Code's own dialog sends: labels joined with ", ", then any typed text. */
function answerText(q: Question, a: QuestionAnswer, i: number): string {
  const keys = a.keys ?? [];
  const text = a.text?.trim() ?? "";
  const where = `question ${i + 1} (${JSON.stringify(q.question)})`;
  if (a.text !== undefined && text === "") throw new OptionError(`${where}: text is empty`);
  if (new Set(keys).size !== keys.length) throw new OptionError(`${where}: a key is given twice`);
  const labels = keys.map((k) => {
    const o = q.options.find((x) => x.key === k);
    if (!o) throw new OptionError(`${where}: no option ${JSON.stringify(k)}; options are ${describe(q)}`);
    return o.label;
  });
  if (!q.multiSelect && keys.length + (text ? 1 : 0) > 1)
    throw new OptionError(`${where} is single-select: give one key or text, not several; options are ${describe(q)}`);
  if (keys.length === 0 && !text) throw new OptionError(`${where}: no answer; options are ${describe(q)}, or text`);
  return [...labels, ...(text ? [text] : [])].join(", ");
}

/** What a plan option does: the terminal's label decides (auto mode / manual / keep planning). */
export function planChoice(p: Prompt, option: string | undefined, message: string | undefined): Choice {
  const key = option ?? "1";
  const o = p.options.find((x) => x.key === key);
  if (!o)
    throw new OptionError(`no option ${JSON.stringify(key)}; options are ${p.options.map((x) => `${x.key} (${x.label})`).join(", ")}`);
  if (/^no\b|tell claude what to change/i.test(o.label)) {
    return {
      decision: "deny",
      option: key,
      message: message?.trim() || "The user wants to keep planning. Revise the plan before asking again.",
    };
  }
  const mode = /auto mode/i.test(o.label) ? "auto" : /accept edits/i.test(o.label) ? "acceptEdits" : "default";
  return { decision: "allow", option: key, echoInput: true, updatedPermissions: [{ type: "setMode", mode, destination: "session" }] };
}

function describe(q: Question): string {
  return q.options.map((o) => `${o.key} (${o.label})`).join(", ") + (q.multiSelect ? " — several allowed" : " — one");
}

/** How a screen question is answered with keys (`toggle`, `typeText`: ticked and typed by the prompt service, checking the screen). */
export type ScreenKeys = { keys: string[]; toggle?: string[]; submit?: boolean; typeText?: { key: string; text: string } };

/**
 * Keystrokes answering a question read off the screen (hooks off), as the terminal takes them
 * (verified on 2.1.330): a choice's digit answers a single-select question at once; free text is
 * the "Type something" digit, the text, Enter; a multi-select answer toggles each chosen digit,
 * then → (to the Submit tab) and Enter (`toggle`: the prompt service ticks each box and checks it
 * took before the next); free text with a multi-select (one question) is typed into its focused
 * `Type something` row (↓ to it, the text, ↓ to `Submit`, Enter, Enter on the review); "chat" is the "Chat about this" digit. Each step is sent on its own, a
 * moment apart (the dialog redraws between them).
 */
export function screenQuestionChoice(
  p: Prompt,
  dialog: ScreenDialog,
  body: { option?: string; answers?: QuestionAnswer[]; text?: string },
): Choice & ScreenKeys {
  const q = p.questions[0];
  const typeKey = dialog.options.find((o) => TYPE_LABEL.test(o.label))?.key;
  const chatKey = dialog.options.find((o) => CHAT_LABEL.test(o.label))?.key;
  if (!q || !typeKey || !chatKey) throw new OptionError("the question dialog on screen cannot be answered from here");
  if (body.option === CHAT_KEY || body.option === chatKey) {
    if (body.answers || body.text !== undefined) throw new OptionError(`"chat" takes no answers`);
    return { decision: "deny", option: CHAT_KEY, keys: [chatKey] };
  }
  const option = body.option === typeKey ? TYPE_KEY : body.option;
  const choice = questionChoice(p, { ...body, ...(option !== undefined ? { option } : {}) });
  const given = body.answers?.[0] ?? { keys: option !== undefined && option !== TYPE_KEY ? [option] : [], text: body.text };
  const keys = given.keys ?? [];
  const text = given.text?.replace(/[\x00-\x1f\x7f]+/g, " ").trim();
  if (q.multiSelect) {
    // one of several tabs: → moves to the next question (Enter there would pick its highlighted choice);
    // with free text, typed into the `Type something` row, then ↓ to the `Next` row and Enter
    if ((dialog.questionCount ?? 1) > 1) {
      if (text) return { ...choice, keys: [...keys, text, "\r"], toggle: keys, submit: false, typeText: { key: typeKey, text } };
      return { ...choice, keys: [...keys, "\x1b[C"], toggle: keys, submit: false };
    }
    // free text: typed into the focused `Type something` row (see PromptService.tickAndSubmit)
    if (text) return { ...choice, keys: [...keys, text, "\r"], toggle: keys, typeText: { key: typeKey, text } };
    return { ...choice, keys: [...keys, "\x1b[C", "\r"], toggle: keys };
  }
  return { ...choice, keys: text ? [typeKey, text, "\r"] : [keys[0]!] };
}
