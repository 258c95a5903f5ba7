/**
 * The screen view of a session (`/events?session=<id>&view=screen`): a `screen` event with the
 * whole styled screen on join, then `rows` events with only the rows that changed, at most
 * ~30 per second per viewer. The snapshot is read from the live HeadlessScreen, so joining costs
 * the same for a fresh session as for one with gigabytes of history.
 *
 * Each viewer is diffed against what *it* last received, so a viewer whose queue is full simply
 * skips ticks and later gets one combined diff: nothing is lost and nothing piles up. A reconnect
 * (whatever its Last-Event-ID) starts with a fresh `screen`.
 */
import type { EventMap } from "../../protocol/events.ts";
import type { StyledRow } from "../../protocol/screen.ts";
import type { HeadlessScreen, StyledScreen } from "../../terminal/headless.ts";
import { diffRows, rowKey } from "../../terminal/screen-state.ts";
import type { SinkFactory, ViewerSink } from "./viewer-sink.ts";

export type ScreenStreamOptions = { bootId: string; maxQueuedBytes: number; intervalMs?: number };

/** Below this much free queue a viewer skips a tick rather than queue more. */
const MIN_ROOM = 64 * 1024;

/** What a viewer last got; `cursor` also folds in the history count. */
type Sent = { cols: number; rows: number; keys: string[]; cursor: string; alt: boolean; bp: boolean };

class Viewer {
  readonly client: ViewerSink;
  private sent: Sent | null = null;
  private n = 0;
  behind = false;

  constructor(
    private feed: Feed,
    maxQueuedBytes: number,
    sink: SinkFactory,
    onClose: () => void,
  ) {
    this.client = sink({ maxQueuedBytes, onDemand: () => this.behind && this.feed.schedule(), onClose });
  }

  update(cur: StyledScreen, keys: string[]): void {
    if (this.client.isClosed) return;
    if (this.client.room < MIN_ROOM) {
      this.behind = true;
      return;
    }
    this.behind = false;
    const s = this.sent;
    const cursor = `${cur.cursor.x},${cur.cursor.y},${cur.cursor.visible},${cur.history}`;
    const next: Sent = { cols: cur.cols, rows: cur.rows, keys, cursor, alt: cur.alt, bp: cur.bracketedPaste };
    const base = {
      sessionId: this.feed.sessionId,
      cursor: cur.cursor,
      alt: cur.alt,
      bracketedPaste: cur.bracketedPaste,
      history: cur.history,
    };
    if (!s || s.cols !== cur.cols || s.rows !== cur.rows) {
      this.sent = next;
      this.client.send("screen", { ...base, cols: cur.cols, rows: cur.rows, lines: cur.lines }, this.id());
      return;
    }
    const { scroll, changed } = diffRows(s.keys, keys);
    if (scroll === 0 && changed.length === 0 && s.cursor === cursor && s.alt === cur.alt && s.bp === cur.bracketedPaste) return;
    this.sent = next;
    const rows: [number, StyledRow][] = changed.map((i) => [i, cur.lines[i]]);
    this.client.send("rows", scroll ? { ...base, scroll, rows } : { ...base, rows }, this.id());
  }

  private id(): string {
    return `${this.feed.bootId}-${++this.n}`;
  }
}

/** One session's screen and its viewers; reads the screen at most once per tick for all of them. */
class Feed {
  readonly viewers = new Set<Viewer>();
  private unsubscribe: () => void;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private last = 0;
  private closed = false;

  constructor(
    readonly sessionId: string,
    readonly screen: HeadlessScreen,
    readonly bootId: string,
    private intervalMs: number,
    private onEmpty: () => void,
  ) {
    this.unsubscribe = screen.onChange(() => this.schedule());
  }

  join<S extends ViewerSink>(maxQueuedBytes: number, sink: SinkFactory<S>, hello: EventMap["hello"]): S {
    const v: Viewer = new Viewer(this, maxQueuedBytes, sink, () => this.leave(v));
    this.viewers.add(v);
    v.client.send("hello", hello);
    const cur = this.screen.styled();
    v.update(cur, cur.lines.map(rowKey));
    return v.client as S;
  }

  schedule(): void {
    if (this.timer || this.closed) return;
    const delay = Math.max(0, this.last + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.tick(), delay);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.unsubscribe();
    for (const v of [...this.viewers]) v.client.close();
  }

  private tick(): void {
    this.timer = null;
    this.last = Date.now();
    if (this.viewers.size === 0) return;
    const cur = this.screen.styled();
    const keys = cur.lines.map(rowKey);
    for (const v of this.viewers) v.update(cur, keys);
  }

  private leave(v: Viewer): void {
    this.viewers.delete(v);
    if (this.viewers.size === 0) {
      this.close();
      this.onEmpty();
    }
  }
}

export class ScreenStreams {
  private feeds = new Map<string, Feed>();

  constructor(private opts: ScreenStreamOptions) {}

  get viewerCount(): number {
    let n = 0;
    for (const f of this.feeds.values()) n += f.viewers.size;
    return n;
  }

  /** A new screen viewer of `screen` (already flushed by the caller). */
  subscribe<S extends ViewerSink>(sessionId: string, screen: HeadlessScreen, sink: SinkFactory<S>): S {
    let feed = this.feeds.get(sessionId);
    if (feed && feed.screen !== screen) {
      feed.close();
      feed = undefined;
    }
    if (!feed) {
      const f: Feed = new Feed(sessionId, screen, this.opts.bootId, this.opts.intervalMs ?? 33, () => {
        if (this.feeds.get(sessionId) === f) this.feeds.delete(sessionId);
      });
      this.feeds.set(sessionId, f);
      feed = f;
    }
    return feed.join(this.opts.maxQueuedBytes, sink, { bootId: this.opts.bootId, serverTime: Date.now() });
  }

  closeAll(): void {
    for (const f of [...this.feeds.values()]) f.close();
    this.feeds.clear();
  }
}
