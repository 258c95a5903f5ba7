import type { ScreenDialog } from "../protocol/dialog.ts";
import { parseFormDialog } from "./claude/elicitation-screen.ts";
import { parsePlan } from "./claude/plan-dialog.ts";
import { parseQuestion } from "./claude/question-dialog.ts";
import { parse as parseClaude } from "./claude/screen-dialog.ts";
import { parse as parseCodex } from "./codex/screen-dialog.ts";
import { parse as parseGemini } from "./gemini/screen-dialog.ts";

const PARSERS = [parseClaude, parseQuestion, parsePlan, parseFormDialog, parseCodex, parseGemini];

/** The permission (or question, or plan) dialog on a screen (its rows, top to bottom), or null when there is none. */
export function detectDialog(lines: string[]): ScreenDialog | null {
  for (const parse of PARSERS) {
    const dialog = parse(lines);
    if (dialog) return dialog;
  }
  return null;
}

/** The keystrokes answering `dialog` with option `choice` (a digit picks at once) or Esc. */
export function dialogKeys(dialog: ScreenDialog, choice: string | "esc"): string {
  if (choice === "esc") return "\x1b";
  const option = dialog.options.find((o) => o.key === choice);
  if (!option || !/^[1-9]$/.test(option.key)) {
    throw new Error(`dialog has no single-key option ${JSON.stringify(choice)}`);
  }
  return option.key;
}

/** Whether two readings show the same dialog (ignoring selection and position). */
export function sameDialog(a: ScreenDialog | null, b: ScreenDialog | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.agent === b.agent &&
    a.kind === b.kind &&
    a.title === b.title &&
    a.question === b.question &&
    sameStrings(a.body, b.body) &&
    a.options.length === b.options.length &&
    a.options.every((o, i) => o.key === b.options[i]!.key && o.label === b.options[i]!.label)
  );
}

function sameStrings(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
