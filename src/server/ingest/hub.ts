/**
 * The session hub: live sessions, their headless screens, their device connections and viewers.
 * Frames from devices come in through the methods here; output goes store → acks → viewers.
 */
import { DeviceClose, type DeviceCloseCode, type DeviceErrorCode } from "../../protocol/codes.ts";
import type { InputBody } from "../../protocol/api.ts";
import type { ServerFrame, SessionOpenInfo } from "../../protocol/frames.ts";
import { keysToBytes } from "../../protocol/keys.ts";
import type { Store } from "../../store/index.ts";
import type { GapRecord, PendingChunk } from "../../store/output.ts";
import { HeadlessScreen } from "../../terminal/headless.ts";
import type { EventLog } from "../viewers/event-log.ts";
import type { Logger } from "../log.ts";
import { OutputPipeline } from "./output-pipeline.ts";
import { ScreenFeed } from "./screen-feed.ts";
import { ScreenStreams } from "../viewers/screen-stream.ts";
import { SessionStream } from "../viewers/session-stream.ts";
import type { SinkFactory, ViewerSink } from "../viewers/viewer-sink.ts";

/** What the hub needs of a device's WebSocket. */
export interface DeviceConn {
  readonly deviceId: string;
  send(frame: ServerFrame): void;
  close(code: DeviceCloseCode, reason: string): void;
}

/** A session a device connection holds now; retired (screen kept dormant, the rest freed) when it lets go. */
type Live = {
  id: string;
  conn: DeviceConn | null;
  screen: HeadlessScreen;
  /** Paces output into `screen` (bounded parse backlog, catch-up from the store). */
  feed: ScreenFeed;
  /** Highest seq accepted into the pipeline (stored or about to be). */
  accepted: number;
};

/**
 * The server's screen of a session is at most this big, whatever the terminal says: memory per
 * session stays bounded (a 1000×1000 screen with its scrollback took ~12 MB). A wider or taller
 * terminal is drawn cut to this on the dashboard; its output is stored whole.
 */
export const MAX_SCREEN_COLS = 500;
export const MAX_SCREEN_ROWS = 250;
const screenSize = (cols: number, rows: number) => [Math.min(cols, MAX_SCREEN_COLS), Math.min(rows, MAX_SCREEN_ROWS)] as const;

const SCREEN_REBUILD_BYTES = 4 * 1024 * 1024;
/** Screens kept for sessions that are not connected (ended, or waiting for their wrapper). */
const MAX_DORMANT_SCREENS = 32;

/** `durably`: runs a send once what is committed is on disk (DurableAcks); acks and exit confirmations go through it. */
export type HubOptions = {
  viewerQueueBytes: number;
  scrollback: number;
  durably: (send: () => void) => void;
  /** Sessions one device may hold open at once (CLAUDE_REMOTE_MAX_SESSIONS_PER_DEVICE). */
  maxSessionsPerDevice?: number;
};

/** Why output was refused; only `out_of_order` needs the wrapper to resync. */
export type OutputRefusal = { reason: "not_open" | "out_of_order"; message: string };

export type OpenResult = { lastSeq: number } | { refused: Extract<DeviceErrorCode, "forbidden" | "too_many_sessions">; message: string };

export class Hub {
  private live = new Map<string, Live>();
  /** Screens rebuilt for viewers of sessions that are not connected; adopted if the session comes back. */
  private dormant = new Map<string, HeadlessScreen>();
  /** Raw-output viewers by session, live or not (a viewer of a disconnected session gets its output when it returns). */
  private viewers = new Map<string, Set<SessionStream>>();
  /** Parsers of retired sessions still catching up with stored output (each removes itself). */
  private settling = new Map<string, ScreenFeed>();
  readonly pipeline: OutputPipeline;
  readonly screens: ScreenStreams;
  bytesIn = 0;

  constructor(
    private store: Store,
    private events: EventLog,
    private log: Logger,
    private opts: HubOptions,
  ) {
    this.pipeline = new OutputPipeline(store.output, {
      committed: (chunks, gaps) => this.onCommitted(chunks, gaps),
      failed: (ids, err) => this.onStoreFailed(ids, err),
    });
    this.screens = new ScreenStreams({ bootId: events.bootId, maxQueuedBytes: opts.viewerQueueBytes });
  }

  get liveCount(): number {
    return this.live.size;
  }

  get viewerCount(): number {
    let n = 0;
    for (const set of this.viewers.values()) n += set.size;
    return n;
  }

  /** Sessions the device holds open now. */
  sessionsOf(deviceId: string): number {
    let n = 0;
    for (const l of this.live.values()) if (l.conn?.deviceId === deviceId) n++;
    return n;
  }

  /** A device opened (or re-opened after a reconnect) a session. */
  open(conn: DeviceConn, f: SessionOpenInfo): OpenResult {
    let l = this.live.get(f.sessionId);
    const max = this.opts.maxSessionsPerDevice ?? Infinity;
    if (l?.conn?.deviceId !== conn.deviceId && this.sessionsOf(conn.deviceId) >= max) {
      return {
        refused: "too_many_sessions",
        message: `this device already holds ${max} open sessions (CLAUDE_REMOTE_MAX_SESSIONS_PER_DEVICE); end one first`,
      };
    }
    const ok = this.store.sessions.open(conn.deviceId, f);
    if (!ok) return { refused: "forbidden", message: "session belongs to another device" };
    const [cols, rows] = screenSize(f.cols, f.rows);
    if (!l) {
      // A screen whose parser had not caught up yet is rebuilt rather than fed by two parsers at once.
      const behind = this.settling.get(f.sessionId);
      if (behind) behind.stop(), this.settling.delete(f.sessionId), this.dormant.delete(f.sessionId);
      const dormant = this.dormant.get(f.sessionId);
      this.dormant.delete(f.sessionId);
      if (dormant && (dormant.cols !== cols || dormant.rows !== rows)) dormant.resize(cols, rows);
      const screen = dormant ?? this.rebuildScreen(f.sessionId, cols, rows);
      const lastSeq = this.store.sessions.lastSeq(f.sessionId);
      l = { id: f.sessionId, conn, screen, feed: new ScreenFeed(screen, f.sessionId, this.store.output, lastSeq), accepted: lastSeq };
      this.live.set(f.sessionId, l);
    } else {
      if (l.conn && l.conn !== conn) l.conn.close(DeviceClose.takenOver, "session taken over by a new connection");
      l.conn = conn;
      l.accepted = this.store.sessions.lastSeq(f.sessionId);
      if (l.screen.cols !== cols || l.screen.rows !== rows) l.screen.resize(cols, rows);
    }
    this.publishSession(f.sessionId);
    return { lastSeq: l.accepted };
  }

  /** Output from the device that owns the session. Duplicates are dropped; out-of-order is refused. */
  output(conn: DeviceConn, sessionId: string, seq: number, data: Uint8Array): OutputRefusal | null {
    const l = this.owned(conn, sessionId);
    if (!l) return { reason: "not_open", message: "session not open on this connection" };
    if (seq <= l.accepted) return null; // already have it (a resend after reconnect)
    if (seq !== l.accepted + 1) return { reason: "out_of_order", message: `out of order: expected seq ${l.accepted + 1}, got ${seq}` };
    l.accepted = seq;
    this.bytesIn += data.byteLength;
    // Copy: the frame's buffer belongs to the socket and is reused after this callback.
    this.pipeline.push({ sessionId, seq, ts: Date.now(), data: new Uint8Array(data) });
    return null;
  }

  gap(conn: DeviceConn, g: GapRecord): string | null {
    const l = this.owned(conn, g.sessionId);
    if (!l) return "session not open on this connection";
    if (g.toSeq <= l.accepted) return null;
    if (g.fromSeq > l.accepted + 1) return `gap starts at ${g.fromSeq}, expected ${l.accepted + 1}`;
    l.accepted = g.toSeq;
    this.pipeline.pushGap({ ...g, fromSeq: Math.max(g.fromSeq, 1) });
    return null;
  }

  resize(conn: DeviceConn, sessionId: string, cols: number, rows: number): void {
    const l = this.owned(conn, sessionId);
    if (!l) return;
    l.screen.resize(...screenSize(cols, rows));
    this.store.sessions.resize(sessionId, cols, rows);
    this.publishSession(sessionId);
  }

  /** Stores the session's end (after its tail); false if this connection does not own the session. */
  exit(conn: DeviceConn, sessionId: string, exitCode: number, endedAt: number): boolean {
    const l = this.owned(conn, sessionId);
    if (!l) return false;
    this.pipeline.flush(); // the tail is stored before the session is marked ended
    this.store.sessions.end(sessionId, exitCode, endedAt);
    l.conn = null;
    this.publishSession(sessionId);
    this.retire(l);
    return true;
  }

  /**
   * No connection holds the session any more (it ended, or its wrapper went away): its parser and
   * state are freed; its screen joins the bounded set of dormant screens (viewers of a session that
   * just ended still see it; a wrapper that comes back adopts it).
   */
  private retire(l: Live): void {
    if (this.live.get(l.id) !== l) return;
    this.live.delete(l.id);
    this.keepDormant(l.id, l.screen);
    // the screen is parsed up to what was stored before the parser stops; readers of it wait for that
    this.settling.set(l.id, l.feed);
    void l.feed.settled().finally(() => {
      l.feed.stop();
      if (this.settling.get(l.id) === l.feed) this.settling.delete(l.id);
    });
  }

  private keepDormant(sessionId: string, screen: HeadlessScreen): void {
    this.dormant.delete(sessionId);
    this.dormant.set(sessionId, screen);
    // Bounded: the oldest kept screen is forgotten (not disposed: a viewer may still hold it).
    if (this.dormant.size > MAX_DORMANT_SCREENS) this.dormant.delete(this.dormant.keys().next().value as string);
  }

  /**
   * Its device reports the session's wrapper dead: the session ends as `lost`, unless it belongs to
   * another device, has already ended, or a connection holds it (then its wrapper is alive).
   */
  lost(conn: DeviceConn, sessionId: string): "lost" | "ended-before" | "unknown" | "forbidden" | "held" {
    const s = this.store.sessions.get(sessionId);
    if (!s) return "unknown";
    if (s.deviceId !== conn.deviceId) return "forbidden";
    if (this.connected(sessionId)) return "held";
    this.pipeline.flush(); // output the dead wrapper's connection sent is stored before the end
    if (!this.store.sessions.markLost(sessionId, Date.now())) return "ended-before";
    this.publishSession(sessionId);
    return "lost";
  }

  /** The device's socket closed: its running sessions are disconnected until it comes back. */
  detach(conn: DeviceConn): void {
    for (const l of this.live.values()) {
      if (l.conn !== conn) continue;
      l.conn = null;
      try {
        this.store.sessions.setStatus(l.id, "disconnected");
      } catch (e) {
        this.log.warn("session_status_not_stored", { sessionId: l.id, error: (e as Error).message }); // database full or read-only
      }
      this.publishSession(l.id);
      this.retire(l);
    }
  }

  /** Text or keys typed on the dashboard (POST /input or the viewer socket), to the session's PTY. False if no device holds it now. */
  type(sessionId: string, body: InputBody): boolean {
    return this.input(sessionId, "text" in body ? body.text : keysToBytes(body.keys));
  }

  /** Sends keystrokes to the session's PTY. False if no device holds it now. */
  input(sessionId: string, data: string): boolean {
    const conn = this.live.get(sessionId)?.conn;
    if (!conn) return false;
    conn.send({ type: "input", sessionId, data });
    return true;
  }

  /** The session's wrapper dropped input (its program is not reading): its viewers are told, not left guessing. False if this connection does not hold it. */
  inputRefused(conn: DeviceConn, sessionId: string, bytes: number, queued: number): boolean {
    if (!this.owned(conn, sessionId)) return false;
    const data = {
      sessionId,
      bytes,
      queued,
      code: "input_refused" as const,
      message: `the program is not reading its input: ${bytes} bytes were dropped (${queued} still wait in the wrapper's queue)`,
    };
    this.events.publish("input.refused", data);
    for (const v of this.viewers.get(sessionId) ?? []) v.client.send("input.refused", data);
    return true;
  }

  /** Whether a device holds the session now. */
  connected(sessionId: string): boolean {
    return !!this.live.get(sessionId)?.conn;
  }

  /** Sends a frame to the device holding the session (e.g. a prompt answer). False if none holds it now. */
  send(sessionId: string, frame: ServerFrame): boolean {
    const conn = this.live.get(sessionId)?.conn;
    if (!conn) return false;
    conn.send(frame);
    return true;
  }

  requestResize(sessionId: string, cols: number, rows: number): boolean {
    const conn = this.live.get(sessionId)?.conn;
    if (!conn) return false;
    conn.send({ type: "resize", sessionId, cols, rows });
    return true;
  }

  /** The screen snapshot (GET /screen): the live screen, or the kept rebuild of an unconnected session. */
  async screen(sessionId: string) {
    return (await this.screenOf(sessionId))?.snapshot() ?? null;
  }

  /**
   * The session's headless screen, parsed up to date: the live one, or for a session that is not
   * connected one rebuilt from the store once and kept (it becomes the live one if the session returns).
   */
  async screenOf(sessionId: string): Promise<HeadlessScreen | null> {
    let screen = this.live.get(sessionId)?.screen ?? this.dormant.get(sessionId);
    if (!screen) {
      const info = this.store.sessions.get(sessionId);
      if (!info) return null;
      screen = this.rebuildScreen(sessionId, ...screenSize(info.cols, info.rows));
      this.keepDormant(sessionId, screen);
    }
    await (this.live.get(sessionId)?.feed ?? this.settling.get(sessionId))?.settled();
    await screen.flush();
    return screen;
  }

  /** The seq of the last output the session's wrapper sent: a control frame arriving now was sent after it. */
  receivedSeq(sessionId: string): number {
    return this.live.get(sessionId)?.accepted ?? 0;
  }

  /** Resolves once the session's live screen has parsed its output up to `seq`, or after `ms` (output lost on the way never arrives). */
  async screenReached(sessionId: string, seq: number, ms: number): Promise<void> {
    const feed = this.live.get(sessionId)?.feed;
    if (!feed) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([feed.reached(seq), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }

  /** A new viewer of the session's raw output after `afterSeq`, over the transport `sink` makes. */
  subscribe<S extends ViewerSink>(sessionId: string, afterSeq: number, sink: SinkFactory<S>): S {
    let set = this.viewers.get(sessionId);
    if (!set) this.viewers.set(sessionId, (set = new Set()));
    const stream: SessionStream<S> = new SessionStream(
      sessionId,
      afterSeq,
      this.store.output,
      this.opts.viewerQueueBytes,
      () => this.dropViewer(sessionId, stream),
      sink,
    );
    set.add(stream);
    const session = this.store.sessions.get(sessionId); // callers checked that it exists
    if (session) stream.client.send("session", { session });
    return stream.client;
  }

  private dropViewer(sessionId: string, stream: SessionStream): void {
    const set = this.viewers.get(sessionId);
    set?.delete(stream);
    if (set?.size === 0) this.viewers.delete(sessionId);
  }

  publishSession(sessionId: string): void {
    const session = this.store.sessions.get(sessionId);
    if (!session) return;
    this.events.publish("session", { session });
    for (const v of this.viewers.get(sessionId) ?? []) v.client.send("session", { session });
  }

  /** A deleted session (no wrapper holds it): drop its screen, its viewers and what the hub kept for it. */
  forget(sessionId: string): void {
    const l = this.live.get(sessionId);
    if (l && !l.conn) this.retire(l);
    for (const v of [...(this.viewers.get(sessionId) ?? [])]) v.client.close();
    this.viewers.delete(sessionId);
    this.dormant.delete(sessionId); // not disposed: a screen viewer may still hold it
  }

  isOnline(deviceId: string): boolean {
    for (const l of this.live.values()) if (l.conn?.deviceId === deviceId) return true;
    return false;
  }

  shutdown(): void {
    this.pipeline.flush();
    this.screens.closeAll();
    for (const s of this.dormant.values()) s.dispose();
    this.dormant.clear();
    for (const feed of this.settling.values()) feed.stop(); // the store closes next
    this.settling.clear();
    for (const set of this.viewers.values()) for (const v of [...set]) v.client.close();
    this.viewers.clear();
    for (const l of this.live.values()) {
      l.feed.stop();
      l.screen.dispose();
    }
    this.live.clear();
  }

  private owned(conn: DeviceConn, sessionId: string): Live | null {
    const l = this.live.get(sessionId);
    return l && l.conn === conn ? l : null;
  }

  /**
   * A screen for a session that has no live one (server restart, ended session). Exact for up to
   * SCREEN_REBUILD_BYTES of history; beyond that only the tail is replayed, so the cost stays flat
   * with history size (programs redraw often; the first rows may miss state set long before).
   */
  private rebuildScreen(sessionId: string, cols: number, rows: number): HeadlessScreen {
    const screen = new HeadlessScreen(cols, rows, { scrollback: this.opts.scrollback });
    for (const c of this.store.output.tail(sessionId, SCREEN_REBUILD_BYTES)) screen.write(c.data);
    return screen;
  }

  private onCommitted(chunks: readonly PendingChunk[], gaps: readonly GapRecord[]): void {
    // the sender is kept in case the session has left its connection by the time of the fsync (an exit)
    const acks = new Map<string, { seq: number; sender: DeviceConn | null }>();
    const ackUpTo = (sessionId: string, seq: number) => {
      const a = acks.get(sessionId);
      if (a) a.seq = Math.max(a.seq, seq);
      else acks.set(sessionId, { seq, sender: this.live.get(sessionId)?.conn ?? null });
    };
    for (const g of gaps) {
      ackUpTo(g.sessionId, g.toSeq);
      for (const v of this.viewers.get(g.sessionId) ?? []) v.gap(g.fromSeq, g.toSeq, g.bytes);
    }
    // viewers first (their latency is the product), then the screen parser; acks once on disk
    for (const c of chunks) {
      ackUpTo(c.sessionId, c.seq);
      for (const v of this.viewers.get(c.sessionId) ?? []) v.offer(c.seq, c.data);
    }
    if (acks.size > 0) this.opts.durably(() => this.sendAcks(acks));
    for (const c of chunks) this.live.get(c.sessionId)?.feed.offer(c.seq, c.data);
  }

  /** To the session's connection now (it may have reconnected meanwhile), else to the one that sent the output. */
  private sendAcks(acks: Map<string, { seq: number; sender: DeviceConn | null }>): void {
    for (const [sessionId, { seq, sender }] of acks) (this.live.get(sessionId)?.conn ?? sender)?.send({ type: "ack", sessionId, seq });
  }

  /** `send` once what is committed so far is on disk (a `session.ended` lets the wrapper forget the session). */
  durably(send: () => void): void {
    this.opts.durably(send);
  }

  /** Nothing of the batch was stored: tell the devices and drop their connections so they resend later. */
  private onStoreFailed(ids: Set<string>, err: Error): void {
    this.log.error("store_failed", { error: err.message, sessions: [...ids] });
    for (const id of ids) {
      const l = this.live.get(id);
      if (!l) continue;
      l.accepted = this.store.sessions.lastSeq(id);
      const conn = l.conn;
      conn?.send({ type: "error", code: "store_failed", message: `server could not store output: ${err.message}` });
      conn?.close(DeviceClose.storeFailed, "store failed");
    }
  }
}
