/**
 * Bytes that paint a styled screen (HeadlessScreen.styled()) onto a real terminal of the same
 * size: what `claude-remote attach` shows first, before the live output continues from there.
 */
import { ATTR, type Color, type Run } from "../protocol/screen.ts";
import type { StyledScreen } from "./headless.ts";

const ATTR_SGR: [number, number][] = [
  [ATTR.bold, 1],
  [ATTR.dim, 2],
  [ATTR.italic, 3],
  [ATTR.underline, 4],
  [ATTR.inverse, 7],
  [ATTR.invisible, 8],
  [ATTR.strike, 9],
];

function colorSgr(c: Color, base: number, bright: number, extended: number): string {
  if (typeof c === "number") return c < 8 ? String(base + c) : c < 16 ? String(bright + c - 8) : `${extended};5;${c}`;
  const n = parseInt(c.slice(1), 16);
  return `${extended};2;${(n >> 16) & 255};${(n >> 8) & 255};${n & 255}`;
}

function runSgr(run: Run): string {
  const codes = ["0"];
  for (const [bit, code] of ATTR_SGR) if ((run.a ?? 0) & bit) codes.push(String(code));
  if (run.fg !== undefined) codes.push(colorSgr(run.fg, 30, 90, 38));
  if (run.bg !== undefined) codes.push(colorSgr(run.bg, 40, 100, 48));
  return `\x1b[${codes.join(";")}m`;
}

export function repaint(s: StyledScreen): string {
  let out = s.alt ? "\x1b[?1049h" : "\x1b[?1049l";
  out += "\x1b[0m\x1b[H\x1b[2J";
  s.lines.forEach((row, y) => {
    if (row.length === 0) return;
    out += `\x1b[${y + 1};1H`;
    for (const run of row) out += runSgr(run) + run.t;
    out += "\x1b[0m";
  });
  out += s.bracketedPaste ? "\x1b[?2004h" : "\x1b[?2004l";
  out += `\x1b[${s.cursor.y + 1};${s.cursor.x + 1}H`;
  out += s.cursor.visible ? "\x1b[?25h" : "\x1b[?25l";
  return out;
}

/** Leaves a terminal the way a shell expects it after a detach: main screen, default style, cursor shown. */
export const RESET_AFTER_DETACH = "\x1b[0m\x1b[?2004l\x1b[?1004l\x1b[?1000l\x1b[?1002l\x1b[?1006l\x1b[?1049l\x1b[?25h\r\n";
