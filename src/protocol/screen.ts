/**
 * The styled screen the dashboard draws: SSE view `/events?session=<id>&view=screen` and
 * `GET /api/sessions/:id/scrollback`. A row is a list of runs of cells that share one style;
 * trailing default blanks are dropped. Documented in docs/PROTOCOL.md ("Screen view").
 */
import { z } from "zod";
import { Cols, Rows, SessionId } from "./common.ts";

/** A colour: palette index 0-255, or `#rrggbb`. Absent = the terminal's default colour. */
export const Color = z.union([z.number().int().min(0).max(255), z.string().regex(/^#[0-9a-f]{6}$/)]);
export type Color = z.infer<typeof Color>;

/** Bits of `Run.a`. */
export const ATTR = {
  bold: 1,
  italic: 2,
  underline: 4,
  dim: 8,
  inverse: 16,
  invisible: 32,
  strike: 64,
  /** The run is one wide character (CJK, emoji) that covers two cells. */
  wide: 128,
} as const;

export const Run = z.object({
  t: z.string(),
  fg: Color.optional(),
  bg: Color.optional(),
  a: z.number().int().min(1).max(255).optional(),
});
export type Run = z.infer<typeof Run>;

export const StyledRow = z.array(Run);
export type StyledRow = z.infer<typeof StyledRow>;

export const Cursor = z.object({ x: z.number().int().min(0), y: z.number().int().min(0), visible: z.boolean() });
export type Cursor = z.infer<typeof Cursor>;

/** Event `screen`: the whole visible screen. Sent on join, on every reconnect, and after a resize. */
export const ScreenEvent = z.object({
  sessionId: SessionId,
  cols: Cols,
  rows: Rows,
  cursor: Cursor,
  /** The alternate buffer is active (full-screen app): it has no scrollback. */
  alt: z.boolean(),
  /** The app asked for bracketed paste (DECSET 2004): a multi-line paste may be wrapped in it. */
  bracketedPaste: z.boolean(),
  /** Lines of history above the screen that `GET /api/sessions/:id/scrollback` can page through. */
  history: z.number().int().min(0),
  lines: z.array(StyledRow),
});
export type ScreenEvent = z.infer<typeof ScreenEvent>;

/** Event `rows`: an optional scroll, then only the rows that changed since the last `screen`/`rows` this viewer got. */
export const RowsEvent = z.object({
  sessionId: SessionId,
  cursor: Cursor,
  alt: z.boolean(),
  bracketedPaste: z.boolean(),
  history: z.number().int().min(0),
  /** First scroll the screen up by this many rows (top rows drop, blank rows enter at the bottom). */
  scroll: z.number().int().min(1).optional(),
  /** Then replace these rows: [row index 0..rows-1, its new content]. */
  rows: z.array(z.tuple([z.number().int().min(0), StyledRow])),
});
export type RowsEvent = z.infer<typeof RowsEvent>;

/** `GET /api/sessions/:id/screen`: the screen as plain text lines (no styles). */
export const ScreenSnapshot = z.object({
  cols: z.number().int(),
  rows: z.number().int(),
  cursor: z.object({ x: z.number().int(), y: z.number().int() }),
  lines: z.array(z.string()),
});
export type ScreenSnapshot = z.infer<typeof ScreenSnapshot>;

/** `GET /api/sessions/:id/scrollback?before=<index>&limit=<n>`: lines above the screen, oldest first. */
export const ScrollbackQuery = z.object({
  before: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const ScrollbackPage = z.object({
  /** Buffer index of `lines[0]`; ask `before=<start>` for the page above it. 0 = nothing older kept. */
  start: z.number().int().min(0),
  /** Lines of history the server's terminal still keeps above the screen. */
  total: z.number().int().min(0),
  lines: z.array(StyledRow),
});
export type ScrollbackPage = z.infer<typeof ScrollbackPage>;
