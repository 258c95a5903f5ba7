/**
 * Batches incoming output into one SQLite transaction per event-loop turn, then reports what was
 * committed (to ack and fan out) or what failed (never acked). Acks therefore always mean "stored",
 * and viewers only ever see stored output (so a failed commit cannot show them a seq that later
 * comes back with other bytes).
 *
 * A chunk that arrives after a quiet spell (interactive output: a prompt, an echoed keystroke) is
 * committed at once instead of at the end of the turn: waiting for setImmediate put whatever else
 * ran in that turn (screen parsing, indexing) on its latency, up to ~3 ms at p99 for a ~0.1 ms
 * commit. A burst still shares one commit per turn.
 */
import type { GapRecord, OutputStore, PendingChunk } from "../../store/output.ts";

const FLUSH_AT_BYTES = 4 * 1024 * 1024;
/** Output arriving this long after the last commit is committed at once (not batched). */
const QUIET_MS = 2;

export type PipelineEvents = {
  committed(chunks: readonly PendingChunk[], gaps: readonly GapRecord[]): void;
  failed(sessionIds: Set<string>, error: Error): void;
};

export class OutputPipeline {
  private chunks: PendingChunk[] = [];
  private gaps: GapRecord[] = [];
  private bytes = 0;
  private scheduled = false;
  private lastFlushAt = 0;
  committedBytes = 0;
  failures = 0;

  constructor(
    private store: OutputStore,
    private events: PipelineEvents,
  ) {}

  push(chunk: PendingChunk): void {
    this.chunks.push(chunk);
    this.bytes += chunk.data.byteLength;
    if (this.bytes >= FLUSH_AT_BYTES || (!this.scheduled && performance.now() - this.lastFlushAt >= QUIET_MS)) this.flush();
    else this.schedule();
  }

  pushGap(gap: GapRecord): void {
    this.gaps.push(gap);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after the I/O phase: every frame that arrived in this turn shares one commit.
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    if (this.chunks.length === 0 && this.gaps.length === 0) return;
    this.lastFlushAt = performance.now();
    const chunks = this.chunks;
    const gaps = this.gaps;
    this.chunks = [];
    this.gaps = [];
    this.bytes = 0;
    try {
      this.store.commit(chunks, gaps);
    } catch (e) {
      this.failures++;
      const ids = new Set([...chunks.map((c) => c.sessionId), ...gaps.map((g) => g.sessionId)]);
      this.events.failed(ids, e as Error);
      return;
    }
    for (const c of chunks) this.committedBytes += c.data.byteLength;
    this.events.committed(chunks, gaps);
  }
}
