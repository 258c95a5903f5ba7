/**
 * `/ws/viewer`: a dashboard's (or script's) WebSocket to one session. It carries the same events as
 * `/events?session=<id>` (raw or screen view, or none) and takes input over the open socket, so a
 * keystroke is one frame instead of an HTTP request (docs/PERFORMANCE.md §2: the request was most of
 * the keystroke round trip). Auth is the admin's, checked at the upgrade like any `/api` route, with
 * the cookie's Origin check; input is rate-limited and audited exactly like `POST .../input`.
 */
import { ViewerClose, type ViewerErrorCode } from "../../protocol/codes.ts";
import type { Server, ServerWebSocket } from "bun";
import { parseJson, parseWith } from "../../protocol/common.ts";
import { type InputBody, PAGE_KEY_PARAM } from "../../protocol/api.ts";
import type { EventMap, EventName } from "../../protocol/events.ts";
import { MAX_VIEWER_FRAME, ViewerFrame, ViewerView } from "../../protocol/viewer.ts";
import type { Store } from "../../store/index.ts";
import { auditInput } from "../http/audit-record.ts";
import { actorOf, type Auth, type Principal } from "../http/auth.ts";
import type { ServerConfig } from "../config.ts";
import { apiError, rateLimited } from "../http/respond.ts";
import type { Hub } from "../ingest/hub.ts";
import type { Logger } from "../log.ts";
import type { RateLimiter } from "../http/rate-limit.ts";
import { browserRequestAllowed, clientKey, originAllowed } from "../http/request-guard.ts";
import { SseClient } from "./sse.ts";
import type { SinkFactory, SinkHooks, ViewerSink } from "./viewer-sink.ts";

export type ViewerData = {
  kind: "viewer";
  /** Frees this socket's connection slot (ConnectionSlots) when it closes. */
  release?: () => void;
  ip: string;
  userAgent: string | null;
  principal: Principal;
  sessionId: string;
  view: ViewerView;
  from: number;
  sink: WsViewerSink | null;
  /** Wire bytes handed to the socket (frame headers included); what the peer had taken, and since when. */
  sentBytes: number;
  consumed: number;
  consumedSince: number;
};

/** How often open viewer sockets are checked (stall, login); the stall window is the SSE heartbeat. */
const SWEEP_MS = 1000;

/** A text message's size on the wire: UTF-8 payload plus the server's (unmasked) frame header. */
function frameBytes(text: string): number {
  const n = Buffer.byteLength(text);
  return n + (n < 126 ? 2 : n < 65536 ? 4 : 10);
}

/**
 * Every message to a viewer goes through here: a send Bun dropped, or a send buffer past the
 * viewer's bound, closes the socket (tooSlow) rather than buffering without limit.
 */
function sendBounded(ws: ServerWebSocket<ViewerData>, text: string, maxQueuedBytes: number): boolean {
  if (ws.readyState !== 1) return false;
  const r = ws.send(text);
  ws.data.sentBytes += frameBytes(text);
  if (r !== 0 && ws.getBufferedAmount() <= maxQueuedBytes) return true;
  ws.close(ViewerClose.tooSlow, "viewer too slow");
  return false;
}

/** A viewer socket as a ViewerSink: the socket's own send buffer is the bounded queue. */
export class WsViewerSink implements ViewerSink {
  private closed = false;

  constructor(
    private ws: ServerWebSocket<ViewerData>,
    private hooks: SinkHooks,
  ) {
    // An SSE stream pulls once it starts; here the first demand comes after the stream is built.
    queueMicrotask(() => this.drained());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get room(): number {
    return this.hooks.maxQueuedBytes - this.ws.getBufferedAmount();
  }

  send<E extends EventName>(event: E, data: EventMap[E], id?: string | number): boolean {
    if (this.closed) return false;
    return sendBounded(this.ws, JSON.stringify(id === undefined ? { event, data } : { event, id, data }), this.hooks.maxQueuedBytes);
  }

  /** The socket took what was buffered: the stream may send more (history pages, a skipped screen tick). */
  drained(): void {
    if (!this.closed) this.hooks.onDemand();
  }

  /** The stream ended it (`cut`: too slow); a client should reconnect on 1000 as well (e.g. the screen was replaced). */
  close(cut = false): void {
    if (this.closed) return;
    this.ended();
    this.ws.close(cut ? ViewerClose.tooSlow : ViewerClose.ended, cut ? "viewer too slow" : "stream ended");
  }

  /** The socket closed. */
  ended(): void {
    if (this.closed) return;
    this.closed = true;
    this.hooks.onClose();
  }
}

type Deps = {
  store: Store;
  hub: Hub;
  auth: Auth;
  log: Logger;
  config: ServerConfig;
  inputLimit: RateLimiter;
  upgradeLimit: RateLimiter;
  isSecure: (req: Request) => boolean;
  /** A viewer's bound on unsent bytes (the same as an SSE viewer's queue). */
  maxQueuedBytes: number;
};

export class ViewerSockets {
  private open = new Set<ServerWebSocket<ViewerData>>();
  private beat: ReturnType<typeof setTimeout> | null = null;
  framesRejected = 0;

  constructor(private d: Deps) {
    this.scheduleBeat();
  }

  get count(): number {
    return this.open.size;
  }

  /** Checks the request like an admin route, then upgrades; a Response if it is refused. */
  upgrade(req: Request, srv: Server<unknown>, ip: string, url: URL, release?: () => void): Response | undefined {
    if (!originAllowed(req, this.d.config)) return apiError(403, "forbidden", "cross-origin WebSocket refused");
    // A WebSocket cannot carry headers from a page: the page key rides in the URL.
    const principal = this.d.auth.authenticate(req, this.d.isSecure(req), url.searchParams.get(PAGE_KEY_PARAM));
    if (!principal)
      return apiError(401, "unauthorized", "admin token, or login (the session cookie and its page key), required", {
        "WWW-Authenticate": "Bearer",
      });
    // Browsers always send Origin on a WebSocket; one without it is not a page of ours.
    if (principal.kind === "browser" && (!req.headers.get("origin") || !browserRequestAllowed(req, this.d.config)))
      return apiError(403, "forbidden", "cross-origin request with the session cookie refused");
    const wait = this.d.upgradeLimit.take(clientKey(ip));
    if (wait > 0) return rateLimited(wait);
    const sessionId = url.searchParams.get("session") ?? "";
    if (!this.d.store.sessions.get(sessionId)) return apiError(404, "not_found", "no such session");
    const view = ViewerView.safeParse(url.searchParams.get("view") ?? "raw");
    if (!view.success) return apiError(400, "bad_request", "view must be raw, screen or none");
    const from = Number(url.searchParams.get("from") ?? "0");
    if (!Number.isInteger(from) || from < 0) return apiError(400, "bad_request", "from must be a seq");
    const data: ViewerData = {
      kind: "viewer",
      release,
      ip,
      userAgent: req.headers.get("user-agent"),
      principal,
      sessionId,
      view: view.data,
      from,
      sink: null,
      sentBytes: 0,
      consumed: 0,
      consumedSince: Date.now(),
    };
    if (srv.upgrade(req, { data })) return undefined;
    return apiError(400, "bad_request", "expected a WebSocket upgrade");
  }

  async opened(ws: ServerWebSocket<ViewerData>): Promise<void> {
    this.open.add(ws);
    const { sessionId, view, from } = ws.data;
    const sink: SinkFactory<WsViewerSink> = (hooks) => (ws.data.sink = new WsViewerSink(ws, hooks));
    try {
      if (view === "raw") this.d.hub.subscribe(sessionId, from, sink);
      if (view === "screen") {
        const screen = await this.d.hub.screenOf(sessionId);
        if (ws.readyState !== 1) return;
        if (screen) this.d.hub.screens.subscribe(sessionId, screen, sink);
        else ws.close(ViewerClose.gone, "no such session");
      }
    } catch (e) {
      // e.g. the store refused a read: this viewer ends, the server goes on
      this.d.log.error("viewer_open_failed", { sessionId, error: (e as Error).message });
      ws.close(ViewerClose.serverError, "server error");
    }
  }

  message(ws: ServerWebSocket<ViewerData>, message: string | Buffer): void {
    const d = ws.data;
    const reply = <E extends "input.ok" | "error">(event: E, data: EventMap[E]) =>
      sendBounded(ws, JSON.stringify({ event, data }), this.d.maxQueuedBytes);
    const refuse = (code: ViewerErrorCode, msg: string, ref: string | null = null) => {
      this.framesRejected++;
      reply("error", { code, message: msg, ref });
    };
    // every frame counts against the input budget, refused ones too: a flood of bad frames is bounded
    const wait = this.d.inputLimit.take(d.ip);
    if (typeof message !== "string") return refuse("bad_frame", "binary frames are not accepted; send JSON text");
    if (message.length > MAX_VIEWER_FRAME) return refuse("too_large", `frame exceeds ${MAX_VIEWER_FRAME} characters`);
    const json = parseJson(message);
    if (wait > 0)
      return refuse("rate_limited", `too many frames; retry in ${Math.ceil(wait / 1000)} s`, json.ok ? refOf(json.value) : null);
    if (!json.ok) return refuse("bad_frame", json.error);
    const frame = parseWith(ViewerFrame, json.value);
    if (!frame.ok) return refuse("bad_frame", frame.error, refOf(json.value));
    const f = frame.value;
    const ref = f.ref ?? null;
    if (d.principal.kind === "browser" && !this.d.store.credentials.webSessionValid(d.principal.sessionHash)) {
      refuse("unauthorized", "the login ended; log in again", ref);
      return ws.close(ViewerClose.loggedOut, "logged out");
    }
    const body: InputBody = f.text !== undefined ? { text: f.text } : { keys: f.keys ?? [] };
    if (!this.d.hub.type(d.sessionId, body)) return refuse("not_connected", "the session's wrapper is not connected", ref);
    try {
      auditInput(this.d.store, d.sessionId, body, { actor: actorOf(d.principal), ip: d.ip, userAgent: d.userAgent }, "ws");
    } catch (e) {
      // the input went out; only its audit row could not be written
      this.d.log.error("audit_failed", { action: "session.input", error: (e as Error).message });
    }
    reply("input.ok", { ref });
  }

  drain(ws: ServerWebSocket<ViewerData>): void {
    ws.data.sink?.drained();
  }

  closed(ws: ServerWebSocket<ViewerData>): void {
    this.open.delete(ws);
    ws.data.sink?.ended();
  }

  /** The login behind these sockets ended (logout): close them. */
  closeLogin(sessionHash: string): void {
    for (const ws of this.open)
      if (ws.data.principal.kind === "browser" && ws.data.principal.sessionHash === sessionHash)
        ws.close(ViewerClose.loggedOut, "logged out");
  }

  stop(): void {
    if (this.beat) clearTimeout(this.beat);
    for (const ws of this.open) ws.close(ViewerClose.shuttingDown, "server shutting down");
  }

  /**
   * Every second: a cookie login that ended (expired) closes its sockets, as it would fail the next
   * request; and the SSE stall rule: data waited a whole heartbeat and none of it was taken.
   */
  private scheduleBeat(): void {
    this.beat = setTimeout(() => {
      this.sweep();
      this.scheduleBeat();
    }, SWEEP_MS);
    this.beat.unref?.();
  }

  private sweep(): void {
    const now = Date.now();
    for (const ws of this.open) {
      const p = ws.data.principal;
      if (p.kind === "browser" && !this.d.store.credentials.webSessionValid(p.sessionHash)) {
        ws.close(ViewerClose.loggedOut, "logged out");
        continue;
      }
      const buffered = ws.getBufferedAmount();
      const consumed = ws.data.sentBytes - buffered;
      if (buffered === 0 || consumed !== ws.data.consumed) {
        ws.data.consumed = consumed;
        ws.data.consumedSince = now;
      } else if (now - ws.data.consumedSince >= SseClient.heartbeatMs) ws.close(ViewerClose.tooSlow, "viewer too slow");
    }
  }
}

function refOf(v: unknown): string | null {
  const ref = (v as { ref?: unknown } | null)?.ref;
  return typeof ref === "string" && ref.length <= 64 ? ref : null;
}
