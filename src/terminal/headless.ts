import { Terminal } from "@xterm/headless";
import { Unicode11Addon } from "@xterm/addon-unicode11";
import type { Cursor, ScreenSnapshot, StyledRow } from "../protocol/screen.ts";
import { styledRow } from "./screen-state.ts";

export interface StyledScreen {
  cols: number;
  rows: number;
  cursor: Cursor;
  alt: boolean;
  bracketedPaste: boolean;
  history: number;
  lines: StyledRow[];
}

/** A headless terminal screen that the agent's output is replayed into, for reading only. */
export class HeadlessScreen {
  private readonly term: Terminal;
  /** The seq of the last output chunk parsed into this screen (kept by whoever feeds it; 0 if nobody does). */
  parsedSeq = 0;

  constructor(cols: number, rows: number, opts: { scrollback?: number } = {}) {
    this.term = new Terminal({
      cols,
      rows,
      scrollback: opts.scrollback ?? 1000,
      allowProposedApi: true,
    });
    // Unicode 11 widths (emoji = 2 cells), as real terminals and Claude Code measure them.
    this.term.loadAddon(new Unicode11Addon());
    this.term.unicode.activeVersion = "11";
    // Replies to queries (DA, DSR…) arrive on term.onData; deliberately not forwarded anywhere:
    // terminal output is hostile input and must not be able to type into the agent.
  }

  get cols(): number {
    return this.term.cols;
  }

  get rows(): number {
    return this.term.rows;
  }

  /** Queues `data` for parsing; `parsed` is called once it has been (for callers that pace themselves). */
  write(data: Uint8Array | string, parsed?: () => void): void {
    this.term.write(data, parsed);
  }

  /** Resolves once everything written so far has been parsed (writes are processed in order). */
  flush(): Promise<void> {
    return new Promise((resolve) => this.term.write("", resolve));
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
  }

  isAlternate(): boolean {
    return this.term.buffer.active.type === "alternate";
  }

  /** The `rows` rows at the bottom of the active buffer, right-trimmed. */
  lines(): string[] {
    const buffer = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) {
      const text = buffer.getLine(buffer.baseY + y)?.translateToString(true) ?? "";
      // translateToString(true) keeps spaces that were written explicitly (e.g. padding).
      out.push(text.replace(/ +$/, ""));
    }
    return out;
  }

  snapshot(): ScreenSnapshot {
    const buffer = this.term.buffer.active;
    return {
      cols: this.cols,
      rows: this.rows,
      cursor: { x: buffer.cursorX, y: buffer.cursorY },
      lines: this.lines(),
    };
  }

  /** Calls `fn` after each parsed write and each resize; returns the unsubscribe. */
  onChange(fn: () => void): () => void {
    const a = this.term.onWriteParsed(fn);
    const b = this.term.onResize(fn);
    return () => {
      a.dispose();
      b.dispose();
    };
  }

  /** The visible screen with colours and attributes, for the dashboard. */
  styled(): StyledScreen {
    const buffer = this.term.buffer.active;
    const cell = buffer.getNullCell();
    const lines: StyledRow[] = [];
    for (let y = 0; y < this.term.rows; y++) lines.push(styledRow(buffer.getLine(buffer.baseY + y), this.term.cols, cell));
    return {
      cols: this.cols,
      rows: this.rows,
      cursor: { x: buffer.cursorX, y: buffer.cursorY, visible: !this.cursorHidden() },
      alt: this.isAlternate(),
      bracketedPaste: this.term.modes.bracketedPasteMode,
      history: this.term.buffer.normal.baseY,
      lines,
    };
  }

  /**
   * Up to `limit` styled lines of the normal buffer's history just above `before` (a buffer index;
   * default: the top of the screen). The history is what the scrollback option keeps, no more.
   */
  history(before: number | undefined, limit: number): { start: number; total: number; lines: StyledRow[] } {
    const buffer = this.term.buffer.normal;
    const total = buffer.baseY;
    const end = Math.min(before ?? total, total);
    const start = Math.max(0, end - limit);
    const cell = buffer.getNullCell();
    const lines: StyledRow[] = [];
    for (let y = start; y < end; y++) lines.push(styledRow(buffer.getLine(y), this.term.cols, cell));
    return { start, total, lines };
  }

  private cursorHidden(): boolean {
    // DECTCEM (CSI ?25l) is not in the public API; agents hide the cursor and draw their own.
    const core = (this.term as unknown as { _core?: { coreService?: { isCursorHidden?: boolean } } })._core;
    return core?.coreService?.isCursorHidden === true;
  }

  dispose(): void {
    this.term.dispose();
  }
}
