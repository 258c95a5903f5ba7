/**
 * Sends the agent's transcript to the server, beside the output: the files the hooks named (and
 * their subagents' files) are polled, new lines become entries, entries go in `transcript` frames
 * with their own seq. Frames stay here until `transcript.ack`; after every reconnect the unacked
 * ones are sent again (the server ignores entries it has, by uuid). Bounded: past the limit the
 * oldest unacked frames are dropped and the next frame says so. The link reports the exit only
 * once they are acked; what is left when the wrapper gives up goes to the spool (`heldFrames`), and
 * the deliverer sends it with the frames' own seqs (`resume`). Nothing here may disturb the
 * session: every poll is caught.
 */
import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { entryOf } from "../agents/claude/transcript-entry.ts";
import { FileTail } from "../agents/claude/transcript-tail.ts";
import type { ClientFrame } from "../protocol/frames.ts";
import type { HeldFrames } from "./link.ts";
import { TRANSCRIPT_BATCH_MAX, TRANSCRIPT_FRAME_BUDGET, type TranscriptEntry, type TranscriptFrame } from "../protocol/transcript.ts";

/** What the feed needs of the link (the Link class, or a test double). */
export type FeedLink = {
  readonly connected: boolean;
  sendControl(frame: ClientFrame): void;
  onReadyAgain(fn: () => void): void;
  onTranscriptAck(fn: (seq: number) => void): void;
  hold(h: HeldFrames): void;
};

/** Turns one parsed line into an entry; made once per file (a reader may remember what earlier lines said). */
export type LineReader = (line: unknown) => TranscriptEntry | null;
export type FeedOptions = { pollMs?: number; maxUnackedBytes?: number; maxFiles?: number; reader?: () => LineReader };

const POLL_MS = 300;
const MAX_UNACKED_BYTES = 16 * 1024 * 1024;
const MAX_FILES = 256;
/** Chunks read per poll across all files (each TAIL_CHUNK at most). */
const READS_PER_POLL = 4;

type Sent = { frame: TranscriptFrame; bytes: number };

export class TranscriptFeed {
  private tails = new Map<string, FileTail>();
  private readers = new Map<string, LineReader>();
  private mains: string[] = [];
  private kept: Sent[] = [];
  private unackedBytes = 0;
  private seq = 0;
  private problems: string[] = [];
  private dropped = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private link: FeedLink | null = null;
  private opts: Required<FeedOptions>;

  /** The lines are Claude Code's unless `opts.reader` says otherwise (Codex's rollout, src/agents/codex). */
  constructor(
    private sessionId: string,
    opts: FeedOptions = {},
  ) {
    this.opts = {
      pollMs: opts.pollMs ?? POLL_MS,
      maxUnackedBytes: opts.maxUnackedBytes ?? MAX_UNACKED_BYTES,
      maxFiles: opts.maxFiles ?? MAX_FILES,
      reader: opts.reader ?? (() => entryOf),
    };
  }

  attach(link: FeedLink | null): void {
    if (!link) return;
    this.listen(link);
    this.timer = setInterval(() => this.poll(), this.opts.pollMs);
  }

  /** Frames an exited wrapper kept (its spool file): sent on `link` with their own seqs until acked; nothing is read. */
  resume(link: FeedLink, frames: TranscriptFrame[]): void {
    for (const frame of frames) {
      const bytes = JSON.stringify(frame.entries).length;
      this.kept.push({ frame, bytes });
      this.unackedBytes += bytes;
      this.seq = Math.max(this.seq, frame.seq);
    }
    this.listen(link);
  }

  /** The frames the server has not acknowledged, oldest first. */
  unacked(): TranscriptFrame[] {
    return this.kept.map((s) => s.frame);
  }

  private listen(link: FeedLink): void {
    this.link = link;
    link.onTranscriptAck((seq) => this.acked(seq));
    link.onReadyAgain(() => this.resend());
    link.hold(this);
  }

  /** A transcript file the agent named (Claude Code's hooks carry `transcript_path`). */
  watch(path: unknown): void {
    if (typeof path !== "string" || !path.endsWith(".jsonl") || path.length > 4096 || this.tails.has(path)) return;
    if (this.tails.size >= this.opts.maxFiles) return;
    this.mains.push(path);
    this.tails.set(path, new FileTail(path, "the transcript"));
  }

  /** Reads what is new and sends it. Safe to call at any time; never throws. */
  poll(): void {
    try {
      this.findSubagents();
      let reads = 0;
      const entries: TranscriptEntry[] = [];
      for (const tail of this.tails.values()) {
        for (let more = true; more && reads < READS_PER_POLL; reads++) {
          const r = tail.read();
          this.problems.push(...r.problems);
          let bad = 0;
          for (const line of r.lines) {
            let json: unknown;
            try {
              json = JSON.parse(line);
            } catch {
              bad++;
              continue;
            }
            let reader = this.readers.get(tail.path);
            if (!reader) this.readers.set(tail.path, (reader = this.opts.reader()));
            const e = reader(json);
            if (e) entries.push(e);
          }
          if (bad) this.problems.push(`${bad} malformed line${bad > 1 ? "s" : ""} of ${basename(tail.path)} skipped`);
          more = r.more;
        }
      }
      this.send(entries);
    } catch (e) {
      this.problems.push(`transcript reader failed: ${(e as Error).message}`.slice(0, 300));
    }
  }

  /** The session is over: one last read, then no more polling. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.poll();
  }

  get pending(): number {
    return this.kept.length;
  }

  private findSubagents(): void {
    for (const main of this.mains) {
      const dir = join(dirname(main), basename(main, ".jsonl"), "subagents");
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue; // none yet
      }
      for (const n of names) {
        const p = join(dir, n);
        if (!n.endsWith(".jsonl") || this.tails.has(p) || this.tails.size >= this.opts.maxFiles) continue;
        this.tails.set(p, new FileTail(p, `the subagent transcript ${n}`));
      }
    }
  }

  private send(entries: TranscriptEntry[]): void {
    if (this.dropped) {
      this.problems.push(`${this.dropped} transcript entries dropped while the server was unreachable`);
      this.dropped = 0;
    }
    let batch: TranscriptEntry[] = [];
    let bytes = 0;
    for (const e of entries) {
      const size = JSON.stringify(e).length;
      if (batch.length && (batch.length >= TRANSCRIPT_BATCH_MAX || bytes + size > TRANSCRIPT_FRAME_BUDGET)) {
        this.emit(batch, bytes);
        batch = [];
        bytes = 0;
      }
      batch.push(e);
      bytes += size;
    }
    if (batch.length || this.problems.length) this.emit(batch, bytes);
  }

  private emit(entries: TranscriptEntry[], bytes: number): void {
    const partial = [...new Set(this.problems.splice(0))].slice(0, 20).map((p) => p.slice(0, 300));
    const frame: TranscriptFrame = { type: "transcript", sessionId: this.sessionId, seq: ++this.seq, entries, partial };
    this.kept.push({ frame, bytes });
    this.unackedBytes += bytes;
    while (this.unackedBytes > this.opts.maxUnackedBytes && this.kept.length > 1) {
      const old = this.kept.shift()!;
      this.unackedBytes -= old.bytes;
      this.dropped += old.frame.entries.length;
    }
    if (this.link?.connected) this.link.sendControl(frame);
  }

  private acked(seq: number): void {
    while (this.kept.length && this.kept[0]!.frame.seq <= seq) this.unackedBytes -= this.kept.shift()!.bytes;
  }

  private resend(): void {
    for (const s of this.kept) this.link?.sendControl(s.frame);
  }
}
