import type { Database } from "bun:sqlite";
import { timingSafeEqual } from "node:crypto";

export type NewAnswerLink = { promptId: string; sessionId: string; option: string; label: string; tokenHash: string };
export type LinkCheck = { ok: true; label: string } | { ok: false; reason: "unknown" | "expired" };

/**
 * Answer links (the answer buttons of notifications): one row per (prompt, option), holding only the
 * token's sha256. The only writer of `answer_links`. A prompt's links go when one of them is used
 * and when the prompt stops being pending, all of a session's when it is deleted; a session keeps
 * at most `maxPerSession` of them.
 */
export class AnswerLinkStore {
  constructor(private db: Database) {}

  /** Stores a notification's links (replacing older links for the same prompt and option). */
  add(links: NewAnswerLink[], expiresAt: number, maxPerSession: number, now = Date.now()): void {
    this.db.transaction(() => {
      this.db.query("DELETE FROM answer_links WHERE expires_at <= ?").run(now);
      const insert = this.db.query(
        `INSERT OR REPLACE INTO answer_links (prompt_id, option_key, session_id, label, token_hash, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const l of links) insert.run(l.promptId, l.option, l.sessionId, l.label, l.tokenHash, now, expiresAt);
      for (const sessionId of new Set(links.map((l) => l.sessionId))) {
        this.db
          .query(
            `DELETE FROM answer_links WHERE session_id = ?1 AND rowid NOT IN
             (SELECT rowid FROM answer_links WHERE session_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?2)`,
          )
          .run(sessionId, maxPerSession);
      }
    })();
  }

  /**
   * Whether `tokenHash` is the link of this prompt and option, compared in constant time. Changes
   * nothing but dropping an expired link: the caller frees the prompt's links once its answer went.
   */
  check(promptId: string, option: string, tokenHash: string, now = Date.now()): LinkCheck {
    const row = this.db
      .query("SELECT label, token_hash, expires_at FROM answer_links WHERE prompt_id = ? AND option_key = ?")
      .get(promptId, option) as { label: string; token_hash: string; expires_at: number } | null;
    const given = Buffer.from(tokenHash.padEnd(64, "0").slice(0, 64));
    const stored = Buffer.from((row?.token_hash ?? "").padEnd(64, "0").slice(0, 64));
    const same = timingSafeEqual(given, stored) && row !== null;
    if (!same) return { ok: false, reason: "unknown" };
    if (row.expires_at <= now) {
      this.db.query("DELETE FROM answer_links WHERE prompt_id = ? AND option_key = ?").run(promptId, option);
      return { ok: false, reason: "expired" };
    }
    return { ok: true, label: row.label };
  }

  /** The prompt was answered or ended: none of its links work any more. */
  freePrompt(promptId: string): void {
    this.db.query("DELETE FROM answer_links WHERE prompt_id = ?").run(promptId);
  }

  /** The session was deleted: its links go with it (not left for the next add() to purge). */
  freeSession(sessionId: string): void {
    this.db.query("DELETE FROM answer_links WHERE session_id = ?").run(sessionId);
  }

  countFor(sessionId: string): number {
    return (this.db.query("SELECT count(*) AS n FROM answer_links WHERE session_id = ?").get(sessionId) as { n: number }).n;
  }
}
