import type { ScreenDialog } from "../../protocol/dialog.ts";
import { endsWithEscape, indentOf, isBlank, isCancelHint, isRuleOf, readOptions, type OptionBlock } from "../../terminal/dialog-rows.ts";

/*
 * Claude Code (fullscreen and classic renderers draw the same rows):
 *   ──── rule, title, header rows, ╌╌╌, body rows, ╌╌╌, notice rows, blank,
 *   question, numbered options (❯ marks the selected one), blank, footer.
 * The ╌╌╌ pair is absent for dialogs without a body.
 */

const MARKER = "❯";
const isFrameRule = (row: string | undefined) => isRuleOf(row, "─");
const isBodyRule = (row: string | undefined) => isRuleOf(row, "╌");

export function parse(lines: string[]): ScreenDialog | null {
  for (let r = lines.length - 1; r >= 0; r--) {
    if (!isFrameRule(lines[r])) continue;
    const dialog = parseFrom(lines, r);
    if (dialog) return dialog;
  }
  return null;
}

function parseFrom(lines: string[], rule: number): ScreenDialog | null {
  const title = lines[rule + 1];
  if (title === undefined || isBlank(title) || indentOf(title) !== 1) return null;
  const block = findOptions(lines, rule + 2);
  if (!block || !isBlank(lines[block.last + 1])) return null;
  const question = lines[block.first - 1]!.trim();
  if (block.first - 1 <= rule + 1 || !question.endsWith("?")) return null;
  const middle = splitMiddle(lines.slice(rule + 2, block.first - 1));
  if (!middle) return null;
  const footerRow = block.last + 2;
  const footer = isFooter(lines[footerRow]) ? lines[footerRow]!.trim() : undefined;
  if (!endsWithEscape(block, footer)) return null;
  return {
    agent: "claude",
    title: title.trim(),
    ...middle,
    question,
    options: block.options,
    ...(footer !== undefined ? { footer } : {}),
    selected: block.selected,
    rows: { first: rule, last: footer !== undefined ? footerRow : block.last },
  };
}

/** The first option block below `from`, provided no frame rule comes before it. */
function findOptions(lines: string[], from: number): OptionBlock | null {
  for (let i = from; i < lines.length; i++) {
    if (isFrameRule(lines[i])) return null;
    const block = readOptions(lines, i, MARKER);
    if (block) return block;
  }
  return null;
}

function isFooter(row: string | undefined): boolean {
  return row !== undefined && indentOf(row) === 1 && isCancelHint(row);
}

interface Middle {
  header: string[];
  body: string[];
  notice?: string[];
}

/** Splits the rows between title and question at the two ╌╌╌ rules. */
function splitMiddle(rows: string[]): Middle | null {
  const rules = rows.flatMap((row, i) => (isBodyRule(row) ? [i] : []));
  if (rules.length === 0) return { header: nonBlank(rows), body: [] };
  if (rules.length !== 2) return null;
  const [open, close] = rules as [number, number];
  const body = trimBlankEnds(rows.slice(open + 1, close).map((row) => row.trim()));
  // An Edit dialog is first drawn with a lone `…` while its diff loads: not ready to show.
  if (body.length === 1 && body[0] === "…") return null;
  const notice = nonBlank(rows.slice(close + 1));
  return {
    header: nonBlank(rows.slice(0, open)),
    body,
    ...(notice.length > 0 ? { notice } : {}),
  };
}

function nonBlank(rows: string[]): string[] {
  return rows.filter((row) => !isBlank(row)).map((row) => row.trim());
}

function trimBlankEnds(rows: string[]): string[] {
  let start = 0;
  let end = rows.length;
  while (start < end && rows[start] === "") start++;
  while (end > start && rows[end - 1] === "") end--;
  return rows.slice(start, end);
}
