import type { ScreenDialog } from "../../protocol/dialog.ts";
import { isBlank, readOptions, type OptionBlock } from "../../terminal/dialog-rows.ts";

/*
 * Gemini CLI draws the dialog inside a rounded box:
 *   ╭──╮, title, inner ╭──╮ box with the body, question, notice rows, blank,
 *   numbered options (● marks the selected one), ╰──╯.
 */

const MARKER = "●";

interface Box {
  top: number;
  bottom: number;
  /** The rows between top and bottom without the box sides, trimmed. */
  inner: string[];
}

export function parse(lines: string[]): ScreenDialog | null {
  for (let bottom = lines.length - 1; bottom >= 0; bottom--) {
    const box = boxEndingAt(lines, bottom);
    if (!box) continue;
    const dialog = parseBox(box);
    if (dialog) return dialog;
  }
  return null;
}

function isEdge(row: string | undefined, left: string, right: string): boolean {
  if (row === undefined) return false;
  const text = row.trim();
  return text.length >= 4 && text.startsWith(left) && text.endsWith(right) && /^─+$/.test(text.slice(1, -1));
}

/** The box whose `╰──╯` is `lines[bottom]`, with `│` sides on every row in between. */
function boxEndingAt(lines: string[], bottom: number): Box | null {
  const row = lines[bottom];
  if (!isEdge(row, "╰", "╯")) return null;
  const left = row!.indexOf("╰");
  const inner: string[] = [];
  for (let i = bottom - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (isEdge(line, "╭", "╮") && line.indexOf("╭") === left) {
      return { top: i, bottom, inner: inner.reverse() };
    }
    // The right side is found by text, not column: a wide character takes one string index.
    if (line[left] !== "│" || !line.endsWith("│") || line.length <= left + 1) return null;
    inner.push(line.slice(left + 1, -1).trim());
  }
  return null;
}

function parseBox(box: Box): ScreenDialog | null {
  const rows = box.inner;
  const title = rows[0];
  if (title === undefined || isBlank(title)) return null;
  const body = innerBody(rows, 1);
  if (!body) return null;
  const q = body.next;
  const question = rows[q];
  if (question === undefined || !question.endsWith("?")) return null;
  const block = firstOptions(rows, q + 1);
  if (!block || block.last !== rows.length - 1) return null;
  const notice = rows.slice(q + 1, block.first).filter((row) => !isBlank(row));
  return {
    agent: "gemini",
    title,
    header: [],
    body: body.rows,
    ...(notice.length > 0 ? { notice } : {}),
    question,
    options: block.options,
    selected: block.selected,
    rows: { first: box.top, last: box.bottom },
  };
}

/** The rows of the inner box starting at `rows[from]`, and the index after it. */
function innerBody(rows: string[], from: number): { rows: string[]; next: number } | null {
  if (!isEdge(rows[from], "╭", "╮")) return null;
  const body: string[] = [];
  for (let i = from + 1; i < rows.length; i++) {
    const row = rows[i]!;
    if (isEdge(row, "╰", "╯")) return { rows: body, next: i + 1 };
    if (!row.startsWith("│") || !row.endsWith("│")) return null;
    body.push(row.slice(1, -1).trim());
  }
  return null;
}

function firstOptions(rows: string[], from: number): OptionBlock | null {
  for (let i = from; i < rows.length; i++) {
    const block = readOptions(rows, i, MARKER);
    if (block) return block;
  }
  return null;
}
