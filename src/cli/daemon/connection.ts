/**
 * The daemon's one authenticated WebSocket to the server: the device handshake, heartbeats, and
 * reconnects with jittered backoff. A refused handshake (revoked or unknown device) is final.
 */
import { DeviceClose } from "../../protocol/codes.ts";
import { parseJson, parseWith } from "../../protocol/common.ts";
import { type ClientFrame, ServerFrame } from "../../protocol/frames.ts";
import { deviceSocketUrl, helloFrame } from "../../protocol/handshake.ts";

const HEARTBEAT_MS = 10_000;
const DEAD_AFTER_MS = 30_000;

export type ConnectionEvents = {
  /** Authenticated (again): time to say what this daemon offers. */
  onWelcome(): void;
  onFrame(f: ServerFrame): void;
  /** The server refused this device (revoked, unknown) or replaced this daemon: the daemon stops. */
  onRefused(why: string): void;
  onDown?(why: string): void;
};

export class DaemonConnection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private closed = false;
  private ready = false;
  private lastHeard = 0;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private serverUrl: string,
    private creds: { deviceId: string; secret: string },
    private host: string,
    private events: ConnectionEvents,
  ) {}

  get online(): boolean {
    return this.ready;
  }

  start(): void {
    if (this.closed) return;
    const ws = new WebSocket(deviceSocketUrl(this.serverUrl));
    this.ws = ws;
    let refusal: string | null = null;
    ws.onmessage = (ev) => {
      if (typeof ev.data !== "string") return;
      this.lastHeard = Date.now();
      const json = parseJson(ev.data);
      const parsed = json.ok ? parseWith(ServerFrame, json.value) : null;
      if (!parsed?.ok) return;
      const f = parsed.value;
      if (f.type === "challenge") return this.send(helloFrame(this.creds, f.nonce, this.host), ws);
      if (f.type === "ping") return this.send({ type: "pong", t: f.t }, ws);
      if (f.type === "pong") return;
      if (f.type === "error" && f.ref === "hello") refusal = f.message;
      if (f.type === "welcome") {
        this.ready = true;
        this.attempt = 0;
        this.heartbeat = setInterval(() => this.beat(ws), HEARTBEAT_MS);
        return this.events.onWelcome();
      }
      this.events.onFrame(f);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ready = false;
      this.ws = null;
      if (this.heartbeat) clearInterval(this.heartbeat);
      if (this.closed) return;
      if (ev.code === DeviceClose.unauthorized && refusal)
        return this.events.onRefused(`the server refused this device: ${refusal} (revoked? pair again with \`claude-remote pair\`)`);
      if (ev.code === DeviceClose.revoked)
        return this.events.onRefused("this device was revoked on the server; pair again with `claude-remote pair`");
      if (ev.code === DeviceClose.replaced) return this.events.onRefused(`another daemon for this device connected (${ev.reason})`);
      this.events.onDown?.(`connection closed (${ev.code}${ev.reason ? ` ${ev.reason}` : ""})`);
      const base = Math.min(10_000, 250 * 2 ** Math.min(this.attempt++, 6));
      this.timer = setTimeout(() => this.start(), base / 2 + Math.random() * base);
    };
    ws.onerror = () => {};
  }

  send(frame: ClientFrame, ws = this.ws): void {
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  }

  private beat(ws: WebSocket): void {
    if (Date.now() - this.lastHeard > DEAD_AFTER_MS) return ws.close(DeviceClose.heartbeat, "no heartbeat");
    this.send({ type: "ping", t: Date.now() }, ws);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.ws?.close(DeviceClose.bye, "bye");
  }
}
