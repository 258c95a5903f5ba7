import type { Database } from "bun:sqlite";
import type { DeliveryFailure, NotifyChannelName, NotifyKind } from "../protocol/notify.ts";

export type PushSubscriptionRow = { endpoint: string; p256dh: string; auth: string; label: string | null; createdAt: number };

/** Kept rows of delivery failures; older ones are pruned on insert. */
const MAX_FAILURES = 500;

/** Web Push subscriptions and delivery failures. */
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
