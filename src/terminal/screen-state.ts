/**
 * Styled rows from an @xterm/headless buffer, and row diffs between two screens.
 * A row becomes runs of cells with one style (see src/protocol/screen.ts); a wide character is a
 * run of its own flagged `wide`, so the dashboard can give it exactly two cells.
 */
import type { IBufferCell, IBufferLine } from "@xterm/headless";
import { ATTR, type Color, type Run, type StyledRow } from "../protocol/screen.ts";

function hex(rgb: number): string {
  return `#${rgb.toString(16).padStart(6, "0")}`;
}

function fgOf(cell: IBufferCell): Color | undefined {
  if (cell.isFgPalette()) return cell.getFgColor();
  if (cell.isFgRGB()) return hex(cell.getFgColor());
  return undefined;
}

function bgOf(cell: IBufferCell): Color | undefined {
  if (cell.isBgPalette()) return cell.getBgColor();
  if (cell.isBgRGB()) return hex(cell.getBgColor());
  return undefined;
}

function attrsOf(cell: IBufferCell): number {
  let a = 0;
  if (cell.isBold()) a |= ATTR.bold;
  if (cell.isItalic()) a |= ATTR.italic;
  if (cell.isUnderline()) a |= ATTR.underline;
  if (cell.isDim()) a |= ATTR.dim;
  if (cell.isInverse()) a |= ATTR.inverse;
  if (cell.isInvisible()) a |= ATTR.invisible;
  if (cell.isStrikethrough()) a |= ATTR.strike;
  return a;
}

function run(t: string, fg: Color | undefined, bg: Color | undefined, a: number): Run {
  const r: Run = { t };
  if (fg !== undefined) r.fg = fg;
  if (bg !== undefined) r.bg = bg;
  if (a) r.a = a;
  return r;
}

/** A blank that would draw nothing: it can be trimmed from the end of a row. */
function isPlain(r: Run): boolean {
  return r.bg === undefined && !(r.a && r.a & (ATTR.inverse | ATTR.underline | ATTR.strike)) && /^ *$/.test(r.t);
}

/** The runs of one buffer line, `cols` cells wide, trailing plain blanks dropped. */
export function styledRow(line: IBufferLine | undefined, cols: number, cell: IBufferCell): StyledRow {
  const out: Run[] = [];
  if (!line) return out;
  let text = "";
  let fg: Color | undefined;
  let bg: Color | undefined;
  let a = 0;
  const flush = () => {
    if (text) out.push(run(text, fg, bg, a));
    text = "";
  };
  for (let x = 0; x < cols; x++) {
    if (!line.getCell(x, cell)) break;
    const width = cell.getWidth();
    if (width === 0) continue; // the right half of a wide character
    const cfg = fgOf(cell);
    const cbg = bgOf(cell);
    const ca = attrsOf(cell);
    const chars = cell.getChars() || " ";
    if (width === 2) {
      flush();
      out.push(run(chars, cfg, cbg, ca | ATTR.wide));
      (fg = cfg), (bg = cbg), (a = ca);
      continue;
    }
    if (cfg !== fg || cbg !== bg || ca !== a) {
      flush();
      (fg = cfg), (bg = cbg), (a = ca);
    }
    text += chars;
  }
  flush();
  while (out.length && isPlain(out[out.length - 1])) out.pop();
  const last = out[out.length - 1];
  if (last && last.bg === undefined && !(last.a && last.a & (ATTR.inverse | ATTR.underline | ATTR.strike)))
    last.t = last.t.replace(/ +$/, "");
  return out;
}

/** A stable key per row for cheap equality between screens. */
export function rowKey(row: StyledRow): string {
  return JSON.stringify(row);
}

/**
 * How to turn `before` into `after` (same length): scroll up by `scroll` rows (the top rows fall
 * off, blank rows come in at the bottom), then replace the rows in `changed`. Streaming output
 * scrolls the whole screen each line; sending the shift instead of every row keeps diffs small.
 */
export function diffRows(before: readonly string[], after: readonly string[]): { scroll: number; changed: number[] } {
  const n = after.length;
  let scroll = 0;
  let best = matches(before, after, 0);
  for (let k = 1; k < n && n - k > best; k++) {
    const m = matches(before, after, k);
    if (m > best) (best = m), (scroll = k);
  }
  const changed: number[] = [];
  for (let i = 0; i < n; i++) {
    const base = i + scroll < n ? before[i + scroll] : BLANK;
    if (base !== after[i]) changed.push(i);
  }
  return { scroll, changed };
}

const BLANK = "[]";

/** Non-blank rows of `after` that equal the row `k` below them in `before`. */
function matches(before: readonly string[], after: readonly string[], k: number): number {
  let m = 0;
  for (let i = 0; i + k < after.length; i++) if (after[i] === before[i + k] && after[i] !== BLANK) m++;
  return m;
}

/** Plain text of a styled row (what `lines()` of the same row shows). */
export function rowText(row: StyledRow): string {
  return row.map((r) => r.t).join("");
}
