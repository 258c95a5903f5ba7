import type { ScreenDialog } from "../../protocol/dialog.ts";
import { indentOf, isBlank, readOptions } from "../../terminal/dialog-rows.ts";

/*
 * Claude Code 2.1.330's ExitPlanMode dialog (tests/prompts/fixtures/claude-2.1.330/plan.screen.txt),
 * drawn two columns in: `  ────` rule, `   Ready to code?`, "Here is Claude's plan:", the plan
 * (rendered) between `  ╌╌╌` rules, a second `  ────` rule, the question, numbered options
 * (`3. Tell Claude what to change` with a `shift+tab…` hint below), `ctrl+g to edit in Vim · <file>`.
 * Without a plan file: `   Exit plan mode?`, "Claude wants to exit plan mode", `1. Yes, and switch
 * to default…` / `2. No`.
 */

const MARKER = "❯";
const HINT = /\s*shift\+tab to approve with this feedback$/;
const isIndentedRule = (row: string | undefined, ch: string) =>
  row !== undefined && indentOf(row) === 2 && row.trim().length >= 10 && [...row.trim()].every((c) => c === ch);

export function parsePlan(lines: string[]): ScreenDialog | null {
  for (let r = lines.length - 1; r >= 0; r--) {
    if (!isIndentedRule(lines[r], "─")) continue;
    const title = lines[r + 1];
    if (title === undefined || indentOf(title) !== 3 || !/^(Ready to code\?|Exit plan mode\?)$/.test(title.trim())) continue;
    return parseFrom(lines, r, title.trim());
  }
  return null;
}

function parseFrom(lines: string[], rule: number, title: string): ScreenDialog | null {
  let start = -1;
  for (let i = rule + 2; i < lines.length; i++) {
    const block = readOptions(lines, i, MARKER);
    if (block) {
      start = i;
      break;
    }
  }
  if (start < 0) return null;
  const block = readOptions(lines, start, MARKER)!;
  const options = block.options.map((o) => ({ ...o, label: o.label.replace(HINT, "") }));
  if (!/^Yes\b/.test(options[0]!.label) || !/^(No|Tell Claude what to change)$/.test(options.at(-1)!.label)) return null;
  const middle = lines.slice(rule + 2, start);
  const dashes = middle.flatMap((row, i) => (isIndentedRule(row, "╌") ? [i] : []));
  let body: string[] = [];
  let header: string[];
  let question: string;
  if (dashes.length === 2) {
    header = nonBlank(middle.slice(0, dashes[0]));
    body = trimBlankEnds(middle.slice(dashes[0]! + 1, dashes[1]).map((r) => r.trim()));
    const after = nonBlank(middle.slice(dashes[1]! + 1)).filter((r) => !/^─+$/.test(r));
    question = after.join(" ");
    if (!question.endsWith("?")) return null;
  } else if (dashes.length === 0) {
    header = nonBlank(middle);
    question = title;
  } else return null;
  const footerRow = block.last + 2;
  const footer = !isBlank(lines[footerRow]) ? lines[footerRow]!.trim() : undefined;
  return {
    agent: "claude",
    kind: "plan",
    title,
    header,
    body,
    question,
    options,
    ...(footer !== undefined ? { footer } : {}),
    selected: block.selected,
    rows: { first: rule, last: footer !== undefined ? footerRow : block.last },
  };
}

function nonBlank(rows: string[]): string[] {
  return rows.filter((r) => !isBlank(r)).map((r) => r.trim());
}

function trimBlankEnds(rows: string[]): string[] {
  let a = 0;
  let b = rows.length;
  while (a < b && rows[a] === "") a++;
  while (b > a && rows[b - 1] === "") b--;
  return rows.slice(a, b);
}
