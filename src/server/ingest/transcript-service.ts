/**
 * Transcript frames from wrappers: stored (store/transcript.ts), acked once on disk, announced
 * on the global stream (`transcript`), and the session's cost checked against
 * CLAUDE_REMOTE_COST_ALERT_USD (one `session.cost` event per session, which the notifier sends).
 */
import type { SessionUsage, TranscriptEvent, TranscriptFrame, UsageReport } from "../../protocol/transcript.ts";
import type { Store } from "../../store/index.ts";
import type { EventLog } from "../viewers/event-log.ts";
import type { DeviceConn, Hub } from "./hub.ts";
import type { Logger } from "../log.ts";
import { addResponse, emptyFigures, mergeFigures, sessionUsage } from "../usage/figures.ts";

export class TranscriptService {
  constructor(
    private store: Store,
    private hub: Hub,
    private events: EventLog,
    private log: Logger,
    private costAlertUsd: number | null,
  ) {}

  /** Stores one frame; an error string if it was refused. */
  frame(conn: DeviceConn, f: TranscriptFrame): string | null {
    if (this.store.sessions.get(f.sessionId)?.deviceId !== conn.deviceId) return "session not open on this connection";
    const added = this.store.transcript.add(f.sessionId, f.seq, f.entries, f.partial);
    this.hub.durably(() => conn.send({ type: "transcript.ack", sessionId: f.sessionId, seq: f.seq }));
    if (added === 0 && f.partial.length === 0) return null;
    const usage = this.usage(f.sessionId)!;
    this.events.publish("transcript", this.summary(f.sessionId, usage));
    this.checkCost(f.sessionId, usage);
    return null;
  }

  usage(sessionId: string): SessionUsage | null {
    const s = this.store.sessions.get(sessionId);
    if (!s) return null;
    const state = this.store.transcript.state(sessionId);
    const wallMs = Math.max(0, (s.endedAt ?? Date.now()) - s.startedAt);
    return sessionUsage(sessionId, this.store.transcript.figures(sessionId), state.partial, state.exists, wallMs);
  }

  summary(sessionId: string, usage: SessionUsage): TranscriptEvent {
    const t = usage.total;
    return {
      sessionId,
      lastId: this.store.transcript.lastId(sessionId),
      entries: this.store.transcript.count(sessionId),
      partial: usage.partial,
      usage: { tokens: t.input + t.output + t.cacheRead + t.cacheWrite, costUsd: t.costUsd, turns: usage.turns },
    };
  }

  /** Totals of sessions started in [from, to), by day (UTC, of each response), machine or project folder. */
  report(by: UsageReport["by"], from: number | null, to: number | null): UsageReport {
    const buckets = new Map<string, { sessions: Set<string>; usage: ReturnType<typeof emptyFigures> }>();
    let total = emptyFigures();
    for (const r of this.store.transcript.responses(from, to)) {
      const key =
        by === "day"
          ? new Date(r.at).toISOString().slice(0, 10)
          : by === "machine"
            ? (r.host ?? r.device_name ?? "unknown")
            : by === "session"
              ? r.session_id
              : r.cwd;
      let b = buckets.get(key);
      if (!b) buckets.set(key, (b = { sessions: new Set(), usage: emptyFigures() }));
      b.sessions.add(r.session_id);
      const resp = {
        model: r.model,
        input: r.input,
        output: r.output,
        cacheRead: r.cache_read,
        cacheWrite: r.cache_write,
        cacheWrite1h: r.cache_write_1h,
        costUsd: r.cost_usd,
      };
      addResponse(b.usage, resp);
    }
    const turns = by === "session" ? this.store.transcript.turnsBySession(from, to) : null;
    const list = [...buckets.entries()].map(([key, b]) => ({
      key,
      sessions: b.sessions.size,
      usage: b.usage,
      ...(turns ? { turns: turns.get(key) ?? 0 } : {}),
    }));
    list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const b of list) total = mergeFigures(total, b.usage);
    return { by, from, to, buckets: list, total };
  }

  private checkCost(sessionId: string, usage: SessionUsage): void {
    const limit = this.costAlertUsd;
    const cost = usage.total.costUsd;
    if (limit === null || cost === null || cost < limit) return;
    if (!this.store.transcript.markCostAlerted(sessionId, Date.now())) return;
    this.log.info("cost_alert", { sessionId, costUsd: cost, thresholdUsd: limit });
    this.events.publish("session.cost", { sessionId, costUsd: cost, thresholdUsd: limit });
  }
}
