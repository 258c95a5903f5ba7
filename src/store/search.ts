/**
 * Full-text search over sessions' output (SQLite FTS5). Output is indexed in the background,
 * following each session's `last_seq`, so the output commit path does no extra work: each
 * `indexSome` call turns the not-yet-indexed chunks of a few sessions into plain text and stores
 * it as one document (search_docs row + search_fts row with the same rowid).
 */
import type { Database } from "bun:sqlite";
import { PlainText } from "../terminal/plain-text.ts";

export type SearchHit = { sessionId: string; name: string; status: string; startedAt: number; snippet: string; highlights: [number, number][] };

/** A query FTS5 refused (bad syntax, unknown column): the caller's fault, not the server's. */
export class SearchQueryError extends Error {}

const HIT_OPEN = "\uE000";
const HIT_CLOSE = "\uE001";
const MAX_CARRIED_STATES = 256;
/** Raw output bytes per document: small documents keep each insert and each snippet cheap. */
const DOC_BYTES = 64 * 1024;
/**
 * Rows read per document. Was 2000: during a 20 MB burst every slice loaded all the remaining
 * megabytes of blobs to use one row of them, holding the server's event loop for tens of ms.
 */
const ROWS_PER_DOC = 64;

/** `tail`: the last, possibly unfinished word of the previous document, repeated at the start of the next. */
type Carry = { seq: number; decoder: TextDecoder; text: PlainText; tail: string };
type Pending = { id: string; lastSeq: number; done: number; ended: number };

export class SearchIndex {
  /** Streaming decoder + stripper per session, so a sequence split across two documents is handled. */
  private carry = new Map<string, Carry>();
  indexedBytes = 0;

  constructor(private db: Database) {}

  /**
   * Indexes up to about `maxBytes` of output not yet indexed. Returns true if more is waiting.
   * Each session's share is one transaction, so the event loop is never held for long.
   */
  indexSome(maxBytes = 256 * 1024): boolean {
    const pending = this.db
      .query(
        `SELECT id, lastSeq, done, ended FROM (
           SELECT s.id, s.last_seq AS lastSeq, s.ended_at IS NOT NULL AS ended,
                  COALESCE((SELECT MAX(d.to_seq) FROM search_docs d WHERE d.session_id = s.id), 0) AS done
           FROM sessions s WHERE s.output_purged_at IS NULL)
         WHERE lastSeq > done LIMIT 20`,
      )
      .all() as Pending[];
    let budget = maxBytes;
    let more = pending.length === 20;
    for (const p of pending) {
      if (budget <= 0) return true;
      const done = this.indexSession(p, Math.min(budget, DOC_BYTES));
      budget -= done.bytes;
      more ||= done.more;
    }
    return more;
  }

  /** Indexes everything that is waiting (tests, backfill from the command line). */
  indexAll(): void {
    while (this.indexSome()) {}
  }

  private indexSession(p: Pending, budget: number): { bytes: number; more: boolean } {
    // Rows are read one at a time and only until the budget is met: a row can be 256 KiB, and a
    // document usually needs one or two of the ROWS_PER_DOC rows a full read would load.
    const rows = this.db
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
    this.db.transaction(() => {
      const id = this.db.query("INSERT INTO search_docs (session_id, from_seq, to_seq) VALUES (?, ?, ?)").run(p.id, p.done + 1, toSeq).lastInsertRowid;
      text = text.replace(/[\uE000\uE001]/g, ""); // reserved for snippet highlight marks
      if (text.trim()) this.db.query("INSERT INTO search_fts (rowid, text) VALUES (?, ?)").run(id, text);
    })();
    this.indexedBytes += bytes;
    carry.seq = toSeq;
    // on the last 64 chars only: over the whole document the regex tries every start position
    carry.tail = /\S{1,64}$/.exec(text.slice(-64))?.[0] ?? "";
    this.carry.delete(p.id);
    if (!(p.ended && toSeq === p.lastSeq)) {
      this.carry.set(p.id, carry);
      if (this.carry.size > MAX_CARRIED_STATES) this.carry.delete(this.carry.keys().next().value!);
    }
    return { bytes: Math.max(bytes, 1), more: toSeq < p.lastSeq };
  }

  /** Removes a session's documents in batches; true once none are left. */
  forgetSome(sessionId: string, batch = 500): boolean {
    const ids = this.db.query("SELECT id FROM search_docs WHERE session_id = ? LIMIT ?").all(sessionId, batch) as { id: number }[];
    if (ids.length === 0) {
      this.carry.delete(sessionId);
      return true;
    }
    this.db.transaction(() => {
      for (const { id } of ids) {
        this.db.query("DELETE FROM search_fts WHERE rowid = ?").run(id);
        this.db.query("DELETE FROM search_docs WHERE id = ?").run(id);
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
      const ranked = this.db
        .query("SELECT d.session_id AS sessionId, d.id AS docId FROM search_fts f JOIN search_docs d ON d.id = f.rowid WHERE search_fts MATCH ? ORDER BY f.rank LIMIT 5000")
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
    const snippetOf = this.db.query(`SELECT snippet(search_fts, 0, '${HIT_OPEN}', '${HIT_CLOSE}', '…', 16) AS s FROM search_fts WHERE search_fts MATCH ? AND rowid = ?`);
    const sessionOf = this.db.query("SELECT name, status, started_at AS startedAt FROM sessions WHERE id = ?");
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
