/**
 * Full-text search over sessions' output (SQLite FTS5). Output is indexed in the background,
 * following each session's `last_seq`, so the output commit path does no extra work: each
 * `indexSome` call turns the not-yet-indexed chunks of a few sessions into plain text and stores
 * it as one document (search_docs row + search_fts row with the same rowid).
 *
 * Two connections: `source` reads the main database (sessions, output) and is never written;
 * `index` is the index's own file (search-db.ts). The server runs this in a Worker
 * (search-worker.ts), so neither indexing nor FTS5's merges hold the server's thread.
 */
import { sessionStatusSql } from "./sessions.ts";
import type { Database } from "bun:sqlite";
import { PlainText } from "../terminal/plain-text.ts";

export type SearchHit = {
  sessionId: string;
  name: string;
  status: string;
  startedAt: number;
  snippet: string;
  highlights: [number, number][];
};

/** A query FTS5 refused (bad syntax, unknown column): the caller's fault, not the server's. */
export class SearchQueryError extends Error {}

const HIT_OPEN = "\uE000";
const HIT_CLOSE = "\uE001";
const MAX_CARRIED_STATES = 256;
/** Raw output bytes per document: small documents keep each insert and each snippet cheap. */
const DOC_BYTES = 64 * 1024;
/**
 * Rows read per document. Was 2000: during a 20 MB burst every slice loaded all the remaining
 * megabytes of blobs to use one row of them.
 */
const ROWS_PER_DOC = 64;
/** Sessions taken from one scan of `sessions`; the next scan happens when they are done. */
const SCAN_BATCH = 20;

/** `tail`: the last, possibly unfinished word of the previous document, repeated at the start of the next. */
type Carry = { seq: number; decoder: TextDecoder; text: PlainText; tail: string };
type Pending = { id: string; lastSeq: number; done: number; ended: number };

export class SearchIndex {
  /** Streaming decoder + stripper per session, so a sequence split across two documents is handled. */
  private carry = new Map<string, Carry>();
  /** Sessions with output not yet indexed, from the last scan. */
  private queue: Pending[] = [];
  indexedBytes = 0;

  constructor(
    private source: Database,
    private index: Database,
  ) {}

  /**
   * Indexes up to about `maxBytes` of output not yet indexed. Returns true if more is waiting.
   * Each document is one transaction on the index file.
   */
  indexSome(maxBytes = 256 * 1024): boolean {
    if (this.queue.length === 0) this.queue = this.scan();
    let budget = maxBytes;
    while (budget > 0 && this.queue.length > 0) {
      const p = this.queue[0]!;
      const done = this.indexSession(p, Math.min(budget, DOC_BYTES));
      budget -= done.bytes;
      if (done.more) p.done = done.toSeq;
      else this.queue.shift();
    }
    if (this.queue.length === 0) this.queue = this.scan();
    return this.queue.length > 0;
  }

  /** Indexes everything that is waiting (tests, backfill). */
  indexAll(): void {
    while (this.indexSome()) {}
  }

  /** Up to SCAN_BATCH sessions whose stored output goes past what is indexed. */
  private scan(): Pending[] {
    const sessions = this.source
      .query("SELECT id, last_seq AS lastSeq, ended_at IS NOT NULL AS ended FROM sessions WHERE output_purged_at IS NULL AND last_seq > 0")
      .all() as Omit<Pending, "done">[];
    const pending: Pending[] = [];
    for (const s of sessions) {
      const done = this.indexedTo(s.id);
      if (s.lastSeq > done) pending.push({ ...s, done });
      if (pending.length >= SCAN_BATCH) break;
    }
    return pending;
  }

  private indexedTo(sessionId: string): number {
    return (
      (this.index.query("SELECT MAX(to_seq) AS done FROM search_docs WHERE session_id = ?").get(sessionId) as { done: number | null })
        .done ?? 0
    );
  }

  /**
   * Sessions whose documents no longer match the main database: sessions it does not have, whose
   * output was purged, or indexed past their stored end (a restored older backup). Forget them.
   */
  staleSessions(): string[] {
    const indexed = this.index.query("SELECT session_id AS id, MAX(to_seq) AS done FROM search_docs GROUP BY session_id").all() as {
      id: string;
      done: number;
    }[];
    const stale: string[] = [];
    const sessionOf = this.source.query("SELECT last_seq AS lastSeq, output_purged_at AS purged FROM sessions WHERE id = ?");
    for (const { id, done } of indexed) {
      const s = sessionOf.get(id) as { lastSeq: number; purged: number | null } | null;
      if (!s || s.purged !== null || s.lastSeq < done) stale.push(id);
    }
    return stale;
  }

  private indexSession(p: Pending, budget: number): { bytes: number; more: boolean; toSeq: number } {
    // Rows are read one at a time and only until the budget is met: a row can be 256 KiB, and a
    // document usually needs one or two of the ROWS_PER_DOC rows a full read would load.
    const rows = this.source
      .query(`SELECT seq, data FROM output WHERE session_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ${ROWS_PER_DOC}`)
      .iterate(p.id, p.done, p.lastSeq) as IterableIterator<{ seq: number; data: Uint8Array }>;
    let carry = this.carry.get(p.id);
    if (!carry || carry.seq !== p.done) carry = { seq: p.done, decoder: new TextDecoder(), text: new PlainText(), tail: "" };
    let bytes = 0;
    let text = carry.tail;
    let toSeq = p.done;
    let read = 0;
    let stoppedEarly = false;
    for (const r of rows) {
      text += carry.text.push(carry.decoder.decode(r.data, { stream: true }));
      bytes += r.data.byteLength;
      toSeq = r.seq;
      read++;
      if (bytes >= budget) {
        stoppedEarly = true;
        break; // leaves the iterator, which finalizes the statement
      }
    }
    if (read === 0 || (!stoppedEarly && read < ROWS_PER_DOC)) toSeq = p.lastSeq; // trailing gaps have no rows
    text = text.replace(/[\uE000\uE001]/g, ""); // reserved for snippet highlight marks
    let stored: boolean;
    try {
      stored = this.index
        .transaction(() => {
          // another connection may have indexed this range since the scan (tests index by hand)
          if (this.indexedTo(p.id) !== p.done) return false;
          const id = this.index
            .query("INSERT INTO search_docs (session_id, from_seq, to_seq) VALUES (?, ?, ?)")
            .run(p.id, p.done + 1, toSeq).lastInsertRowid;
          if (text.trim()) this.index.query("INSERT INTO search_fts (rowid, text) VALUES (?, ?)").run(id, text);
          return true;
        })
        .immediate();
    } catch (e) {
      this.carry.delete(p.id); // it has read these rows: a retry starts from a fresh decoder
      throw e;
    }
    if (!stored) {
      this.carry.delete(p.id);
      return { bytes: 1, more: false, toSeq: p.done };
    }
    this.indexedBytes += bytes;
    carry.seq = toSeq;
    // on the last 64 chars only: over the whole document the regex tries every start position
    carry.tail = /\S{1,64}$/.exec(text.slice(-64))?.[0] ?? "";
    this.carry.delete(p.id);
    if (!(p.ended && toSeq === p.lastSeq)) {
      this.carry.set(p.id, carry);
      if (this.carry.size > MAX_CARRIED_STATES) this.carry.delete(this.carry.keys().next().value!);
    }
    return { bytes: Math.max(bytes, 1), more: toSeq < p.lastSeq, toSeq };
  }

  /** Removes a session's documents in batches; true once none are left. */
  forgetSome(sessionId: string, batch = 200): boolean {
    const ids = this.index.query("SELECT id FROM search_docs WHERE session_id = ? LIMIT ?").all(sessionId, batch) as { id: number }[];
    this.queue = this.queue.filter((p) => p.id !== sessionId);
    if (ids.length === 0) {
      this.carry.delete(sessionId);
      return true;
    }
    this.index.transaction(() => {
      for (const { id } of ids) {
        this.index.query("DELETE FROM search_fts WHERE rowid = ?").run(id);
        this.index.query("DELETE FROM search_docs WHERE id = ?").run(id);
      }
    })();
    return false;
  }

  /**
   * Sessions whose output matches the FTS5 `match` expression, best first, one hit per session.
   * Ranking first and snippets only for the chosen documents: a snippet over every matching
   * document is what makes a common word slow.
   */
  search(match: string, limit = 20): SearchHit[] {
    const best = new Map<string, number>(); // session → its best document
    try {
      const ranked = this.index
        .query(
          "SELECT d.session_id AS sessionId, d.id AS docId FROM search_fts f JOIN search_docs d ON d.id = f.rowid WHERE search_fts MATCH ? ORDER BY f.rank LIMIT 5000",
        )
        .all(match) as { sessionId: string; docId: number }[];
      for (const r of ranked) {
        if (!best.has(r.sessionId)) best.set(r.sessionId, r.docId);
        if (best.size >= limit) break;
      }
    } catch (e) {
      const msg = (e as Error).message;
      if (/fts5|no such column|unterminated|syntax error|malformed MATCH/i.test(msg)) throw new SearchQueryError(msg);
      throw e;
    }
    const snippetOf = this.index.query(
      `SELECT snippet(search_fts, 0, '${HIT_OPEN}', '${HIT_CLOSE}', '…', 16) AS s FROM search_fts WHERE search_fts MATCH ? AND rowid = ?`,
    );
    // a purged session's documents may outlive its output for a moment (the worker forgets them next)
    const sessionOf = this.source.query(
      `SELECT name, ${sessionStatusSql("sessions")} AS status, started_at AS startedAt FROM sessions WHERE id = ? AND output_purged_at IS NULL`,
    );
    const hits: SearchHit[] = [];
    for (const [sessionId, docId] of best) {
      const s = sessionOf.get(sessionId) as { name: string; status: string; startedAt: number } | null;
      const snip = snippetOf.get(match, docId) as { s: string } | null;
      if (s && snip) hits.push({ sessionId, ...s, ...splitHighlights(snip.s) });
    }
    return hits;
  }
}

/** Plain words → an FTS5 expression: each word a quoted phrase (all must match); `word*` is a prefix. */
export function wordsQuery(q: string): string {
  return q
    .replace(/[\u0000-\u001f\u007f]/g, " ") // FTS5 reads the query as a C string
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => {
      const prefix = w.length > 1 && w.endsWith("*");
      const word = prefix ? w.slice(0, -1) : w;
      return `"${word.replaceAll('"', '""')}"${prefix ? "*" : ""}`;
    })
    .join(" ");
}

function splitHighlights(marked: string): { snippet: string; highlights: [number, number][] } {
  let snippet = "";
  const highlights: [number, number][] = [];
  let start = -1;
  for (const ch of marked) {
    if (ch === HIT_OPEN) start = snippet.length;
    else if (ch === HIT_CLOSE && start >= 0) {
      highlights.push([start, snippet.length]);
      start = -1;
    } else snippet += ch;
  }
  return { snippet, highlights };
}
