import type { DialogOption } from "../protocol/dialog.ts";

/** Helpers shared by the agents' screen-dialog parsers. Rows are right-trimmed screen lines. */

export function isBlank(row: string | undefined): boolean {
  return row === undefined || row.trim() === "";
}

export function indentOf(row: string): number {
  return row.length - row.trimStart().length;
}

/** A row made only of `ch` (at least `min` of them), starting at column 0. */
export function isRuleOf(row: string | undefined, ch: string, min = 10): boolean {
  if (row === undefined || row.length < min) return false;
  for (const c of row) if (c !== ch) return false;
  return true;
}

export interface OptionBlock {
  options: DialogOption[];
  selected: string;
  /** Index of the first and last row of the block. */
  first: number;
  last: number;
}

interface OptionRow {
  key: string;
  label: string;
  marked: boolean;
  labelColumn: number;
}

function optionRow(row: string, marker: string): OptionRow | null {
  const m = /^ *(?:(\S) +)?(\d{1,2})\. +(\S.*)$/u.exec(row);
  if (!m) return null;
  const [, mark, key = "", label = ""] = m;
  if (mark !== undefined && mark !== marker) return null;
  return {
    key,
    label: label.trim(),
    marked: mark !== undefined,
    labelColumn: row.length - label.length,
  };
}

/**
 * Reads the numbered options starting at `rows[start]`: keys 1, 2, … in order, exactly one of them
 * carrying the selection `marker`, labels wrapped onto rows indented to the label's column joined
 * with single spaces. Null unless `rows[start]` is option 1.
 */
export function readOptions(rows: string[], start: number, marker: string): OptionBlock | null {
  const options: DialogOption[] = [];
  const marked: string[] = [];
  let i = start;
  for (;;) {
    const opt = i < rows.length ? optionRow(rows[i]!, marker) : null;
    if (!opt || opt.key !== String(options.length + 1)) break;
    const parts = [opt.label];
    i++;
    while (i < rows.length && isContinuation(rows[i]!, opt.labelColumn, marker)) {
      parts.push(rows[i]!.trim());
      i++;
    }
    options.push({ key: opt.key, label: parts.join(" ") });
    if (opt.marked) marked.push(opt.key);
  }
  const [selected] = marked;
  if (options.length < 2 || marked.length !== 1 || selected === undefined) return null;
  return { options, selected, first: start, last: i - 1 };
}

function isContinuation(row: string, labelColumn: number, marker: string): boolean {
  return !isBlank(row) && indentOf(row) >= labelColumn && optionRow(row, marker) === null;
}

const MENTIONS_ESC = /\besc\b/i;

/** A hint row under the options, which always tells how to cancel. */
export function isCancelHint(row: string | undefined): boolean {
  return row !== undefined && MENTIONS_ESC.test(row);
}

/**
 * Whether the options are fully drawn. Dialogs are drawn top to bottom, word by word, and
 * every dialog seen ends with a way out: a footer naming Esc, or else a last option that ends
 * with `(esc)`. Without either, a row may still be half written.
 */
export function endsWithEscape(block: OptionBlock, footer: string | undefined): boolean {
  return footer !== undefined || block.options[block.options.length - 1]!.label.endsWith("(esc)");
}
