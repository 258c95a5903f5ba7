/** A raw device WebSocket client for tests: does the real handshake, then sends whatever the test says. */
import { PROTOCOL_VERSION, type ServerFrame } from "../../src/protocol/frames.ts";
import { deviceKey, signHandshake } from "../../src/protocol/handshake.ts";
import { encodeOutput } from "../../src/protocol/output-frame.ts";
import { waitFor } from "./wait.ts";

export type DeviceClient = {
  ws: WebSocket;
  frames: ServerFrame[];
  closed: Promise<{ code: number; reason: string }>;
  sendJson(frame: unknown): void;
  sendRaw(data: string | Uint8Array): void;
  output(sessionId: string, seq: number, data: string | Uint8Array): void;
  openSession(sessionId: string, extra?: Record<string, unknown>): Promise<number>;
  waitFrame<T extends ServerFrame["type"]>(
    type: T,
    pred?: (f: Extract<ServerFrame, { type: T }>) => boolean,
  ): Promise<Extract<ServerFrame, { type: T }>>;
};

export async function connectDevice(
  serverUrl: string,
  creds: { deviceId: string; secret: string },
  opts: { sig?: (real: string) => string; authenticate?: boolean } = {},
): Promise<DeviceClient> {
  const ws = new WebSocket(serverUrl.replace(/^http/, "ws") + "/ws");
  ws.binaryType = "arraybuffer";
  const frames: ServerFrame[] = [];
  const closed = new Promise<{ code: number; reason: string }>((r) => (ws.onclose = (e) => r({ code: e.code, reason: e.reason })));
  ws.onmessage = (e) => {
    if (typeof e.data !== "string") return;
    const f = JSON.parse(e.data) as ServerFrame;
    frames.push(f);
    if (f.type === "challenge" && opts.authenticate !== false) {
      const ts = Date.now();
      const real = signHandshake(deviceKey(creds.secret), creds.deviceId, f.nonce, ts);
      ws.send(
        JSON.stringify({
          type: "hello",
          v: PROTOCOL_VERSION,
          deviceId: creds.deviceId,
          nonce: f.nonce,
          ts,
          sig: opts.sig ? opts.sig(real) : real,
        }),
      );
    }
  };
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error("websocket error"));
  });
  const client: DeviceClient = {
    ws,
    frames,
    closed,
    sendJson: (f) => ws.send(JSON.stringify(f)),
    sendRaw: (d) => ws.send(d),
    output: (sessionId, seq, data) =>
      ws.send(encodeOutput(sessionId, seq, typeof data === "string" ? new TextEncoder().encode(data) : data)),
    async waitFrame(type, pred) {
      return waitFor(() => frames.find((f) => f.type === type && (!pred || pred(f as never))) as never, { what: `frame ${type}` });
    },
    async openSession(sessionId, extra = {}) {
      await client.waitFrame("welcome");
      client.sendJson({
        type: "session.open",
        sessionId,
        name: "raw",
        command: ["raw"],
        cwd: "/",
        cols: 80,
        rows: 24,
        startedAt: Date.now(),
        ...extra,
      });
      return (await client.waitFrame("session.ready", (f) => f.sessionId === sessionId)).lastSeq;
    },
  };
  return client;
}

/** Reads an SSE response and collects events (name, id, parsed data). */
export function readSse(res: Response) {
  const events: { event: string; id: string | null; data: any }[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  const done = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let event = "message";
        let id: string | null = null;
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) event = line.slice(7);
          else if (line.startsWith("id: ")) id = line.slice(4);
          else if (line.startsWith("data: ")) data.push(line.slice(6));
        }
        if (data.length) events.push({ event, id, data: JSON.parse(data.join("\n")) });
      }
    }
  })();
  return { events, done, cancel: () => reader.cancel().catch(() => {}) };
}
