import type { DialogOption, ScreenDialog } from "../../protocol/dialog.ts";
import { isBlank, isCancelHint, isRuleOf } from "../../terminal/dialog-rows.ts";

/*
 * Claude Code 2.1.330's AskUserQuestion dialog (tests/prompts/fixtures/claude-2.1.330/one.screen.txt):
 *   ──── rule, the tab row (` ☐ Colour`, or `←  ☐ Toppings  ✔ Submit  →`), blank, the question,
 *   blank, numbered choices (❯ marks the selected one; `[ ]` / `[✔]` for multi-select) each with
 *   its description on the row below, `N. Type something.`, (multi-select: `Submit` / `Next`),
 *   ──── rule, `N. Chat about this`, blank, `Enter to select · … · Esc to cancel`.
 * Only a dialog asking one question is read: with several, each tab shows one, and the keys to
 * answer them all are not known (they stay hook-only).
 */

const MARKER = "❯";
const OPTION = /^(❯|\s)\s*(\d{1,2})\.\s+(?:\[(.)\]\s+)?(\S.*)$/u;
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
  if (questions.length !== 1 || !tabs.every((t) => /^[☐☒✔] \S/.test(t))) return null;
  let i = rule + 2;
  while (isBlank(lines[i]) && i < lines.length) i++;
  const question = lines[i]?.trim();
  if (!question || OPTION.test(lines[i]!)) return null;
  i++;
  while (isBlank(lines[i]) && i < lines.length) i++;
  const options: DialogOption[] = [];
  let selected: string | undefined;
  let multi = false;
  const checked: string[] = [];
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
    } else if (isBlank(row)) {
      break;
    } else if (options.length > 0 && /^\s{3,}\S/.test(row)) {
      const text = row.trim();
      const prev = options.at(-1)!;
      // the multi-select dialog's `Submit` / `Next` row, not a description
      if (!(TYPE_LABEL.test(prev.label) && /^(Submit|Next)$/.test(text)))
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
    title: questions[0]!.slice(2).trim(),
    header: [],
    body: [],
    question,
    options,
    footer,
    selected,
    rows: { first: rule, last: Math.max(last, footerRow) },
  };
}
