import type { Database } from "bun:sqlite";

export type Chunk = { seq: number; ts: number; data: Uint8Array };
export type PendingChunk = Chunk & { sessionId: string };
export type GapRecord = { sessionId: string; fromSeq: number; toSeq: number; bytes: number };

/** Output chunks keyed by (session, seq). Writes go through `commit`, a batch per transaction. */
export class OutputStore {
  private insert;
  private bump;
  private insertGap;
  constructor(private db: Database) {
    this.insert = db.query("INSERT OR IGNORE INTO output (session_id, seq, ts, data) VALUES (?, ?, ?, ?)");
    this.bump = db.query("UPDATE sessions SET last_seq = MAX(last_seq, ?), bytes = bytes + ? WHERE id = ?");
    this.insertGap = db.query("INSERT INTO gaps (session_id, from_seq, to_seq, bytes, recorded_at) VALUES (?, ?, ?, ?, ?)");
  }

  /** One transaction for the whole batch; throws (and stores nothing) if the database refuses. */
  commit(chunks: readonly PendingChunk[], gaps: readonly GapRecord[]): void {
    // one sessions UPDATE per session per batch, not per chunk
    const bumps = new Map<string, { seq: number; bytes: number }>();
    const bumpOf = (id: string) => bumps.get(id) ?? bumps.set(id, { seq: 0, bytes: 0 }).get(id)!;
    this.db.transaction(() => {
      for (const g of gaps) {
        this.insertGap.run(g.sessionId, g.fromSeq, g.toSeq, g.bytes, Date.now());
        const b = bumpOf(g.sessionId);
        b.seq = Math.max(b.seq, g.toSeq);
      }
      for (const c of chunks) {
        if (this.insert.run(c.sessionId, c.seq, c.ts, c.data).changes === 0) continue;
        const b = bumpOf(c.sessionId);
        b.seq = Math.max(b.seq, c.seq);
        b.bytes += c.data.byteLength;
      }
      for (const [id, b] of bumps) this.bump.run(b.seq, b.bytes, id);
    })();
  }

  /** Chunks after `afterSeq`, in order, up to about `maxBytes` (at least one chunk). */
  after(sessionId: string, afterSeq: number, maxBytes: number): Chunk[] {
    const out: Chunk[] = [];
    let bytes = 0;
    const rows = this.db
      .query("SELECT seq, ts, data FROM output WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT 1000")
      .iterate(sessionId, afterSeq) as Iterable<Chunk>;
    for (const row of rows) {
      out.push(row);
      bytes += row.data.byteLength;
      if (bytes >= maxBytes) break;
    }
    return out;
  }

  /** The last chunks of a session holding at least `minBytes` (or all of it), oldest first. */
  tail(sessionId: string, minBytes: number): Chunk[] {
    const out: Chunk[] = [];
    let bytes = 0;
    const rows = this.db
      .query("SELECT seq, ts, data FROM output WHERE session_id = ? ORDER BY seq DESC")
      .iterate(sessionId) as Iterable<Chunk>;
    for (const row of rows) {
      out.push(row);
      bytes += row.data.byteLength;
      if (bytes >= minBytes) break;
    }
    return out.reverse();
  }

  /** Every chunk of a session in order, read page by page (for export). */
  *iterate(sessionId: string): Generator<Chunk> {
    let cursor = 0;
    for (;;) {
      const page = this.after(sessionId, cursor, 4 * 1024 * 1024);
      if (page.length === 0) return;
      yield* page;
      cursor = page[page.length - 1].seq;
    }
  }

  gaps(sessionId: string): GapRecord[] {
    return this.db
      .query("SELECT session_id AS sessionId, from_seq AS fromSeq, to_seq AS toSeq, bytes FROM gaps WHERE session_id = ? ORDER BY from_seq")
      .all(sessionId) as GapRecord[];
  }

  /** Deletes up to `max` of the session's oldest chunks; how many went (fewer than `max`: none are left). */
  deleteOldest(sessionId: string, max: number): number {
    return this.db
      .query("DELETE FROM output WHERE session_id = ?1 AND seq IN (SELECT seq FROM output WHERE session_id = ?1 ORDER BY seq LIMIT ?2)")
      .run(sessionId, max).changes;
  }

  /** The session's output is gone (retention): drop its gaps and mark its row, which stays for the history list. */
  markPurged(sessionId: string, at = Date.now()): void {
    this.db.transaction(() => {
      this.db.query("DELETE FROM gaps WHERE session_id = ?").run(sessionId);
      this.db.query("UPDATE sessions SET output_purged_at = ? WHERE id = ?").run(at, sessionId);
    })();
  }

  /** Sessions whose output retention may delete: ended before `cutoff`, or disconnected with no output since; not yet purged. */
  expiredBefore(cutoff: number): string[] {
    const rows = this.db
      .query(
        `SELECT id FROM sessions s WHERE output_purged_at IS NULL AND (
           (ended_at IS NOT NULL AND ended_at < ?1)
           OR (ended_at IS NULL AND status = 'disconnected' AND started_at < ?1
               AND NOT EXISTS (SELECT 1 FROM output o WHERE o.session_id = s.id AND o.ts >= ?1)))`,
      )
      .all(cutoff) as { id: string }[];
    return rows.map((r) => r.id);
  }
}
