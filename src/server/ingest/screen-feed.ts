/**
 * Feeds a live session's committed output into its HeadlessScreen at the speed the screen can
 * parse. xterm parses in time slices; a burst faster than that used to pile up inside xterm (up to
 * 50 MB) and then be *discarded* ("write data discarded, use flow control"), leaving a wrong screen.
 * Here at most MAX_BACKLOG bytes wait inside xterm; beyond that the feed stops holding live chunks
 * and, as the parser drains, reads the rest back from the store (every chunk is committed before
 * it is offered), so memory stays bounded, nothing is dropped and the output path never waits.
 */
import type { OutputStore } from "../../store/output.ts";
import type { HeadlessScreen } from "../../terminal/headless.ts";

const MAX_BACKLOG = 1024 * 1024;
const PAGE_BYTES = 256 * 1024;
/** Bound on waiters for a seq (one per prompt being opened); beyond it a waiter resolves at once. */
const MAX_MARKS = 256;

export class ScreenFeed {
  private backlog = 0; // bytes handed to xterm and not yet parsed
  private behind = false; // output after `cursor` is in the store, not yet in the screen
  private waiters: (() => void)[] = [];
  /** Callers waiting for the screen to have parsed up to a seq. */
  private marks: { seq: number; resolve: () => void }[] = [];
  private stopped = false;

  constructor(
    private screen: HeadlessScreen,
    private sessionId: string,
    private output: OutputStore,
    private cursor: number,
  ) {
    screen.parsedSeq = Math.max(screen.parsedSeq, cursor);
  }

  /** A committed chunk. */
  offer(seq: number, data: Uint8Array): void {
    if (seq <= this.cursor) return;
    if (!this.behind && seq === this.cursor + 1 && this.backlog < MAX_BACKLOG) return this.write(seq, data);
    this.behind = true; // a gap in seqs, or the parser is behind: the store has it
    if (this.backlog < MAX_BACKLOG / 2) this.catchUp();
  }

  /** Resolves once everything offered so far is in the screen (then `screen.flush()` finishes parsing). */
  settled(): Promise<void> {
    if (!this.behind) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  /** Resolves once the screen has parsed the chunk `seq` (or a later one). */
  reached(seq: number): Promise<void> {
    if (this.stopped || this.screen.parsedSeq >= seq || this.marks.length >= MAX_MARKS) return Promise.resolve();
    return new Promise((resolve) => this.marks.push({ seq, resolve }));
  }

  private write(seq: number, data: Uint8Array): void {
    this.cursor = seq;
    const n = data.byteLength;
    this.backlog += n;
    this.screen.write(data, () => {
      this.backlog -= n;
      this.screen.parsedSeq = seq;
      if (this.marks.length > 0) this.resolveMarks();
      if (this.behind && this.backlog < MAX_BACKLOG / 2) this.catchUp();
    });
  }

  /** The server is shutting down (the store is about to close): parse nothing more from it. */
  stop(): void {
    this.stopped = true;
    this.behind = false;
    for (const w of this.waiters.splice(0)) w();
    for (const m of this.marks.splice(0)) m.resolve();
  }

  private resolveMarks(): void {
    const at = this.screen.parsedSeq;
    this.marks = this.marks.filter((m) => (m.seq <= at ? (m.resolve(), false) : true));
  }

  private catchUp(): void {
    while (!this.stopped && this.behind && this.backlog < MAX_BACKLOG) {
      const page = this.output.after(this.sessionId, this.cursor, PAGE_BYTES);
      if (page.length === 0) {
        this.behind = false;
        for (const w of this.waiters.splice(0)) w();
        return;
      }
      for (const c of page) this.write(c.seq, c.data);
    }
  }
}
