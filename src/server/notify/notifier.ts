/**
 * The notifier: listens to the global event bus, builds notices, and fans them out to the
 * configured channels through one bounded retry queue per channel. The bus listener only appends
 * to an inbox; building and sending happen later, off the publisher's path.
 */
import type { EventName, ServerEvent } from "../../protocol/events.ts";
import type { NotifyChannelName, NotifyKind, NotifyStatus } from "../../protocol/notify.ts";
import type { AnswerLinkStore } from "../../store/answer-links.ts";
import type { PushStore } from "../../store/push.ts";
import type { ServerConfig } from "../config.ts";
import type { EventLog } from "../viewers/event-log.ts";
import type { Logger } from "../log.ts";
import type { Channel } from "./channel.ts";
import { mintAnswerLinks } from "./answer-links.ts";
import { NoticeBuilder } from "./from-events.ts";
import type { Notice } from "./notice.ts";
import { NtfyChannel } from "./ntfy.ts";
import { DEFAULT_QUEUE, DeliveryQueue, type QueueOptions } from "./queue.ts";
import { vapidSubject, type VapidKeys } from "./vapid.ts";
import { WebhookChannel } from "./webhook.ts";
import { WebPushChannel } from "./webpush.ts";

export type Outcome = "sent" | "failed" | "retried" | "dropped";
type Counters = Record<Exclude<Outcome, never>, number>;
type Entry = { channel: Channel; kinds: Set<NotifyKind>; queue: DeliveryQueue<NotifyKind>; counters: Counters };

const INBOX_MAX = 1000;
const RELEVANT = new Set<EventName>(["session", "session.cost", "prompt", "notice"]);

export type NotifierOptions = {
  config: ServerConfig;
  store: PushStore;
  links: AnswerLinkStore;
  log: Logger;
  vapid: VapidKeys;
  sessionName(id: string): string | null;
  queue?: Partial<QueueOptions>;
};

/** Until the prompts service is wired, an action finds no prompt. */

export class Notifier {
  private entries: Entry[] = [];
  private inbox: ServerEvent[] = [];
  private draining = false;
  private builder: NoticeBuilder;
  private base = "";
  private unsubscribe: (() => void) | null = null;
  private outcomeHook: (channel: NotifyChannelName, outcome: Outcome) => void = () => {};
  readonly pushStore: PushStore;

  constructor(private opts: NotifierOptions) {
    const { config, store, vapid } = opts;
    this.pushStore = store;
    this.builder = new NoticeBuilder(
      () => this.baseUrl,
      (id) => {
        const name = opts.sessionName(id);
        return name === null ? null : { name };
      },
    );
    const queue = { ...DEFAULT_QUEUE, ...opts.queue };
    this.add(new WebPushChannel(store, vapid, vapidSubject(config.vapidSubject, config.publicUrl)), config.notifyWebpush, true, queue);
    if (config.ntfyUrl)
      this.add(new NtfyChannel(config.ntfyUrl, config.ntfyToken, config.ntfyActions === "approve"), config.notifyNtfy, false, queue);
    if (config.webhookUrl) this.add(new WebhookChannel(config.webhookUrl), config.notifyWebhook, true, queue);
  }

  get publicKey(): string {
    return this.opts.vapid.publicKey;
  }

  /** Absolute base URL for links in notifications: PUBLIC_URL, else the listening URL. */
  get baseUrl(): string {
    return this.opts.config.publicUrl || this.base;
  }

  start(events: EventLog, listeningUrl: string, onOutcome?: (channel: NotifyChannelName, outcome: Outcome) => void): void {
    this.base = listeningUrl;
    if (onOutcome) this.outcomeHook = onOutcome;
    this.unsubscribe = events.onPublish((e) => this.offer(e));
  }

  stop(): void {
    this.unsubscribe?.();
    this.inbox = [];
    for (const e of this.entries) e.queue.stop();
  }

  status(): NotifyStatus {
    return {
      channels: this.entries.map((e) => ({
        name: e.channel.name,
        enabled: true,
        kinds: [...e.kinds],
        target: e.channel.target,
        counters: { ...e.counters },
      })),
      queued: this.entries.reduce((n, e) => n + e.queue.queued, 0),
      inFlight: this.entries.reduce((n, e) => n + e.queue.inFlight, 0),
      subscriptions: this.opts.store.subscriptionCount(),
      recentFailures: this.opts.store.recentFailures(50),
    };
  }

  /** Counter totals by channel and outcome (for /metrics and tests). */
  counters(): Record<string, Counters> {
    return Object.fromEntries(this.entries.map((e) => [e.channel.name, { ...e.counters }]));
  }

  private add(channel: Channel, kinds: readonly string[], followsResolved: boolean, queue: QueueOptions): void {
    const set = new Set(kinds as NotifyKind[]);
    if (followsResolved && set.has("prompt")) set.add("resolved");
    set.add("cost"); // asked for by setting CLAUDE_REMOTE_COST_ALERT_USD, not per channel
    const counters: Counters = { sent: 0, failed: 0, retried: 0, dropped: 0 };
    const count = (o: Outcome) => {
      counters[o]++;
      this.outcomeHook(channel.name, o);
    };
    const q = new DeliveryQueue<NotifyKind>(queue, {
      sent: () => count("sent"),
      retried: (kind, d, err) => {
        count("retried");
        this.opts.log.debug("notify_retry", { channel: channel.name, kind, target: d.target, error: err.message });
      },
      failed: (kind, d, err, attempts) => {
        count("failed");
        this.opts.log.warn("notify_failed", { channel: channel.name, kind, target: d.target, attempts, error: err.message });
        this.opts.store.addFailure({ channel: channel.name, kind, target: d.target, attempts, error: err.message });
      },
      dropped: (kind, d) => {
        count("dropped");
        this.opts.store.addFailure({ channel: channel.name, kind, target: d.target, attempts: 0, error: "queue full: dropped" });
      },
    });
    this.entries.push({ channel, kinds: set, queue: q, counters });
  }

  private offer(e: ServerEvent): void {
    if (!RELEVANT.has(e.event)) return;
    if (this.inbox.length >= INBOX_MAX) this.inbox.shift();
    this.inbox.push(e);
    if (!this.draining) {
      this.draining = true;
      setTimeout(() => this.drain(), 0);
    }
  }

  private drain(): void {
    this.draining = false;
    const batch = this.inbox;
    this.inbox = [];
    for (const e of batch) {
      try {
        // A prompt that is no longer pending: its answer links stop working.
        if (e.event === "prompt" && e.data.prompt.status !== "pending") this.opts.links.freePrompt(e.data.prompt.id);
        const notice = this.builder.fromEvent(e);
        if (notice) this.dispatch(notice);
      } catch (err) {
        this.opts.log.error("notify_build_failed", { event: e.event, error: (err as Error).message });
      }
    }
  }

  private dispatch(n: Notice): void {
    n = this.withAnswerLinks(n);
    for (const e of this.entries) {
      if (!e.kinds.has(n.kind)) continue;
      for (const d of e.channel.deliveries(n)) e.queue.push(n.kind, d);
    }
  }

  /** Answer buttons, only if a channel that carries them sends this notice. Their links start at baseUrl: set PUBLIC_URL for a phone to reach them. */
  private withAnswerLinks(n: Notice): Notice {
    const base = this.baseUrl;
    if (!n.promptId || !n.choices?.length) return n;
    if (!this.entries.some((e) => e.kinds.has(n.kind) && e.channel.carriesAnswers)) return n;
    return { ...n, answers: mintAnswerLinks(this.opts.links, base, { promptId: n.promptId, sessionId: n.sessionId, choices: n.choices }) };
  }
}
