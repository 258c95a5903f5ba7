/**
 * The global event stream (`/events`): session and prompt lifecycle events, each with an id
 * `<bootId>-<n>`. The last `capacity` events are kept so a viewer resumes with Last-Event-ID;
 * one that missed more (or that knew a previous server process) is told to resync.
 */
import type { EventMap, EventName, ServerEvent } from "../../protocol/events.ts";
import type { SseEncoding } from "./sse-compression.ts";
import { SseClient } from "./sse.ts";

type Entry = { n: number; event: EventName; data: EventMap[EventName] };

export class EventLog {
  readonly bootId = crypto.randomUUID().slice(0, 8);
  private entries: Entry[] = [];
  private next = 1;
  private clients = new Set<SseClient>();
  private listeners = new Set<(e: ServerEvent) => void>();

  constructor(
    private capacity = 2000,
    private maxQueuedBytes = 1024 * 1024,
  ) {}

  get viewerCount(): number {
    return this.clients.size;
  }

  publish<E extends EventName>(event: E, data: EventMap[E]): void {
    const entry: Entry = { n: this.next++, event, data };
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    for (const c of this.clients) c.send(event, data, this.id(entry.n));
    for (const l of this.listeners) {
      try {
        l({ event, data } as ServerEvent);
      } catch {} // an in-process listener (the notifier) must never break publishing
    }
  }

  /** In-process subscribers (e.g. the notifier). Called synchronously: keep listeners cheap. */
  onPublish(listener: (e: ServerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  subscribe(lastEventId: string | null, encoding: SseEncoding | null = null, onEnd?: () => void): Response {
    const client: SseClient = new SseClient({
      maxQueuedBytes: this.maxQueuedBytes,
      encoding,
      onEnd,
      onClose: () => this.clients.delete(client),
    });
    client.send("hello", { bootId: this.bootId, serverTime: Date.now() });
    const missed = this.since(lastEventId);
    if (missed === null)
      client.send("resync", { reason: lastEventId ? "event history no longer available" : "initial" }, this.id(this.next - 1));
    else for (const e of missed) client.send(e.event, e.data, this.id(e.n));
    this.clients.add(client);
    return client.response;
  }

  closeAll(): void {
    for (const c of [...this.clients]) c.close();
  }

  private id(n: number): string {
    return `${this.bootId}-${n}`;
  }

  /** Events after `lastEventId`, or null if they cannot be replayed. */
  private since(lastEventId: string | null): Entry[] | null {
    if (!lastEventId) return null;
    const [boot, nStr] = lastEventId.split("-");
    const n = Number(nStr);
    if (boot !== this.bootId || !Number.isInteger(n)) return null;
    const first = this.entries[0]?.n ?? this.next;
    if (n + 1 < first) return null;
    return this.entries.filter((e) => e.n > n);
  }
}
