/**
 * The only writer of `transcript_entries` and `transcript_state`. Entries are inserted once per
 * (session, uuid); a resent frame changes nothing. Reads return compact rows for the figures
 * (no blocks) and pages of whole entries for the conversation.
 */
import type { Database } from "bun:sqlite";
import type { ConversationItem, TranscriptEntry } from "../protocol/transcript.ts";

/** Reasons kept per session; later ones beyond this are dropped. */
const PARTIAL_MAX = 20;

export type FigureRow = {
  id: number;
  kind: string;
  at: number;
  agent_id: string | null;
  message_id: string | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cache_write_1h_tokens: number;
  cost_usd: number | null;
  duration_ms: number | null;
  lines_added: number;
  lines_removed: number;
  prompt: string | null;
};

/** One response's usage (max over its lines), for totals across sessions. */
export type ResponseRow = {
  session_id: string;
  at: number;
  model: string | null;
  sub: number;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  cache_write_1h: number;
  cost_usd: number | null;
  cwd: string;
  host: string | null;
  device_name: string | null;
};

export type TokensByModel = {
  model: string | null;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  own_cost: number | null;
  p_input: number;
  p_output: number;
  p_cache_read: number;
  p_cache_write: number;
  p_cache_write_1h: number;
  p_responses: number;
};

type EntryRow = FigureRow & { uuid: string; blocks: string };

export class TranscriptStore {
  constructor(private db: Database) {}

  /** Stores a frame's entries and reasons; returns how many entries were new. */
  add(sessionId: string, seq: number, entries: TranscriptEntry[], partial: string[]): number {
    const insert = this.db.query(`INSERT OR IGNORE INTO transcript_entries
      (session_id, uuid, kind, at, agent_id, message_id, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, cost_usd, duration_ms, lines_added, lines_removed, blocks)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    let added = 0;
    this.db.transaction(() => {
      for (const e of entries) {
        const u = e.usage;
        added += insert.run(
          sessionId,
          e.uuid,
          e.kind,
          e.at,
          e.agentId,
          e.messageId,
          e.model,
          u?.input ?? 0,
          u?.output ?? 0,
          u?.cacheRead ?? 0,
          u?.cacheWrite ?? 0,
          u?.cacheWrite1h ?? 0,
          e.costUsd,
          e.durationMs,
          e.linesAdded,
          e.linesRemoved,
          JSON.stringify(e.blocks),
        ).changes;
      }
      const prev = this.state(sessionId);
      const reasons = [...new Set([...prev.partial, ...partial])].slice(0, PARTIAL_MAX);
      this.db
        .query(`INSERT INTO transcript_state (session_id, last_seq, partial) VALUES (?, ?, ?)
          ON CONFLICT(session_id) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq), partial = excluded.partial`)
        .run(sessionId, seq, JSON.stringify(reasons));
    })();
    return added;
  }

  state(sessionId: string): { lastSeq: number; partial: string[]; costAlertedAt: number | null; exists: boolean } {
    const r = this.db.query("SELECT last_seq, partial, cost_alerted_at FROM transcript_state WHERE session_id = ?").get(sessionId) as {
      last_seq: number;
      partial: string;
      cost_alerted_at: number | null;
    } | null;
    if (!r) return { lastSeq: 0, partial: [], costAlertedAt: null, exists: false };
    return { lastSeq: r.last_seq, partial: JSON.parse(r.partial) as string[], costAlertedAt: r.cost_alerted_at, exists: true };
  }

  /** Marks the session's cost alert as sent; false if it already was (once per session). */
  markCostAlerted(sessionId: string, at: number): boolean {
    return (
      this.db.query("UPDATE transcript_state SET cost_alerted_at = ? WHERE session_id = ? AND cost_alerted_at IS NULL").run(at, sessionId)
        .changes === 1
    );
  }

  /** Every entry of a session without its blocks (a user entry's first text as `prompt`), in order. */
  figures(sessionId: string): FigureRow[] {
    return this.db
      .query(`SELECT id, kind, at, agent_id, message_id, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, cost_usd, duration_ms, lines_added, lines_removed,
        CASE WHEN kind = 'user' THEN substr(json_extract(blocks, '$[0].text'), 1, 200) END AS prompt
        FROM transcript_entries WHERE session_id = ? ORDER BY id`)
      .all(sessionId) as FigureRow[];
  }

  count(sessionId: string): number {
    return (this.db.query("SELECT COUNT(*) AS n FROM transcript_entries WHERE session_id = ?").get(sessionId) as { n: number }).n;
  }

  lastId(sessionId: string): number {
    return (this.db.query("SELECT COALESCE(MAX(id), 0) AS n FROM transcript_entries WHERE session_id = ?").get(sessionId) as { n: number })
      .n;
  }

  /** Responses of all sessions (a session counted if it started in [from, to)), with where they ran. */
  responses(from: number | null, to: number | null): ResponseRow[] {
    return this.db
      .query(`SELECT e.session_id, MIN(e.at) AS at, e.model, e.agent_id IS NOT NULL AS sub,
          MAX(e.input_tokens) AS input, MAX(e.output_tokens) AS output, MAX(e.cache_read_tokens) AS cache_read, MAX(e.cache_write_tokens) AS cache_write, MAX(e.cache_write_1h_tokens) AS cache_write_1h, MAX(e.cost_usd) AS cost_usd,
          s.cwd, d.host, d.name AS device_name
        FROM transcript_entries e JOIN sessions s ON s.id = e.session_id LEFT JOIN devices d ON d.id = s.device_id
        WHERE e.kind = 'assistant' AND s.started_at >= ? AND s.started_at < ?
        GROUP BY e.session_id, COALESCE(e.message_id, e.uuid)`)
      .all(from ?? 0, to ?? Number.MAX_SAFE_INTEGER) as ResponseRow[];
  }

  /** Turns (the main agent's user entries) per session started in [from, to). */
  turnsBySession(from: number | null, to: number | null): Map<string, number> {
    const rows = this.db
      .query(`SELECT e.session_id AS id, COUNT(*) AS n FROM transcript_entries e JOIN sessions s ON s.id = e.session_id
        WHERE e.kind = 'user' AND e.agent_id IS NULL AND s.started_at >= ? AND s.started_at < ? GROUP BY e.session_id`)
      .all(from ?? 0, to ?? Number.MAX_SAFE_INTEGER) as { id: string; n: number }[];
    return new Map(rows.map((r) => [r.id, r.n]));
  }

  /** Token sums by model over all stored responses (for /metrics); `p_*`: those without Claude Code's own cost. */
  tokensByModel(): TokensByModel[] {
    return this.db
      .query(`SELECT model, SUM(input) AS input, SUM(output) AS output, SUM(cache_read) AS cache_read, SUM(cache_write) AS cache_write,
          SUM(cost_usd) AS own_cost,
          SUM(CASE WHEN cost_usd IS NULL THEN input ELSE 0 END) AS p_input, SUM(CASE WHEN cost_usd IS NULL THEN output ELSE 0 END) AS p_output,
          SUM(CASE WHEN cost_usd IS NULL THEN cache_read ELSE 0 END) AS p_cache_read, SUM(CASE WHEN cost_usd IS NULL THEN cache_write ELSE 0 END) AS p_cache_write,
          SUM(CASE WHEN cost_usd IS NULL THEN cache_write_1h ELSE 0 END) AS p_cache_write_1h, SUM(cost_usd IS NULL) AS p_responses
        FROM (
          SELECT model, MAX(input_tokens) AS input, MAX(output_tokens) AS output, MAX(cache_read_tokens) AS cache_read, MAX(cache_write_tokens) AS cache_write,
            MAX(cache_write_1h_tokens) AS cache_write_1h, MAX(cost_usd) AS cost_usd
          FROM transcript_entries WHERE kind = 'assistant' GROUP BY session_id, COALESCE(message_id, uuid)
        ) GROUP BY model`)
      .all() as TokensByModel[];
  }

  /** A page of the conversation: after `after` (oldest first), or the `limit` entries before `before` (or the newest). */
  page(sessionId: string, q: { after?: number; before?: number; limit: number }): { items: ConversationItem[]; more: boolean } {
    const cols = "*";
    let rows: EntryRow[];
    if (q.after !== undefined) {
      rows = this.db
        .query(`SELECT ${cols} FROM transcript_entries WHERE session_id = ? AND id > ? ORDER BY id LIMIT ?`)
        .all(sessionId, q.after, q.limit) as EntryRow[];
    } else {
      rows = (
        this.db
          .query(`SELECT ${cols} FROM transcript_entries WHERE session_id = ? AND id < ? ORDER BY id DESC LIMIT ?`)
          .all(sessionId, q.before ?? Number.MAX_SAFE_INTEGER, q.limit) as EntryRow[]
      ).reverse();
    }
    const first = rows[0]?.id;
    const more =
      first !== undefined &&
      this.db.query("SELECT 1 FROM transcript_entries WHERE session_id = ? AND id < ? LIMIT 1").get(sessionId, first) !== null;
    return { items: rows.map(toItem), more };
  }

  /** Retention: deletes up to `batch` of a session's entries (oldest first); returns how many went. Its state row stays. */
  purgeEntries(sessionId: string, batch: number): number {
    return this.db
      .query("DELETE FROM transcript_entries WHERE id IN (SELECT id FROM transcript_entries WHERE session_id = ? ORDER BY id LIMIT ?)")
      .run(sessionId, batch).changes;
  }

  forget(sessionId: string): void {
    this.db.query("DELETE FROM transcript_entries WHERE session_id = ?").run(sessionId);
    this.db.query("DELETE FROM transcript_state WHERE session_id = ?").run(sessionId);
  }
}

function toItem(r: EntryRow): ConversationItem {
  const hasUsage = r.kind === "assistant";
  return {
    id: r.id,
    uuid: r.uuid,
    kind: r.kind as ConversationItem["kind"],
    at: r.at,
    agentId: r.agent_id,
    messageId: r.message_id,
    model: r.model,
    usage: hasUsage
      ? {
          input: r.input_tokens,
          output: r.output_tokens,
          cacheRead: r.cache_read_tokens,
          cacheWrite: r.cache_write_tokens,
          cacheWrite1h: r.cache_write_1h_tokens,
        }
      : null,
    costUsd: r.cost_usd,
    durationMs: r.duration_ms,
    linesAdded: r.lines_added,
    linesRemoved: r.lines_removed,
    blocks: JSON.parse(r.blocks),
  };
}
