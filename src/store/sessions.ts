import type { Database } from "bun:sqlite";
import type { SessionInfo, SessionNotice, SessionStatus } from "../protocol/common.ts";
import type { SessionOpenInfo } from "../protocol/frames.ts";

/** What the `sessions` table holds; `waiting` is derived (sessionStatusSql). */
type StoredStatus = Exclude<SessionStatus, "waiting">;

type Row = {
  id: string;
  device_id: string;
  name: string;
  command: string;
  cwd: string;
  derived_status: SessionStatus;
  started_at: number;
  ended_at: number | null;
  exit_code: number | null;
  cols: number;
  rows: number;
  last_seq: number;
  bytes: number;
  device_name: string | null;
  host: string | null;
  pending_prompts: number;
  notice: string | null;
  first_prompt: string | null;
  archived_at: number | null;
};

/**
 * A session's status as SQL over the row `t` of `sessions`: `waiting` is derived, never stored (a
 * running session with a pending prompt); the stored status is running, disconnected, exited or lost.
 */
export const sessionStatusSql = (t: string) =>
  `CASE WHEN ${t}.status = 'running' AND EXISTS (SELECT 1 FROM prompts p WHERE p.session_id = ${t}.id AND p.status = 'pending') THEN 'waiting' ELSE ${t}.status END`;

const SELECT = `SELECT s.*, ${sessionStatusSql("s")} AS derived_status, d.name AS device_name, d.host AS host,
  (SELECT COUNT(*) FROM prompts p WHERE p.session_id = s.id AND p.status = 'pending') AS pending_prompts
  FROM sessions s LEFT JOIN devices d ON d.id = s.device_id`;

export class SessionStore {
  constructor(private db: Database) {}

  /** Creates the session, or re-opens it (same device) after a reconnect. Returns false if the id belongs to another device. */
  open(deviceId: string, s: SessionOpenInfo): boolean {
    const existing = this.db.query("SELECT device_id FROM sessions WHERE id = ?").get(s.sessionId) as { device_id: string } | null;
    if (existing) {
      if (existing.device_id !== deviceId) return false;
      this.db
        .query("UPDATE sessions SET status = 'running', cols = ?, rows = ? WHERE id = ? AND ended_at IS NULL")
        .run(s.cols, s.rows, s.sessionId);
      return true;
    }
    this.db
      .query(
        `INSERT INTO sessions (id, device_id, name, command, cwd, status, started_at, cols, rows) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
      )
      .run(s.sessionId, deviceId, s.name, JSON.stringify(s.command), s.cwd, s.startedAt, s.cols, s.rows);
    return true;
  }

  get(id: string): SessionInfo | null {
    const row = this.db.query(`${SELECT} WHERE s.id = ?`).get(id) as Row | null;
    return row ? toInfo(row) : null;
  }

  list(limit = 200): SessionInfo[] {
    return this.page(limit).items;
  }

  /** Newest first, `limit` after the key `after` ([startedAt, id] of the previous page's last row). */
  page(limit: number, after: [number, string | number] | null = null): { items: SessionInfo[]; next: [number, string] | null } {
    const rows = (
      after
        ? this.db
            .query(`${SELECT} WHERE (s.started_at, s.id) < (?, ?) ORDER BY s.started_at DESC, s.id DESC LIMIT ?`)
            .all(after[0], String(after[1]), limit + 1)
        : this.db.query(`${SELECT} ORDER BY s.started_at DESC, s.id DESC LIMIT ?`).all(limit + 1)
    ) as Row[];
    const items = rows.slice(0, limit).map(toInfo);
    const last = items[items.length - 1];
    return { items, next: rows.length > limit && last ? [last.startedAt, last.id] : null };
  }

  /** The session's last hook notice; the first `working` one (the first prompt typed) is also kept as its title. */
  setNotice(id: string, notice: SessionNotice): void {
    const title = notice.kind === "working" ? oneLine(notice.message) : null;
    this.db
      .query("UPDATE sessions SET notice = ?, first_prompt = COALESCE(first_prompt, ?) WHERE id = ?")
      .run(JSON.stringify(notice), title || null, id);
  }

  setStatus(id: string, status: StoredStatus): void {
    this.db.query("UPDATE sessions SET status = ? WHERE id = ? AND ended_at IS NULL").run(status, id);
  }

  resize(id: string, cols: number, rows: number): void {
    this.db.query("UPDATE sessions SET cols = ?, rows = ? WHERE id = ?").run(cols, rows, id);
  }

  end(id: string, exitCode: number, endedAt: number): void {
    this.db.query("UPDATE sessions SET status = 'exited', exit_code = ?, ended_at = ? WHERE id = ?").run(exitCode, endedAt, id);
  }

  /** Ends a session whose wrapper died: status `lost`, no exit code. False if it had already ended. */
  markLost(id: string, endedAt: number): boolean {
    return (
      this.db
        .query("UPDATE sessions SET status = 'lost', exit_code = NULL, ended_at = ? WHERE id = ? AND ended_at IS NULL")
        .run(endedAt, id).changes === 1
    );
  }

  /** Sessions left `running` by a previous server process are no longer connected. */
  markAllDisconnected(): void {
    this.db.query("UPDATE sessions SET status = 'disconnected' WHERE ended_at IS NULL").run();
  }

  rename(id: string, name: string): boolean {
    return this.db.query("UPDATE sessions SET name = ? WHERE id = ?").run(name, id).changes === 1;
  }

  setArchived(id: string, archived: boolean): boolean {
    return this.db.query("UPDATE sessions SET archived_at = ? WHERE id = ?").run(archived ? Date.now() : null, id).changes === 1;
  }

  /** Deletes the session's row and what hangs off it but its output (removed first, in batches: see session-delete.ts). */
  removeRow(id: string): void {
    this.db.transaction(() => {
      this.db.query("DELETE FROM gaps WHERE session_id = ?").run(id);
      this.db.query("DELETE FROM prompts WHERE session_id = ?").run(id);
      this.db.query("DELETE FROM sessions WHERE id = ?").run(id);
    })();
  }

  /** Stored sessions by status (`waiting` derived), for /metrics. */
  countByStatus(): { status: SessionStatus; n: number }[] {
    return this.db.query(`SELECT ${sessionStatusSql("s")} AS status, COUNT(*) AS n FROM sessions s GROUP BY 1`).all() as {
      status: SessionStatus;
      n: number;
    }[];
  }

  lastSeq(id: string): number {
    const r = this.db.query("SELECT last_seq FROM sessions WHERE id = ?").get(id) as { last_seq: number } | null;
    return r?.last_seq ?? 0;
  }
}

const TITLE_MAX = 120;

function oneLine(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > TITLE_MAX ? `${t.slice(0, TITLE_MAX - 1)}…` : t;
}

const USER_TURN = new Set(["waiting", "done", "interrupted"]);

/** Whose move it is, from the status, the pending prompts and the last hook notice (SessionInfo.turn). */
export function turnOf(status: SessionStatus, pendingPrompts: number, notice: SessionNotice | null): SessionInfo["turn"] {
  if (status !== "running" && status !== "waiting") return null;
  if (pendingPrompts > 0) return "user";
  if (!notice) return null;
  return USER_TURN.has(notice.kind) ? "user" : "agent";
}

function toInfo(r: Row): SessionInfo {
  const notice: SessionNotice | null = r.notice ? JSON.parse(r.notice) : null;
  return {
    id: r.id,
    deviceId: r.device_id,
    name: r.name,
    command: JSON.parse(r.command),
    cwd: r.cwd,
    status: r.derived_status,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    exitCode: r.exit_code,
    cols: r.cols,
    rows: r.rows,
    bytes: r.bytes,
    lastSeq: r.last_seq,
    pendingPrompts: r.pending_prompts,
    notice,
    host: r.host,
    deviceName: r.device_name,
    turn: turnOf(r.derived_status, r.pending_prompts, notice),
    title: r.first_prompt,
    archivedAt: r.archived_at,
  };
}
