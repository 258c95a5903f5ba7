/**
 * Output the server has not acknowledged yet, bounded by bytes. Past the bound the oldest chunks
 * go to the overflow (the disk spill, spill.ts) if it takes them, else they are dropped and the
 * dropped seq range is remembered, so the server records a gap instead of the loss going unnoticed.
 * An evicted entry is never the last one, so it is never merged into again: what the overflow
 * keeps is that seq's final bytes.
 */
export type Entry = { seq: number; parts: Uint8Array[]; bytes: number; sent: boolean };
export type Dropped = { fromSeq: number; toSeq: number; bytes: number };
/** What the ring holds, to be kept on disk and picked up by another process (see spool.ts). */
export type RingSnapshot = { lastSeq: number; entries: { seq: number; data: Uint8Array }[]; dropped: Dropped[] };

/** Unsent chunks are merged up to this size, so a busy program sends few large frames. */
const MERGE_LIMIT = 256 * 1024;
/** A large chunk is split into pieces of the merge limit, but never smaller than this. */
const MIN_PIECE = 4096;

export class Ring {
  private entries: Entry[] = [];
  private head = 0; // index of the first live entry (entries before it are garbage awaiting compaction)
  private dropped: Dropped[] = [];
  bytes = 0;
  lastSeq = 0;
  droppedBytes = 0;

  /** Merged entries stay well under the capacity, so eviction can keep the bound. */
  private readonly mergeLimit: number;
  /** Takes an evicted entry (true) or refuses it (false: it is dropped). */
  overflow: ((e: Entry) => boolean) | null = null;

  constructor(readonly capacity: number) {
    this.mergeLimit = Math.min(MERGE_LIMIT, Math.floor(capacity / 4));
  }

  /** A ring holding exactly `snap` (its capacity grows to fit it, so nothing is evicted on the way in). */
  static restore(snap: RingSnapshot, capacity: number): Ring {
    const bytes = snap.entries.reduce((n, e) => n + e.data.byteLength, 0);
    const r = new Ring(Math.max(capacity, bytes));
    r.entries = snap.entries.map((e) => ({ seq: e.seq, parts: [e.data], bytes: e.data.byteLength, sent: false }));
    r.bytes = bytes;
    r.lastSeq = snap.lastSeq;
    r.dropped = snap.dropped.map((d) => ({ ...d }));
    r.droppedBytes = snap.dropped.reduce((n, d) => n + d.bytes, 0);
    return r;
  }

  snapshot(): RingSnapshot {
    const entries = [...this.after(0)].map((e) => ({ seq: e.seq, data: e.parts.length === 1 ? e.parts[0] : Buffer.concat(e.parts) }));
    return { lastSeq: this.lastSeq, entries, dropped: this.dropped.map((d) => ({ ...d })) };
  }

  /** Adds output, keeping `data` itself (the PTY backends hand over a fresh buffer per chunk); returns the seq it went into. */
  push(data: Uint8Array): number {
    // A backend may hand over a chunk far larger than the ring (the native PTY reads up to 1 MiB):
    // split it, so no entry outgrows the merge limit and eviction keeps the byte bound.
    const piece = Math.max(this.mergeLimit, MIN_PIECE);
    if (data.byteLength > piece) {
      for (let i = 0; i < data.byteLength; i += piece) this.pushOne(data.subarray(i, i + piece));
      return this.lastSeq;
    }
    return this.pushOne(data);
  }

  private pushOne(data: Uint8Array): number {
    const last = this.entries.length > this.head ? this.entries[this.entries.length - 1] : null;
    if (last && !last.sent && last.bytes + data.byteLength <= this.mergeLimit) {
      last.parts.push(data);
      last.bytes += data.byteLength;
    } else {
      this.entries.push({ seq: ++this.lastSeq, parts: [data], bytes: data.byteLength, sent: false });
    }
    this.bytes += data.byteLength;
    this.evict();
    return this.lastSeq;
  }

  /** The server stored everything up to `seq`. */
  ack(seq: number): void {
    while (this.head < this.entries.length && this.entries[this.head].seq <= seq) {
      const e = this.entries[this.head++];
      this.bytes -= e.bytes;
      e.parts = []; // acked: free the bytes now, not when compaction drops the slot (up to 1024 entries later)
    }
    this.dropped = this.dropped.filter((d) => d.toSeq > seq);
    this.compact();
  }

  /** Entries with seq > `afterSeq`, oldest first. Live entries have consecutive seqs, so the first one is found by index. */
  *after(afterSeq: number): Generator<Entry> {
    if (this.head >= this.entries.length) return;
    const start = this.head + Math.max(0, afterSeq + 1 - this.entries[this.head].seq);
    for (let i = start; i < this.entries.length; i++) yield this.entries[i];
  }

  first(): Entry | null {
    return this.head < this.entries.length ? this.entries[this.head] : null;
  }

  /** Bytes dropped in [fromSeq, toSeq]. */
  droppedIn(fromSeq: number, toSeq: number): number {
    return this.dropped.filter((d) => d.toSeq >= fromSeq && d.fromSeq <= toSeq).reduce((n, d) => n + d.bytes, 0);
  }

  get pending(): number {
    return this.entries.length - this.head;
  }

  private evict(): void {
    while (this.bytes > this.capacity && this.entries.length - this.head > 1) {
      const e = this.entries[this.head++];
      this.bytes -= e.bytes;
      if (!this.overflow?.(e)) this.drop(e.seq, e.bytes);
    }
    this.compact();
  }

  /** Records `seq` as lost (evicted here, or lost by the overflow after it took it). */
  drop(seq: number, bytes: number): void {
    this.droppedBytes += bytes;
    const prev = this.dropped[this.dropped.length - 1];
    if (prev && prev.toSeq === seq - 1) {
      prev.toSeq = seq;
      prev.bytes += bytes;
    } else {
      this.dropped.push({ fromSeq: seq, toSeq: seq, bytes });
      if (prev && prev.fromSeq > seq) this.dropped.sort((a, b) => a.fromSeq - b.fromSeq); // a late loss from the overflow
    }
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
