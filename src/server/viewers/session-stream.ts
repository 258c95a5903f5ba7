/**
 * A viewer of one session's raw output (over SSE or a viewer WebSocket). It first replays stored
 * chunks after its cursor, page by page as the viewer reads (so history never sits in memory), then
 * follows live output.
 * Event ids are output seqs, so Last-Event-ID resumes exactly where the viewer stopped.
 *
 * Replay is paced: one page per event-loop turn, then a timer yield (setTimeout, not setImmediate:
 * Bun runs a chain of immediates before it polls sockets). Filling a joining viewer's whole queue in
 * one go (~8 MB of base64 from a big history) held the loop for ~280 ms, on every viewer's latency.
 */
import type { OutputStore } from "../../store/output.ts";
import type { SinkFactory, ViewerSink } from "./viewer-sink.ts";

/** Stored output replayed per event-loop turn (one page; a page may end one chunk past it). */
const PAGE_BYTES = 256 * 1024;

export class SessionStream<S extends ViewerSink = ViewerSink> {
  readonly client: S;
  private replaying = true;
  /** A replay turn is scheduled: pulls wait for it instead of replaying more in this turn. */
  private yielding: ReturnType<typeof setTimeout> | null = null;
  private inPage = false;

  constructor(
    readonly sessionId: string,
    private cursor: number,
    private output: OutputStore,
    maxQueuedBytes: number,
    onClose: () => void,
    sink: SinkFactory<S>,
  ) {
    this.client = sink({ maxQueuedBytes, onDemand: () => this.replayPage(), onClose });
  }

  /** Live chunk, already committed. Ignored while replaying: the replay reads it from the store. */
  offer(seq: number, data: Uint8Array): void {
    if (this.replaying || seq <= this.cursor) return;
    if (seq !== this.cursor + 1 || !this.fits(data)) {
      // a gap in what we saw, or the viewer is behind: serve it from the store as it reads,
      // instead of queueing past the bound (which would cut the viewer off)
      this.replaying = true;
      this.replayPage();
      return;
    }
    this.emit(seq, data);
  }

  gap(fromSeq: number, toSeq: number, bytes: number): void {
    if (this.replaying) return;
    this.client.send("gap", { sessionId: this.sessionId, fromSeq, toSeq, bytes });
    if (toSeq > this.cursor) this.cursor = toSeq;
  }

  private replayPage(): void {
    // enqueue() can call the stream's pull (and so this) synchronously: never run two at once
    if (!this.replaying || this.client.isClosed || this.yielding || this.inPage) return;
    this.inPage = true;
    try {
      const page = this.output.after(this.sessionId, this.cursor, PAGE_BYTES);
      if (page.length === 0) {
        this.replaying = false;
        return;
      }
      for (const c of page) {
        if (!this.fits(c.data)) return; // the viewer's next pull continues from here
        this.emit(c.seq, c.data);
      }
    } finally {
      this.inPage = false;
    }
    this.yielding = setTimeout(() => {
      this.yielding = null;
      this.replayPage();
    }, 1);
  }

  /** Room for this chunk as an event (base64 is 4/3 of it, plus the JSON and SSE framing). */
  private fits(data: Uint8Array): boolean {
    return this.client.room >= data.byteLength * 1.4 + 256;
  }

  private emit(seq: number, data: Uint8Array): void {
    this.cursor = seq;
    this.client.send("output", { sessionId: this.sessionId, seq, data: Buffer.from(data).toString("base64") }, seq);
  }
}
