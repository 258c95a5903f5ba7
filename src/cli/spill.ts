/**
 * The wrapper's disk spill: output the ring evicts while the server is away (or acknowledges too
 * slowly), kept in segment files `<spool dir>/<session>.<first seq>.spill` (0600, fsynced) until
 * the server acknowledges it, and resent from there, in order, with its own seqs and bytes.
 *
 * Nothing on the PTY's path touches the disk: an evicted entry joins a queue in memory (bounded)
 * that one async worker writes out; the link reads segments back asynchronously. All spill files
 * in the directory, every session's, stay under one bound (CLAUDE_REMOTE_SPILL_BYTES, counted when
 * a segment is opened); past it, or while the queue is full, evicted output is refused and the
 * ring records it as a gap. A write that fails loses what was queued (reported through `onLost`,
 * so it becomes a gap too) and stops the spill for this session.
 *
 * Segment format: "CRSPILL1\n" | entries, each f64 seq | u32 length | bytes (as in spool files).
 */
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { type FileHandle, mkdir, open, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { SeqList } from "./seq-list.ts";

const DEFAULT_SPILL_BYTES = 256 * 1024 * 1024;
/** A segment is closed (and can be freed whole once acknowledged) past this size. */
const SEGMENT_BYTES = 4 * 1024 * 1024;
/** Queued entries written (and fsynced) at once, at most: a disk slower than the program gets fewer, larger writes. */
const WRITE_BATCH = 4 * 1024 * 1024;
/** Evicted output waiting for the disk; past it evicted output is dropped rather than held in memory. */
const QUEUE_MAX = 16 * 1024 * 1024;
/** Read back at once when resending. */
const READ_BYTES = 4 * 1024 * 1024;
const MAGIC = new TextEncoder().encode("CRSPILL1\n");
const ENTRY_HEAD = 12;
const SUFFIX = ".spill";

export type SpillEntry = { seq: number; parts: Uint8Array[]; bytes: number };
type Segment = { path: string; firstSeq: number; lastSeq: number; size: number; fh: FileHandle | null };
type Loc = { seq: number; seg: Segment; at: number; len: number };

/** The disk bound from CLAUDE_REMOTE_SPILL_BYTES: a non-negative integer (0: no spill), else the default. */
export function spillBytes(env = process.env): number {
  const raw = env.CLAUDE_REMOTE_SPILL_BYTES;
  const v = Number(raw);
  return raw !== undefined && raw.trim() !== "" && Number.isSafeInteger(v) && v >= 0 ? v : DEFAULT_SPILL_BYTES;
}

/** Every spill segment in `dir` (any session). */
export function spillFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(SUFFIX))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** The session a segment file belongs to. */
export function spillSession(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return name.slice(0, name.indexOf("."));
}

function segmentName(sessionId: string, firstSeq: number): string {
  return `${sessionId}.${String(firstSeq).padStart(12, "0")}${SUFFIX}`;
}

export type SpillOptions = { dir: string; sessionId: string; maxBytes: number };

export class Spill {
  private index = new SeqList<Loc>(); // on disk, not yet acknowledged
  private queue = new SeqList<SpillEntry>(); // taken, not yet on disk
  private queued = 0;
  private segments: Segment[] = [];
  private writing: Segment | null = null;
  private own = 0;
  private others = 0;
  private acked = 0;
  private cache: { seg: Segment; from: number; data: Uint8Array } | null = null;
  private worker: Promise<void> | null = null;
  /** Refused for the bound: refuses everything until an ack frees room, so one stretch offline leaves one gap, not a scatter. */
  private full = false;
  /** Why the spill stopped taking output (a write failed), if it did. */
  failure: string | null = null;
  /** Output taken but then lost (a failed write or read): the ring records it as dropped. */
  onLost: (seq: number, bytes: number) => void = () => {};

  private constructor(private readonly opts: SpillOptions) {}

  /** The spill of `sessionId` in `dir`, with any segments an earlier process left (a deliverer picks up a wrapper's). */
  static open(opts: SpillOptions): Spill {
    const s = new Spill(opts);
    const mine = `${opts.sessionId}.`;
    const files = spillFiles(opts.dir);
    for (const path of files.filter((f) => spillSession(f) === opts.sessionId).sort()) s.adopt(path);
    s.others = sizeOf(files.filter((f) => !f.slice(f.lastIndexOf("/") + 1).startsWith(mine)));
    return s;
  }

  /** Unacknowledged bytes held (on disk or queued). */
  get bytes(): number {
    let n = this.queued;
    for (const l of this.index) n += l.len;
    return n;
  }

  /** The highest seq held, 0 if none. */
  get lastSeq(): number {
    return this.queue.last?.seq ?? this.index.last?.seq ?? 0;
  }

  /** Takes an entry the ring evicts, if the bounds allow; never waits on the disk. */
  take(e: SpillEntry): boolean {
    const need = e.bytes + ENTRY_HEAD;
    if (this.failure || this.full || this.queued + need > QUEUE_MAX) return false;
    if (this.own + this.queued + this.others + need + (this.writing ? 0 : MAGIC.byteLength) > this.opts.maxBytes) {
      this.full = true;
      return false;
    }
    this.queue.push({ seq: e.seq, parts: e.parts, bytes: e.bytes });
    this.queued += need;
    this.kick();
    return true;
  }

  /**
   * The first entry after `afterSeq`: from memory (queued, or read back by `load`), "load" when it
   * must be read from disk first, or null when the spill holds nothing after it.
   */
  next(afterSeq: number): SpillEntry | "load" | null {
    if (afterSeq >= this.lastSeq) return null;
    const loc = this.index.firstAfter(afterSeq);
    if (!loc) return this.queue.firstAfter(afterSeq);
    const c = this.cache;
    if (!c || c.seg !== loc.seg || loc.at < c.from || loc.at + loc.len > c.from + c.data.byteLength) return "load";
    return { seq: loc.seq, parts: [c.data.subarray(loc.at - c.from, loc.at - c.from + loc.len)], bytes: loc.len };
  }

  /** Reads back the entries after `afterSeq` (up to READ_BYTES of one segment). A read that fails loses that segment's entries. */
  async load(afterSeq: number): Promise<void> {
    const loc = this.index.firstAfter(afterSeq);
    if (!loc) return;
    const seg = loc.seg;
    let end = loc.at + loc.len;
    for (const l of this.index.after(afterSeq)) {
      if (l.seg !== seg || l.at + l.len - loc.at > READ_BYTES) break;
      end = l.at + l.len;
    }
    try {
      const fh = await open(seg.path, "r");
      try {
        const data = new Uint8Array(end - loc.at);
        const { bytesRead } = await fh.read(data, 0, data.byteLength, loc.at);
        if (bytesRead !== data.byteLength) throw new Error(`${seg.path}: ${bytesRead} of ${data.byteLength} bytes`);
        this.cache = { seg, from: loc.at, data };
      } finally {
        await fh.close();
      }
    } catch {
      this.loseSegment(seg);
    }
  }

  /** The server stored everything up to `seq`: its segments are removed (by the worker). */
  ack(seq: number): void {
    if (seq <= this.acked) return;
    this.acked = seq;
    this.full = false;
    this.index.dropThrough(seq);
    if (this.segments.some((s) => s.lastSeq <= seq)) this.kick();
  }

  /** Resolves once everything queued is on disk (or lost) and acknowledged segments are removed; closes the open segment. */
  async settle(): Promise<void> {
    while (this.worker) await this.worker;
    if (this.writing) await this.closeWriting();
  }

  private kick(): void {
    if (this.worker) return;
    this.worker = this.work().finally(() => {
      this.worker = null;
      if ((this.queue.length && !this.failure) || this.freeable().length) this.kick();
    });
  }

  private async work(): Promise<void> {
    for (;;) {
      await this.free();
      this.queue.dropThrough(this.acked, (e) => (this.queued -= e.bytes + ENTRY_HEAD));
      if (!this.queue.length || this.failure) return;
      await this.writeBatch();
    }
  }

  private async writeBatch(): Promise<void> {
    const batch: SpillEntry[] = [];
    let size = 0;
    for (const e of this.queue) {
      if (batch.length && size + e.bytes + ENTRY_HEAD > WRITE_BATCH) break;
      batch.push(e);
      size += e.bytes + ENTRY_HEAD;
    }
    let seg: Segment | null = null;
    try {
      seg = this.writing ?? (await this.openSegment(batch[0].seq));
      const buf = new Uint8Array(size);
      const view = new DataView(buf.buffer);
      const locs: Loc[] = [];
      let at = 0;
      for (const e of batch) {
        view.setFloat64(at, e.seq);
        view.setUint32(at + 8, e.bytes);
        at += ENTRY_HEAD;
        locs.push({ seq: e.seq, seg, at: seg.size + at, len: e.bytes });
        for (const p of e.parts) {
          buf.set(p, at);
          at += p.byteLength;
        }
      }
      const fh = seg.fh!;
      for (let done = 0; done < size; ) done += (await fh.write(buf, done, size - done, seg.size + done)).bytesWritten;
      await fh.sync();
      seg.size += size;
      seg.lastSeq = batch[batch.length - 1].seq;
      this.own += size;
      for (const l of locs) this.index.push(l);
    } catch (e) {
      return this.fail(seg, (e as Error).message);
    }
    this.queue.dropThrough(batch[batch.length - 1].seq);
    this.queued -= size;
    if (seg.size >= SEGMENT_BYTES) await this.closeWriting();
  }

  private async openSegment(firstSeq: number): Promise<Segment> {
    await mkdir(this.opts.dir, { recursive: true, mode: 0o700 });
    this.others = await this.countOthers();
    const path = join(this.opts.dir, segmentName(this.opts.sessionId, firstSeq));
    const fh = await open(path, "wx", 0o600);
    const seg: Segment = { path, firstSeq, lastSeq: firstSeq - 1, size: 0, fh };
    this.segments.push(seg);
    this.writing = seg;
    await fh.write(MAGIC, 0, MAGIC.byteLength, 0);
    seg.size = MAGIC.byteLength;
    this.own += MAGIC.byteLength;
    await syncDir(this.opts.dir); // the name survives a crash of the machine (the data's fsync comes with the first batch)
    return seg;
  }

  private async countOthers(): Promise<number> {
    let n = 0;
    const mine = `${this.opts.sessionId}.`;
    for (const f of await readdir(this.opts.dir).catch(() => [] as string[])) {
      if (!f.endsWith(SUFFIX) || f.startsWith(mine)) continue;
      n += (await stat(join(this.opts.dir, f)).catch(() => null))?.size ?? 0;
    }
    return n;
  }

  private async closeWriting(): Promise<void> {
    const seg = this.writing;
    this.writing = null;
    await seg?.fh?.close().catch(() => {});
    if (seg) seg.fh = null;
  }

  /** Segments whose every entry is acknowledged (the open one only when nothing waits to go into it). */
  private freeable(): Segment[] {
    return this.segments.filter((s) => s.lastSeq <= this.acked && (s !== this.writing || !this.queue.length));
  }

  private async free(): Promise<void> {
    for (const seg of this.freeable()) {
      if (seg === this.writing) await this.closeWriting();
      this.segments = this.segments.filter((s) => s !== seg);
      if (this.cache?.seg === seg) this.cache = null;
      this.own -= seg.size;
      await rm(seg.path, { force: true }).catch(() => {});
    }
  }

  /** A write failed: what was queued is lost, and the spill takes nothing more. */
  private async fail(seg: Segment | null, why: string): Promise<void> {
    this.failure = why;
    if (seg?.fh) await seg.fh.truncate(seg.size).catch(() => {}); // no torn entry for a deliverer to trip over
    for (const e of this.queue) this.onLost(e.seq, e.bytes);
    this.queue.dropThrough(Infinity);
    this.queued = 0;
  }

  private loseSegment(seg: Segment): void {
    for (const l of this.index.remove((l) => l.seg === seg)) this.onLost(l.seq, l.len);
    seg.lastSeq = 0; // freed by the worker
    this.kick();
  }

  /** Indexes a segment an earlier process wrote; a torn tail (a crash while writing) ends it. */
  private adopt(path: string): void {
    let buf: Uint8Array;
    try {
      buf = new Uint8Array(readFileSync(path));
    } catch {
      return;
    }
    const seg: Segment = { path, firstSeq: 0, lastSeq: 0, size: buf.byteLength, fh: null };
    this.segments.push(seg);
    this.own += buf.byteLength;
    if (buf.byteLength < MAGIC.byteLength || !MAGIC.every((b, i) => buf[i] === b)) return; // not a segment: removed once anything is acked
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let at = MAGIC.byteLength; at + ENTRY_HEAD <= buf.byteLength; ) {
      const seq = view.getFloat64(at);
      const len = view.getUint32(at + 8);
      if (!Number.isSafeInteger(seq) || seq <= (this.index.last?.seq ?? 0) || at + ENTRY_HEAD + len > buf.byteLength) break;
      this.index.push({ seq, seg, at: at + ENTRY_HEAD, len });
      if (!seg.firstSeq) seg.firstSeq = seq;
      seg.lastSeq = seq;
      at += ENTRY_HEAD + len;
    }
  }
}

function sizeOf(paths: string[]): number {
  return paths.reduce((n, f) => n + (statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0);
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Removes every spill segment of `sessionId` in `dir`. */
export function removeSpill(sessionId: string, dir: string): void {
  for (const f of spillFiles(dir)) if (spillSession(f) === sessionId) rmSync(f, { force: true });
}
