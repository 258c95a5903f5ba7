import type { Database } from "bun:sqlite";

export type AuditEntry = {
  actor: string;
  ip: string | null;
  userAgent: string | null;
  action: string;
  target?: string | null;
  detail?: unknown;
};
export type AuditRow = AuditEntry & { id: number; ts: number };

/** Append-only (triggers in the schema refuse UPDATE and DELETE). */
export class AuditStore {
  constructor(private db: Database) {}

  append(e: AuditEntry): void {
    this.db
      .query("INSERT INTO audit (ts, actor, ip, user_agent, action, target, detail) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(Date.now(), e.actor, e.ip, e.userAgent, e.action, e.target ?? null, e.detail === undefined ? null : JSON.stringify(e.detail));
  }

  list(beforeId: number | null, limit: number): AuditRow[] {
    const rows = this.db
      .query("SELECT id, ts, actor, ip, user_agent AS userAgent, action, target, detail FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?")
      .all(beforeId ?? Number.MAX_SAFE_INTEGER, limit) as (AuditRow & { detail: string | null })[];
    return rows.map((r) => ({ ...r, detail: r.detail === null ? null : JSON.parse(r.detail) }));
  }
}
