/**
 * Watches a session's headless screen for a permission dialog: reports when one appears and when
 * it leaves. Reads happen a moment after output was parsed (not on every write), and a dialog
 * counts as gone only after it stayed off the screen for `goneMs`, so a partial redraw is not
 * taken for an answer.
 */
import type { ScreenDialog } from "../../protocol/dialog.ts";
import type { HeadlessScreen } from "../../terminal/headless.ts";
import { detectDialog, sameDialog } from "../../agents/screen-dialogs.ts";

export type DialogEvents = {
  appeared(dialog: ScreenDialog): void;
  gone(dialog: ScreenDialog): void;
};

export class DialogWatch {
  /** The dialog on screen, as first read: the same object for as long as it stays (callers compare identity). */
  current: ScreenDialog | null = null;
  /** When `current` was first seen (keys sent right after a dialog appears are dropped by Claude Code). */
  since = 0;
  /** The screen's parsed output seq when `current` was first read: the dialog was drawn by then (time order against prompts). */
  sinceSeq = 0;
  private goneSince: number | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private unsubscribe: () => void;

  constructor(
    readonly screen: HeadlessScreen,
    private on: DialogEvents,
    private opts = { settleMs: 60, goneMs: 400 },
  ) {
    this.unsubscribe = screen.onChange(() => this.schedule(opts.settleMs));
    this.schedule(0);
  }

  dispose(): void {
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Whether the screen shows `dialog` right now (`current` lags: it stays for `goneMs` after the dialog was erased). */
  showsNow(dialog: ScreenDialog): boolean {
    const seen = detectDialog(this.screen.lines());
    return seen !== null && sameContent(seen, dialog);
  }

  private schedule(ms: number): void {
    if (this.timer) return; // not reset by further output: a spinner must not starve the check
    this.timer = setTimeout(() => {
      this.timer = null;
      this.check();
    }, ms);
  }

  private check(): void {
    const seen = detectDialog(this.screen.lines());
    const now = Date.now();
    if (seen && this.current && sameContent(seen, this.current)) {
      this.goneSince = null;
      return;
    }
    const prev = this.current;
    if (prev && !seen) {
      this.goneSince ??= now;
      if (now - this.goneSince < this.opts.goneMs) return this.schedule(this.opts.goneMs - (now - this.goneSince));
    }
    this.goneSince = null;
    this.current = seen;
    this.since = now;
    this.sinceSeq = this.screen.parsedSeq;
    if (prev) this.on.gone(prev);
    if (seen) this.on.appeared(seen);
  }
}

/** The same dialog, perhaps re-wrapped (after a resize) or with another option selected. */
function sameContent(a: ScreenDialog, b: ScreenDialog): boolean {
  if (sameDialog(a, b)) return true;
  const flat = (d: ScreenDialog) =>
    [d.agent, d.title, d.question, ...d.body, ...d.options.map((o) => o.key + o.label)].join("").replace(/\s+/g, "");
  return flat(a) === flat(b);
}
