import type { ScreenDialog } from "../../protocol/dialog.ts";
import { endsWithEscape, indentOf, isBlank, isCancelHint, readOptions, type OptionBlock } from "../../terminal/dialog-rows.ts";

/*
 * Codex CLI (question first, no title, blank rows between the parts):
 *   question, header rows (`Environment: …`, `Reason: …`), body (`$ command`),
 *   numbered options (› marks the selected one), blank, footer.
 */

const MARKER = "›";
const LABELLED = /^[A-Za-z][\w ]*: /;

export function parse(lines: string[]): ScreenDialog | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const block = readOptions(lines, i, MARKER);
    // A row right under the options that is not blank means they are still being drawn.
    if (block && isBlank(lines[block.last + 1])) return parseAround(lines, block);
  }
  return null;
}

function parseAround(lines: string[], block: OptionBlock): ScreenDialog | null {
  const q = findQuestion(lines, block.first);
  if (q < 0) return null;
  const footerRow = block.last + 2;
  const footer = isFooter(lines[footerRow]) ? lines[footerRow]!.trim() : undefined;
  if (!endsWithEscape(block, footer)) return null;
  const { header, body } = splitMiddle(lines.slice(q + 1, block.first));
  return {
    agent: "codex",
    title: null,
    header,
    body,
    question: lines[q]!.trim(),
    options: block.options,
    ...(footer !== undefined ? { footer } : {}),
    selected: block.selected,
    rows: { first: q, last: footer !== undefined ? footerRow : block.last },
  };
}

/**
 * The question is the nearest row above the options that ends with `?`, stands between blank
 * rows (so not the end of a wrapped `Reason:`) and is no `Label:` or `$ command` row. Every
 * row in between must be indented like the dialog.
 */
function findQuestion(lines: string[], optionsRow: number): number {
  for (let i = optionsRow - 1; i >= 0; i--) {
    const row = lines[i]!;
    if (isBlank(row)) continue;
    if (indentOf(row) < 2) return -1;
    const text = row.trim();
    if (isQuestion(text) && isBlank(lines[i - 1]) && isBlank(lines[i + 1])) return i;
  }
  return -1;
}

function isQuestion(text: string): boolean {
  return text.endsWith("?") && !LABELLED.test(text) && !text.startsWith("$ ");
}

function isFooter(row: string | undefined): boolean {
  return row !== undefined && indentOf(row) === 2 && isCancelHint(row);
}

/** Rows before the first `$ ` row are header, the rest body; blank rows are dropped. */
function splitMiddle(rows: string[]): { header: string[]; body: string[] } {
  const texts = rows.filter((row) => !isBlank(row)).map((row) => row.trim());
  const start = texts.findIndex((text) => text.startsWith("$ "));
  if (start < 0) return { header: texts, body: [] };
  return { header: texts.slice(0, start), body: texts.slice(start) };
}
