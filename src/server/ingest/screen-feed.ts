/**
 * Feeds a live session's committed output into its HeadlessScreen, and keeps that parsing to a
 * bounded share of the server's thread while output floods in.
 *
 * Interactive output (a chunk arriving while the parser is idle) goes to xterm at once. Anything
 * that arrives while xterm is still parsing is not held: the feed falls behind and reads it back
 * from the store (every chunk is committed before it is offered) one slice at a time, at most
 * SLICE_BYTES in xterm at once. After each slice it waits (1 − SHARE) / SHARE times as long as
 * that slice took, so while output keeps arriving the parser gets at most SHARE of the thread and
 * the rest goes to receiving, committing and acking (before, xterm parsed a 1 MiB backlog in back
 * to back 12 ms steps: the whole thread during a burst). Once output has been quiet for QUIET_MS,
 * or someone waits for the screen (`settled`, or `reached` by a prompt), it catches up at full speed. Nothing is skipped, so
 * the final screen is the same as a full parse and a dialog drawn after a flood is seen.
 */
import type { OutputStore } from "../../store/output.ts";
import type { HeadlessScreen } from "../../terminal/headless.ts";

/** At most this much output waits inside xterm at once (when behind). */
const SLICE_BYTES = 64 * 1024;
/** The parser's share of the thread while output is arriving. */
const SHARE = 0.2;
/** Output this long ago or longer: the flood is over, catch up at full speed. */
const QUIET_MS = 250;
/** A slice that seemed slow (the thread was busy with other work meanwhile) pauses no longer than this. */
const MAX_PAUSE_MS = 500;
/** Bound on waiters for a seq (one per prompt being opened); beyond it a waiter resolves at once. */
const MAX_MARKS = 256;

export class ScreenFeed {
  private inParser = 0; // bytes handed to xterm and not yet parsed
  private behind = false; // output after `cursor` is in the store, not yet in the screen
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastOfferAt = 0;
  private waiters: (() => void)[] = [];
  /** Callers waiting for the screen to have parsed up to a seq. */
  private marks: { seq: number; resolve: () => void }[] = [];
  private stopped = false;
  /** Slices parsed while paced, and the time waited between them (for /metrics and the bench). */
  pacedSlices = 0;
  pausedMs = 0;

  constructor(
    private screen: HeadlessScreen,
    private sessionId: string,
    private output: OutputStore,
    private cursor: number,
  ) {
    screen.parsedSeq = Math.max(screen.parsedSeq, cursor);
  }

  /** Bytes handed to xterm that it has not parsed yet (at most one slice or one chunk while behind). */
  get parsing(): number {
    return this.inParser;
  }

  /** A committed chunk. */
  offer(seq: number, data: Uint8Array): void {
    if (seq <= this.cursor || this.stopped) return;
    this.lastOfferAt = performance.now();
    if (!this.behind && this.inParser === 0 && seq === this.cursor + 1) {
      this.cursor = seq;
      return this.write([data], seq);
    }
    this.behind = true; // a gap in seqs, or the parser is busy: the store has it
    if (this.inParser === 0 && !this.timer) this.next(); // nothing in flight would pick it up
  }

  /** Resolves once everything offered so far is in the screen (then `screen.flush()` finishes parsing). */
  settled(): Promise<void> {
    if (!this.behind) return Promise.resolve();
    const p = new Promise<void>((r) => this.waiters.push(r));
    this.hurry();
    return p;
  }

  /** Resolves once the screen has parsed the chunk `seq` (or a later one); a prompt waits so for its dialog. */
  reached(seq: number): Promise<void> {
    if (this.stopped || this.screen.parsedSeq >= seq || this.marks.length >= MAX_MARKS) return Promise.resolve();
    const p = new Promise<void>((resolve) => this.marks.push({ seq, resolve }));
    this.hurry();
    return p;
  }

  /** Someone waits for the screen: no more pauses until it has caught up. */
  private hurry(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.next();
  }

  /** The server is shutting down (the store is about to close): parse nothing more from it. */
  stop(): void {
    this.stopped = true;
    this.behind = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.waiters.splice(0)) w();
    for (const m of this.marks.splice(0)) m.resolve();
  }

  /** `lastSeq`: the seq of the last chunk, which the screen has parsed once xterm calls back. */
  private write(chunks: Uint8Array[], lastSeq: number): void {
    const started = performance.now();
    for (const c of chunks) this.inParser += c.byteLength;
    for (let i = 0; i < chunks.length - 1; i++) this.screen.write(chunks[i]);
    this.screen.write(chunks[chunks.length - 1], () => {
      this.screen.parsedSeq = lastSeq;
      if (this.marks.length > 0) this.resolveMarks();
      this.parsed(performance.now() - started);
    });
  }

  private resolveMarks(): void {
    const at = this.screen.parsedSeq;
    this.marks = this.marks.filter((m) => (m.seq <= at ? (m.resolve(), false) : true));
  }

  private parsed(tookMs: number): void {
    this.inParser = 0;
    if (this.stopped || !this.behind) return;
    const waited = this.waiters.length > 0 || this.marks.length > 0;
    const flooding = performance.now() - this.lastOfferAt < QUIET_MS && !waited;
    if (!flooding) return this.next();
    const pause = Math.min(MAX_PAUSE_MS, (tookMs * (1 - SHARE)) / SHARE);
    this.pacedSlices++;
    this.pausedMs += pause;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.next();
    }, pause);
  }

  /** Hands xterm the next slice from the store, or finds there is none (caught up). */
  private next(): void {
    if (this.stopped || !this.behind || this.inParser > 0) return;
    const page = this.output.after(this.sessionId, this.cursor, SLICE_BYTES);
    if (page.length === 0) {
      this.behind = false;
      for (const w of this.waiters.splice(0)) w();
      return;
    }
    this.cursor = page[page.length - 1].seq;
    this.write(
      page.map((c) => c.data),
      this.cursor,
    );
  }
}
