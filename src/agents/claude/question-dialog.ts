import type { DialogOption, ScreenDialog } from "../../protocol/dialog.ts";
import { isBlank, isCancelHint, isRuleOf } from "../../terminal/dialog-rows.ts";

/*
 * Claude Code 2.1.330's AskUserQuestion dialog (tests/prompts/fixtures/claude-2.1.330/one.screen.txt):
 *   ──── rule, the tab row (` ☐ Colour`, or `←  ☐ Toppings  ✔ Submit  →`), blank, the question,
 *   blank, numbered choices (❯ marks the selected one; `[ ]` / `[✔]` for multi-select) each with
 *   its description on the row below, `N. Type something.`, (multi-select: `Submit` / `Next`),
 *   ──── rule, `N. Chat about this`, blank, `Enter to select · … · Esc to cancel`.
 * With several questions only the current tab's is drawn (the next appears once it is answered):
 * each is read on its own, titled with all the tabs' names; after the last, the review page
 * (`Review your answers`, `1. Submit answers`, `2. Cancel`) is read as a dialog of its own.
 */

const MARKER = "❯";
const OPTION = /^(❯|\s)\s*(\d{1,2})\.\s+(?:\[(.)\]\s+)?(\S.*)$/u;
const SUBMIT_ROW = /^(❯|\s)\s{3,}(Submit|Next)\s*$/u;
/** The selection on a multi-select's `Submit` / `Next` row. */
export const SUBMIT_SELECTED = "submit";
export const REVIEW_QUESTION = "Review your answers";
export const TYPE_LABEL = /^type something\.?$/i;
export const CHAT_LABEL = /^chat about this$/i;

export function parseQuestion(lines: string[]): ScreenDialog | null {
  for (let r = lines.length - 1; r >= 0; r--) {
    if (!isRuleOf(lines[r], "─")) continue;
    const dialog = parseFrom(lines, r);
    if (dialog) return dialog;
  }
  return null;
}

function parseFrom(lines: string[], rule: number): ScreenDialog | null {
  const tabs = (lines[rule + 1] ?? "")
    .trim()
    .replace(/^←\s+/, "")
    .replace(/\s+→$/, "")
    .split(/\s{2,}/);
  const questions = tabs.filter((t) => /^[☐☒] \S/.test(t));
  if (questions.length === 0 || !tabs.every((t) => /^[☐☒✔] \S/.test(t))) return null;
  let i = rule + 2;
  while (isBlank(lines[i]) && i < lines.length) i++;
  const question = lines[i]?.trim();
  if (question === REVIEW_QUESTION) return parseReview(lines, rule, i + 1);
  // which tab is current shows only as a highlight (☒ marks a tab with an answer, even the current one): several name them all
  const title = questions.map((t) => t.slice(2).trim()).join(" · ");
  if (!question || OPTION.test(lines[i]!)) return null;
  i++;
  while (isBlank(lines[i]) && i < lines.length) i++;
  const options: DialogOption[] = [];
  let selected: string | undefined;
  let multi = false;
  const checked: string[] = [];
  let typed: string | undefined;
  let last = i;
  for (; i < lines.length; i++) {
    const row = lines[i]!;
    const m = OPTION.exec(row);
    if (m) {
      if (m[2] !== String(options.length + 1)) return null;
      if (m[1] === MARKER) selected = m[2];
      if (m[3] !== undefined) multi = true;
      if (m[3] !== undefined && m[3] !== " ") checked.push(m[2]!);
      options.push({ key: m[2]!, label: m[4]!.trim() });
      last = i;
    } else if (isRuleOf(row, "─")) {
      continue;
    } else if (multi && options.length > 0 && SUBMIT_ROW.test(row)) {
      // the multi-select dialog's `Submit` / `Next` row: the option above it is the free-text one
      const prev = options.at(-1)!;
      if (!TYPE_LABEL.test(prev.label)) {
        typed = prev.label;
        prev.label = "Type something";
      }
      if (SUBMIT_ROW.exec(row)![1] === MARKER) selected = SUBMIT_SELECTED;
      last = i;
    } else if (isBlank(row)) {
      break;
    } else if (options.length > 0 && /^\s{3,}\S/.test(row)) {
      const text = row.trim();
      const prev = options.at(-1)!;
      prev.description = prev.description ? `${prev.description} ${text}` : text;
      last = i;
    } else return null;
  }
  const footerRow = i + 1;
  const footer = lines[footerRow]?.trim();
  // drawn top to bottom: a dialog is complete once its Esc hint is there
  if (!footer || !isCancelHint(footer) || !selected || options.length < 3) return null;
  if (!CHAT_LABEL.test(options.at(-1)!.label) || !options.some((o) => TYPE_LABEL.test(o.label))) return null;
  return {
    agent: "claude",
    kind: "question",
    multiSelect: multi,
    ...(multi ? { checked } : {}),
    ...(typed !== undefined ? { typed } : {}),
    ...(questions.length > 1 ? { questionCount: questions.length } : {}),
    title,
    header: [],
    body: [],
    question,
    options,
    footer,
    selected,
    rows: { first: rule, last: Math.max(last, footerRow) },
  };
}

/** The review page after the last of several questions: its ` ● question` / `→ answer` rows and Submit / Cancel. */
function parseReview(lines: string[], rule: number, from: number): ScreenDialog | null {
  const body: string[] = [];
  let i = from;
  for (; i < lines.length && !OPTION.test(lines[i]!); i++) if (!isBlank(lines[i])) body.push(lines[i]!.trim());
  const submit = OPTION.exec(lines[i] ?? "");
  const cancel = OPTION.exec(lines[i + 1] ?? "");
  if (submit?.[4]?.trim() !== "Submit answers" || cancel?.[4]?.trim() !== "Cancel" || cancel[2] !== "2") return null;
  const selected = submit[1] === MARKER ? "1" : cancel[1] === MARKER ? "2" : undefined;
  if (!selected) return null;
  return {
    agent: "claude",
    title: "Submit",
    header: [],
    body,
    question: "Review your answers",
    options: [
      { key: "1", label: "Submit answers" },
      { key: "2", label: "Cancel" },
    ],
    selected,
    rows: { first: rule, last: i + 1 },
  };
}
