import type { Database } from "bun:sqlite";
import type { DeliveryFailure, NotifyChannelName, NotifyKind } from "../protocol/notify.ts";

export type PushSubscriptionRow = { endpoint: string; p256dh: string; auth: string; label: string | null; createdAt: number };
export type ActionDecision = "approve" | "deny";
export type SpendResult = { ok: true; decision: ActionDecision } | { ok: false; reason: "unknown" | "wrong_prompt" | "used" | "expired" };

/** Kept rows of delivery failures; older ones are pruned on insert. */
const MAX_FAILURES = 500;

/** Web Push subscriptions, one-time notification action tokens (hashes only) and delivery failures. */
export class PushStore {
  constructor(private db: Database) {}

  /** Adds or refreshes a browser's subscription (the endpoint identifies it). */
  upsertSubscription(s: { endpoint: string; p256dh: string; auth: string; label: string | null; userAgent: string | null }): void {
    this.db
      .query(
        `INSERT INTO push_subscriptions (endpoint, p256dh, auth, label, user_agent, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth, label = excluded.label, user_agent = excluded.user_agent`,
      )
      .run(s.endpoint, s.p256dh, s.auth, s.label, s.userAgent, Date.now());
  }

  subscriptions(): PushSubscriptionRow[] {
    return this.db
      .query("SELECT endpoint, p256dh, auth, label, created_at AS createdAt FROM push_subscriptions ORDER BY created_at")
      .all() as PushSubscriptionRow[];
  }

  subscriptionCount(): number {
    return (this.db.query("SELECT count(*) AS n FROM push_subscriptions").get() as { n: number }).n;
  }

  deleteSubscription(endpoint: string): boolean {
    return this.db.query("DELETE FROM push_subscriptions WHERE endpoint = ?").run(endpoint).changes === 1;
  }

  addActionToken(tokenHash: string, promptId: string, decision: ActionDecision, expiresAt: number): void {
    this.db
      .query("INSERT INTO action_tokens (token_hash, prompt_id, decision, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
      .run(tokenHash, promptId, decision, Date.now(), expiresAt);
  }

  /** Whether a token would be accepted for `promptId` now (does not spend it). */
  checkActionToken(tokenHash: string, promptId: string, now = Date.now()): SpendResult {
    const row = this.db.query("SELECT prompt_id, decision, expires_at, used_at FROM action_tokens WHERE token_hash = ?").get(tokenHash) as {
      prompt_id: string;
      decision: ActionDecision;
      expires_at: number;
      used_at: number | null;
    } | null;
    if (!row) return { ok: false, reason: "unknown" };
    if (row.prompt_id !== promptId) return { ok: false, reason: "wrong_prompt" };
    if (row.used_at !== null) return { ok: false, reason: "used" };
    if (row.expires_at <= now) return { ok: false, reason: "expired" };
    return { ok: true, decision: row.decision };
  }

  /**
   * Spends a token for `promptId`: true for exactly one caller. Spending one token of a prompt spends
   * all of them (Approve then Deny from the same notification does nothing the second time).
   */
  spendActionToken(tokenHash: string, promptId: string, now = Date.now()): SpendResult {
    return this.db.transaction((): SpendResult => {
      const r = this.checkActionToken(tokenHash, promptId, now);
      if (r.ok) this.db.query("UPDATE action_tokens SET used_at = ? WHERE prompt_id = ? AND used_at IS NULL").run(now, promptId);
      return r;
    })();
  }

  /** The prompt was resolved some other way: its tokens stop working. */
  revokeActionTokens(promptId: string, now = Date.now()): void {
    this.db.query("UPDATE action_tokens SET used_at = ? WHERE prompt_id = ? AND used_at IS NULL").run(now, promptId);
  }

  purgeActionTokens(now = Date.now()): void {
    this.db.query("DELETE FROM action_tokens WHERE expires_at <= ?").run(now - 86_400_000);
  }

  addFailure(f: { channel: NotifyChannelName; kind: NotifyKind; target: string; attempts: number; error: string }): void {
    this.db
      .query("INSERT INTO notify_failures (ts, channel, kind, target, attempts, error) VALUES (?, ?, ?, ?, ?, ?)")
      .run(Date.now(), f.channel, f.kind, f.target, f.attempts, f.error.slice(0, 500));
    this.db.query("DELETE FROM notify_failures WHERE id <= (SELECT max(id) FROM notify_failures) - ?").run(MAX_FAILURES);
  }

  recentFailures(limit = 50): DeliveryFailure[] {
    return this.db
      .query("SELECT id, ts, channel, kind, target, attempts, error FROM notify_failures ORDER BY id DESC LIMIT ?")
      .all(limit) as DeliveryFailure[];
  }
}
