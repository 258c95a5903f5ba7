/**
 * `/ws`: one WebSocket per wrapper. The first frame must answer the server's challenge:
 * HMAC-SHA256(device key, handshakeMessage(deviceId, nonce, ts)). The nonce is fresh per
 * connection and the timestamp must be recent, so a captured handshake cannot be replayed.
 */
import { DeviceClose, type DeviceCloseCode, type DeviceErrorCode } from "../../protocol/codes.ts";
import type { ServerWebSocket, WebSocketHandler } from "bun";
import { assertNever, parseJson, parseWith } from "../../protocol/common.ts";
import { ClientFrame, HANDSHAKE_MAX_SKEW_MS, Hello, MAX_TEXT_FRAME, PROTOCOL_VERSION, type ServerFrame } from "../../protocol/frames.ts";
import { signHandshake } from "../../protocol/handshake.ts";
import { decodeOutput } from "../../protocol/output-frame.ts";
import type { Store } from "../../store/index.ts";
import type { DeviceConn, Hub } from "./hub.ts";
import type { Logger } from "../log.ts";
import type { PromptService } from "../prompts/prompt-service.ts";
import { RateLimiter } from "../http/rate-limit.ts";
import type { RemoteStart } from "./remote-start.ts";
import type { TranscriptService } from "./transcript-service.ts";
import { randomToken, safeEqual, unwrapKey } from "../secrets.ts";

export const HEARTBEAT_MS = 10_000;
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Control frames per device (output frames are not counted: they are the product). */
const CONTROL_RATE = { burst: 500, perSecond: 200 };

export type SocketData = {
  kind: "device";
  release?: () => void;
  ip: string;
  nonce: string;
  conn: Conn | null;
  timer: ReturnType<typeof setTimeout> | null;
  host?: string | null;
};

class Conn implements DeviceConn {
  lastHeard = Date.now();
  /** Set on revoke: frames still in flight on this socket are dropped, not processed. */
  revoked = false;
  constructor(
    readonly deviceId: string,
    readonly ws: ServerWebSocket<SocketData>,
  ) {}
  send(frame: ServerFrame): void {
    this.ws.send(JSON.stringify(frame));
  }
  close(code: DeviceCloseCode, reason: string): void {
    this.ws.close(code, reason);
  }
}

export class DeviceSockets {
  private byDevice = new Map<string, Set<Conn>>();
  private limiter = new RateLimiter(CONTROL_RATE.burst, CONTROL_RATE.perSecond);
  private sweeper: ReturnType<typeof setInterval>;
  framesRejected = 0;

  constructor(
    private store: Store,
    private hub: Hub,
    private masterKey: Uint8Array,
    private log: Logger,
    private prompts: PromptService,
    private remote: RemoteStart,
    private transcripts?: TranscriptService,
  ) {
    // A link that has said nothing for 3 heartbeats is dead: close it so the session shows as disconnected.
    this.sweeper = setInterval(() => this.sweep(), HEARTBEAT_MS);
  }

  newSocketData(ip: string): SocketData {
    return { kind: "device", ip, nonce: randomToken(24), conn: null, timer: null };
  }

  get connectionCount(): number {
    let n = 0;
    for (const s of this.byDevice.values()) n += s.size;
    return n;
  }

  /** Closes every live connection of a device (on revoke); returns how many. */
  closeDevice(deviceId: string, reason: string): number {
    const conns = [...(this.byDevice.get(deviceId) ?? [])];
    for (const c of conns) {
      c.revoked = true;
      c.close(DeviceClose.revoked, reason);
    }
    return conns.length;
  }

  readonly handler: WebSocketHandler<SocketData> = {
    maxPayloadLength: 2 * 1024 * 1024,
    idleTimeout: 60,
    backpressureLimit: 16 * 1024 * 1024,
    open: (ws) => {
      ws.send(JSON.stringify({ type: "challenge", v: PROTOCOL_VERSION, nonce: ws.data.nonce, ts: Date.now() } satisfies ServerFrame));
      ws.data.timer = setTimeout(() => ws.close(DeviceClose.unauthorized, "handshake timeout"), HANDSHAKE_TIMEOUT_MS);
    },
    message: (ws, message) => {
      try {
        if (!ws.data.conn) return this.handshake(ws, message);
        const conn = ws.data.conn;
        if (conn.revoked) return;
        conn.lastHeard = Date.now();
        if (typeof message === "string") this.control(conn, message);
        else this.binary(conn, message);
      } catch (e) {
        // The database refused a write (full, read-only): say so and drop the link; the wrapper
        // keeps its output and resends when it reconnects. Nothing was acked.
        this.log.error("ws_frame_failed", { error: (e as Error).message });
        ws.send(
          JSON.stringify({
            type: "error",
            code: "store_failed",
            message: `server could not store: ${(e as Error).message}`,
          } satisfies ServerFrame),
        );
        ws.close(DeviceClose.storeFailed, "store failed");
      }
    },
    close: (ws) => {
      if (ws.data.timer) clearTimeout(ws.data.timer);
      const conn = ws.data.conn;
      if (!conn) return;
      this.byDevice.get(conn.deviceId)?.delete(conn);
      this.hub.detach(conn);
      this.remote.detach(conn);
      if (conn.revoked) return;
      try {
        this.store.devices.seen(conn.deviceId, null);
      } catch (e) {
        this.log.warn("device_seen_not_stored", { error: (e as Error).message });
      }
    },
  };

  private handshake(ws: ServerWebSocket<SocketData>, message: string | Buffer): void {
    const refuse = (why: string) => {
      this.log.warn("ws_handshake_refused", { ip: ws.data.ip, why });
      ws.send(JSON.stringify({ type: "error", code: "unauthorized", message: why, ref: "hello" } satisfies ServerFrame));
      ws.close(DeviceClose.unauthorized, "unauthorized");
    };
    if (typeof message !== "string" || message.length > MAX_TEXT_FRAME) return refuse("first frame must be a hello");
    const json = parseJson(message);
    if (!json.ok) return refuse(json.error);
    const hello = parseWith(Hello, json.value);
    if (!hello.ok) return refuse(`hello: ${hello.error}`);
    const h = hello.value;
    if (!safeEqual(h.nonce, ws.data.nonce)) return refuse("nonce does not match this connection's challenge");
    if (Math.abs(Date.now() - h.ts) > HANDSHAKE_MAX_SKEW_MS) return refuse("handshake timestamp too old or in the future");
    const wrapped = this.store.devices.activeKey(h.deviceId);
    let key: Uint8Array | null = null;
    try {
      key = wrapped ? unwrapKey(this.masterKey, wrapped) : null;
    } catch {
      key = null;
    }
    const expected = signHandshake(key ?? new Uint8Array(32), h.deviceId, h.nonce, h.ts);
    if (!safeEqual(expected, h.sig) || !key) return refuse("bad signature or unknown device");
    ws.data.nonce = ""; // spent
    ws.data.host = h.host ?? null;
    if (ws.data.timer) clearTimeout(ws.data.timer);
    const conn = new Conn(h.deviceId, ws);
    ws.data.conn = conn;
    let set = this.byDevice.get(h.deviceId);
    if (!set) this.byDevice.set(h.deviceId, (set = new Set()));
    set.add(conn);
    this.store.devices.seen(h.deviceId, h.host ?? null);
    this.store.audit.append({
      actor: `device:${h.deviceId}`,
      ip: ws.data.ip,
      userAgent: null,
      action: "device.connect",
      target: h.deviceId,
      detail: { host: h.host ?? null },
    });
    conn.send({
      type: "welcome",
      deviceId: h.deviceId,
      heartbeatMs: HEARTBEAT_MS,
      exitAcks: true,
      ...(this.transcripts ? { transcripts: true as const } : {}),
    });
  }

  private reject(conn: Conn, code: DeviceErrorCode, message: string, ref?: string): void {
    this.framesRejected++;
    conn.send({ type: "error", code, message, ref });
  }

  private control(conn: Conn, message: string): void {
    const reject = (code: DeviceErrorCode, msg: string, ref?: string) => this.reject(conn, code, msg, ref);
    const wait = this.limiter.take(conn.deviceId);
    if (wait > 0) return reject("rate_limited", `too many frames; retry in ${wait}s`);
    if (message.length > MAX_TEXT_FRAME) return reject("too_large", `text frame exceeds ${MAX_TEXT_FRAME} bytes`);
    const json = parseJson(message);
    if (!json.ok) return reject("bad_frame", json.error);
    const parsed = parseWith(ClientFrame, json.value);
    const ref =
      typeof (json.value as { type?: unknown })?.type === "string" ? String((json.value as { type: string }).type).slice(0, 40) : undefined;
    if (!parsed.ok) return reject("bad_frame", parsed.error, ref);
    const f = parsed.value;
    switch (f.type) {
      case "session.open": {
        const opened = this.hub.open(conn, f);
        if ("refused" in opened) return reject(opened.refused, opened.message, f.type);
        conn.send({ type: "session.ready", sessionId: f.sessionId, lastSeq: opened.lastSeq });
        void this.prompts.sessionOpened(f.sessionId, f.hooks === true);
        return;
      }
      case "session.resize":
        return this.hub.resize(conn, f.sessionId, f.cols, f.rows);
      case "session.exit":
        if (!this.hub.exit(conn, f.sessionId, f.exitCode, f.endedAt))
          return reject("not_open", "session not open on this connection", f.type);
        this.prompts.sessionExited(conn, f.sessionId);
        return this.hub.durably(() => conn.send({ type: "session.ended", sessionId: f.sessionId }));
      case "session.lost":
        return this.sessionLost(conn, f.sessionId);
      case "prompt.open":
      case "prompt.closed":
      case "prompt.taken":
      case "notice": {
        const err =
          f.type === "prompt.open"
            ? this.prompts.opened(conn, f)
            : f.type === "prompt.closed"
              ? this.prompts.closed(conn, f)
              : f.type === "prompt.taken"
                ? this.prompts.taken(conn, f)
                : this.prompts.notice(conn, f);
        if (err) reject("bad_prompt", err, f.type);
        return;
      }
      case "transcript": {
        const err = this.transcripts ? this.transcripts.frame(conn, f) : "this server does not store transcripts";
        if (err) reject("bad_transcript", err, f.type);
        return;
      }
      case "gap": {
        const err = this.hub.gap(conn, { sessionId: f.sessionId, fromSeq: f.fromSeq, toSeq: f.toSeq, bytes: f.bytes });
        if (err) reject("bad_gap", err, f.type);
        return;
      }
      case "input.refused":
        if (!this.hub.inputRefused(conn, f.sessionId, f.bytes, f.queued)) reject("not_open", "session not open on this connection", f.type);
        return;
      case "daemon.hello":
        return this.remote.hello(conn, f, conn.ws.data.host ?? null);
      case "daemon.sessions":
      case "daemon.result": {
        const err = f.type === "daemon.sessions" ? this.remote.sessions(conn, f) : this.remote.result(conn, f);
        if (err) reject("bad_daemon_frame", err, f.type);
        return;
      }
      case "session.attach":
        return this.sessionAttach(conn, f);
      case "ping":
        return conn.send({ type: "pong", t: f.t });
      case "pong":
        return;
      case "hello":
        return reject("bad_frame", "already authenticated", f.type);
      default:
        return assertNever(f);
    }
  }

  /** A local terminal attached to or detached from a background session: audited as the device. */
  private sessionAttach(conn: Conn, f: Extract<ClientFrame, { type: "session.attach" }>): void {
    const owner = this.store.sessions.get(f.sessionId)?.deviceId;
    if (owner !== conn.deviceId) return this.reject(conn, "forbidden", "session belongs to another device", f.type);
    this.store.audit.append({
      actor: `device:${conn.deviceId}`,
      ip: conn.ws.data.ip,
      userAgent: null,
      action: `session.${f.event}`,
      target: f.sessionId,
      detail: { who: f.who, at: f.at },
    });
  }

  /** A device found this session's wrapper dead: end it, cancel its prompts, confirm with session.ended. */
  private sessionLost(conn: Conn, sessionId: string): void {
    const reject = (code: DeviceErrorCode, message: string) => this.reject(conn, code, message, "session.lost");
    const r = this.hub.lost(conn, sessionId);
    if (r === "unknown") return reject("not_found", "no such session");
    if (r === "forbidden") return reject("forbidden", "session belongs to another device");
    if (r === "held") return reject("held", "a connection holds this session: its wrapper is alive");
    if (r === "lost") {
      const cancelled = this.prompts.sessionLost(sessionId);
      this.store.audit.append({
        actor: `device:${conn.deviceId}`,
        ip: conn.ws.data.ip,
        userAgent: null,
        action: "session.lost",
        target: sessionId,
        detail: { cancelledPrompts: cancelled },
      });
      this.log.info("session_lost", { sessionId, cancelledPrompts: cancelled });
    }
    this.hub.durably(() => conn.send({ type: "session.ended", sessionId }));
  }

  private binary(conn: Conn, message: Buffer): void {
    const frame = decodeOutput(message);
    if (!frame.ok) {
      this.framesRejected++;
      return conn.send({ type: "error", code: "bad_frame", message: frame.error, ref: "binary" });
    }
    const { sessionId, seq, data } = frame.value;
    const refused = this.hub.output(conn, sessionId, seq, data);
    if (!refused) return;
    this.framesRejected++;
    // one code for both reasons on the wire, as it has always been; the message tells them apart
    conn.send({ type: "error", code: "out_of_order", message: refused.message, ref: "output" });
    // Resync: the wrapper reconnects and resends everything after the last ack.
    if (refused.reason === "out_of_order") conn.close(DeviceClose.resync, "resync");
  }

  private sweep(): void {
    const now = Date.now();
    for (const set of this.byDevice.values()) {
      for (const c of set) {
        if (now - c.lastHeard > 3 * HEARTBEAT_MS) c.close(DeviceClose.heartbeat, "heartbeat timeout");
        else c.send({ type: "ping", t: now });
      }
    }
  }

  stop(): void {
    clearInterval(this.sweeper);
    for (const set of this.byDevice.values()) for (const c of set) c.close(DeviceClose.shuttingDown, "server shutting down");
  }
}
