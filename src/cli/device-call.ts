/**
 * A short device connection for one-off requests (a deliverer's lost-session reports): the
 * handshake, then one request at a time, each waiting for its answer. No session is opened on it.
 */
import { parseJson, parseWith } from "../protocol/common.ts";
import { DeviceClose } from "../protocol/codes.ts";
import { type ClientFrame, ServerFrame } from "../protocol/frames.ts";
import { deviceSocketUrl, helloFrame } from "../protocol/handshake.ts";

const POLL_MS = 10;

export class DeviceCall {
  private inbox: ServerFrame[] = [];
  private closed = false;

  private constructor(private ws: WebSocket) {}

  /** Connects and authenticates as the device; rejects with the reason if that fails within `timeoutMs`. */
  static open(serverUrl: string, creds: { deviceId: string; secret: string }, host: string, timeoutMs: number): Promise<DeviceCall> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(deviceSocketUrl(serverUrl));
      const call = new DeviceCall(ws);
      const timer = setTimeout(() => {
        reject(new Error(`no welcome from ${serverUrl} within ${timeoutMs} ms`));
        ws.close();
      }, timeoutMs);
      ws.onmessage = (ev) => {
        const f = typeof ev.data === "string" ? parseFrame(ev.data) : null;
        if (f?.type === "challenge") ws.send(JSON.stringify(helloFrame(creds, f.nonce, host)));
        else if (f?.type === "ping") ws.send(JSON.stringify({ type: "pong", t: f.t }));
        else if (f?.type === "welcome") {
          clearTimeout(timer);
          resolve(call);
        } else if (f) call.inbox.push(f);
      };
      ws.onclose = (ev) => {
        call.closed = true;
        clearTimeout(timer);
        const refused = call.inbox.find((f) => f.type === "error");
        reject(
          new Error(refused?.type === "error" ? refused.message : `connection closed (${ev.code}${ev.reason ? ` ${ev.reason}` : ""})`),
        );
      };
      ws.onerror = () => {};
    });
  }

  /** Sends `frame` and resolves with the first frame `answer` accepts; null if none comes within `timeoutMs` or the connection closes. */
  async request(frame: ClientFrame, answer: (f: ServerFrame) => boolean, timeoutMs: number): Promise<ServerFrame | null> {
    if (this.closed) return null;
    this.inbox = [];
    this.ws.send(JSON.stringify(frame));
    for (const until = Date.now() + timeoutMs; ; await Bun.sleep(POLL_MS)) {
      const hit = this.inbox.find(answer);
      if (hit) return hit;
      if (this.closed || Date.now() >= until) return null;
    }
  }

  close(): void {
    this.ws.close(DeviceClose.bye, "bye");
  }
}

function parseFrame(text: string): ServerFrame | null {
  const json = parseJson(text);
  const f = json.ok ? parseWith(ServerFrame, json.value) : null;
  return f?.ok ? f.value : null;
}
