/**
 * One SSE connection with a bounded queue. A viewer that stops reading is cut off once its queue
 * passes `maxQueuedBytes` (it reconnects with Last-Event-ID and resyncs); it never grows the server.
 * With an `encoding` the stream is compressed per connection, each event flushed as it is written,
 * so the queue, `room` and the byte counts are all in compressed wire bytes.
 */
import type { EventMap, EventName } from "../../protocol/events.ts";
import { SseCompressor, type SseEncoding } from "./sse-compression.ts";
import type { SinkFactory, ViewerSink } from "./viewer-sink.ts";

const encoder = new TextEncoder();

export type SseOptions = {
  maxQueuedBytes: number;
  /** Called when the client can take more (used to replay history page by page). */
  onDemand?: () => void;
  onClose: () => void;
  heartbeatMs?: number;
  /** Content-Encoding of the stream, chosen from the request's Accept-Encoding (sseEncoding). */
  encoding?: SseEncoding | null;
  /** Called once when the stream ends, whoever ended it (frees the client's connection slot). */
  onEnd?: () => void;
};

export class SseClient implements ViewerSink {
  readonly response: Response;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private closed = false;
  private heartbeat: ReturnType<typeof setInterval>;
  private compressor: SseCompressor | null;
  bytesSent = 0;
  /** Across every SSE stream of the process (for /metrics). */
  static totalBytesSent = 0;
  /** Heartbeat interval; also the stall window (tests lower it). */
  static heartbeatMs = 15_000;
  private consumedAtLastBeat = -1;

  constructor(private opts: SseOptions) {
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.controller = c;
        },
        pull: () => this.opts.onDemand?.(),
        cancel: () => this.close(),
      },
      { highWaterMark: opts.maxQueuedBytes, size: (chunk) => chunk?.byteLength ?? 0 },
    );
    this.compressor = opts.encoding ? new SseCompressor(opts.encoding) : null;
    this.response = new Response(stream, {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-store",
        "X-Accel-Buffering": "no",
        "X-Content-Type-Options": "nosniff",
        Vary: "Accept-Encoding",
        ...(opts.encoding ? { "Content-Encoding": opts.encoding } : {}),
      },
    });
    this.heartbeat = setInterval(() => this.beat(), opts.heartbeatMs ?? SseClient.heartbeatMs);
    this.write("retry: 1000\n\n");
  }

  /**
   * A viewer that took nothing during a whole heartbeat while data waited for it has stalled (a
   * backgrounded phone, a dead link): cut it off; it resumes with Last-Event-ID. A slow viewer that
   * keeps reading is never cut, however far behind it is.
   */
  private beat(): void {
    const queued = this.opts.maxQueuedBytes - (this.controller.desiredSize ?? 0);
    const consumed = this.bytesSent - queued;
    if (queued > 0 && consumed === this.consumedAtLastBeat) return this.close(true);
    this.consumedAtLastBeat = consumed;
    this.write(": ping\n\n");
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Room left in the queue, in wire bytes (negative when over). */
  get room(): number {
    return this.controller.desiredSize ?? 0;
  }

  send<E extends EventName>(event: E, data: EventMap[E], id?: string | number): boolean {
    let frame = `event: ${event}\n`;
    if (id !== undefined) frame += `id: ${id}\n`;
    frame += `data: ${JSON.stringify(data)}\n\n`;
    return this.write(frame);
  }

  private write(text: string): boolean {
    if (this.closed) return false;
    try {
      const plain = encoder.encode(text);
      const bytes = this.compressor ? this.compressor.compress(plain) : plain;
      this.controller.enqueue(bytes);
      this.bytesSent += bytes.byteLength;
      SseClient.totalBytesSent += bytes.byteLength;
    } catch {
      this.close(true);
      return false;
    }
    if ((this.controller.desiredSize ?? 0) < 0) {
      this.close(true); // stalled viewer: cut off rather than buffer without bound
      return false;
    }
    return true;
  }

  /** `cut` drops whatever is still queued (a stalled viewer); otherwise the queue drains first. */
  close(cut = false): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    try {
      if (cut) this.controller.error(new Error("viewer too slow"));
      else {
        if (this.compressor) this.controller.enqueue(this.compressor.finish());
        this.controller.close();
      }
    } catch {}
    this.compressor?.close();
    this.opts.onEnd?.();
    this.opts.onClose();
  }
}

/** Viewers over SSE, compressed with `encoding` if set. */
export const sseSink =
  (encoding: SseEncoding | null, onEnd?: () => void): SinkFactory<SseClient> =>
  (hooks) =>
    new SseClient({ ...hooks, encoding, onEnd });
