import type { Database } from "bun:sqlite";
import type { DialogOption } from "../protocol/dialog.ts";
import type { Delivery, Prompt, PromptStatus, Resolution } from "../protocol/prompts.ts";
import { shapeOf } from "../protocol/questions.ts";

type Row = {
  id: string;
  session_id: string;
  source: Prompt["source"];
  agent: string | null;
  tool: string;
  input: string;
  suggestions: string;
  title: string | null;
  question: string | null;
  body: string;
  options: string;
  status: PromptStatus;
  created_at: number;
  updated_at: number;
  resolved_at: number | null;
  resolved_by: string | null;
  resolution: string | null;
  hook_session_id: string | null;
  tool_use_id: string | null;
};

export type PromptFilter = { status?: PromptStatus; session?: string; limit?: number; after?: [number, string | number] | null };
export type DialogFields = { title: string | null; question: string | null; body: string[]; options: DialogOption[] };

/** Prompt records (the `prompts` table's one writer). A status leaves `pending` once: `resolve` is the single atomic step that decides who won. */
export class PromptStore {
  constructor(private db: Database) {}

  /** Inserts a new record; false if one with this id already exists. */
  insert(p: Prompt): boolean {
    const r = this.db
      .query(
        `INSERT OR IGNORE INTO prompts (id, session_id, source, agent, tool, input, suggestions, title, question, body, options,
          status, created_at, updated_at, resolved_at, resolved_by, resolution, hook_session_id, tool_use_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        p.id,
        p.sessionId,
        p.source,
        p.agent,
        p.tool,
        JSON.stringify(p.input),
        JSON.stringify(p.suggestions),
        p.title,
        p.question,
        JSON.stringify(p.body),
        JSON.stringify(p.options),
        p.status,
        p.createdAt,
        p.updatedAt,
        p.resolvedAt,
        p.resolvedBy,
        p.resolution ? JSON.stringify(p.resolution) : null,
        p.hookSessionId,
        p.toolUseId,
      );
    return r.changes === 1;
  }

  get(id: string): Prompt | null {
    const row = this.db.query("SELECT * FROM prompts WHERE id = ?").get(id) as Row | null;
    return row ? toPrompt(row) : null;
  }

  list(f: PromptFilter = {}): Prompt[] {
    return this.page(f).items;
  }

  /** Newest first; `after` is [createdAt, rowid] of the previous page's last row. */
  page(f: PromptFilter = {}): { items: Prompt[]; next: [number, number] | null } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (f.status) where.push("status = ?"), args.push(f.status);
    if (f.session) where.push("session_id = ?"), args.push(f.session);
    if (f.after) where.push("(created_at, rowid) < (?, ?)"), args.push(f.after[0], Number(f.after[1]));
    const limit = f.limit ?? 100;
    const sql = `SELECT *, rowid AS rid FROM prompts ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    const rows = this.db.query(sql).all(...args, limit + 1) as (Row & { rid: number })[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toPrompt), next: rows.length > limit && last ? [last.created_at, last.rid] : null };
  }

  /** Prompts by status, for /metrics. */
  countByStatus(): { status: PromptStatus; n: number }[] {
    return this.db.query("SELECT status, COUNT(*) AS n FROM prompts GROUP BY status").all() as { status: PromptStatus; n: number }[];
  }

  pendingFor(sessionId: string): Prompt[] {
    return (
      this.db.query("SELECT * FROM prompts WHERE session_id = ? AND status = 'pending' ORDER BY created_at, rowid").all(sessionId) as Row[]
    ).map(toPrompt);
  }

  /** The session's API answers not yet taken (approved/denied, delivery `sent`), oldest first. */
  sentFor(sessionId: string): Prompt[] {
    return (
      this.db
        .query(
          `SELECT * FROM prompts WHERE session_id = ? AND status IN ('approved', 'denied')
             AND json_extract(resolution, '$.delivery') = 'sent' ORDER BY created_at, rowid`,
        )
        .all(sessionId) as Row[]
    ).map(toPrompt);
  }

  /** Attaches what the dialog on screen says; returns the updated record. */
  setDialog(id: string, d: DialogFields): Prompt | null {
    this.db
      .query("UPDATE prompts SET title = ?, question = ?, body = ?, options = ?, updated_at = ? WHERE id = ?")
      .run(d.title, d.question, JSON.stringify(d.body), JSON.stringify(d.options), Date.now(), id);
    return this.get(id);
  }

  /** Moves a pending prompt to `status`. Null if it was no longer pending: someone else answered first. */
  resolve(
    id: string,
    status: Exclude<PromptStatus, "pending">,
    resolvedBy: string,
    resolution: Resolution,
    at = Date.now(),
  ): Prompt | null {
    const r = this.db
      .query(
        "UPDATE prompts SET status = ?, resolved_by = ?, resolution = ?, resolved_at = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
      )
      .run(status, resolvedBy, JSON.stringify(resolution), at, at, id);
    return r.changes === 1 ? this.get(id) : null;
  }

  /** Records what became of an API answer (kept in its resolution). Null if the prompt has no resolution. */
  setDelivery(id: string, delivery: Delivery): Prompt | null {
    const r = this.db
      .query(
        "UPDATE prompts SET resolution = json_set(resolution, '$.delivery', ?), updated_at = ? WHERE id = ? AND resolution IS NOT NULL",
      )
      .run(delivery, Date.now(), id);
    return r.changes === 1 ? this.get(id) : null;
  }

  /**
   * An API answer the agent did not take: the prompt is pending again (its resolution, marked
   * `not_taken`, says what was tried). Only from approved/denied with delivery `sent`, so it cannot
   * undo a taken answer or a local one.
   */
  reopen(id: string): Prompt | null {
    const r = this.db
      .query(
        `UPDATE prompts SET status = 'pending', resolved_at = NULL, resolved_by = NULL,
           resolution = json_set(resolution, '$.delivery', 'not_taken'), updated_at = ?
         WHERE id = ? AND status IN ('approved', 'denied') AND json_extract(resolution, '$.delivery') = 'sent'`,
      )
      .run(Date.now(), id);
    return r.changes === 1 ? this.get(id) : null;
  }
}

function toPrompt(r: Row): Prompt {
  const input = JSON.parse(r.input);
  const resolution: Resolution | null = r.resolution ? JSON.parse(r.resolution) : null;
  return {
    ...shapeOf(r.tool, input),
    delivery: resolution?.delivery ?? null,
    id: r.id,
    sessionId: r.session_id,
    source: r.source,
    agent: r.agent,
    tool: r.tool,
    input: JSON.parse(r.input),
    suggestions: JSON.parse(r.suggestions),
    title: r.title,
    question: r.question,
    body: JSON.parse(r.body),
    options: JSON.parse(r.options),
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
    resolution: r.resolution ? JSON.parse(r.resolution) : null,
    hookSessionId: r.hook_session_id,
    toolUseId: r.tool_use_id,
  };
}
