/** Shared pieces of the chaos tests: a raw device WebSocket client and a flaky loopback TCP proxy. */
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { parseJson } from "../../src/protocol/common.ts";
import { DB_FILE } from "../../src/server/ops/backup.ts";
import { freePort, spawnServerProcess, tempDir, waitForHealth } from "../support/server.ts";
import { PROTOCOL_VERSION } from "../../src/protocol/frames.ts";
import { deviceKey, signHandshake } from "../../src/protocol/handshake.ts";

export type Frame = Record<string, any>;

/** A device connection speaking the real handshake; collects every text frame the server sends. */
export class RawDevice {
  frames: Frame[] = [];
  closed: { code: number; reason: string } | null = null;
  private ws!: WebSocket;

  static async connect(url: string, deviceId: string, secret: string): Promise<RawDevice> {
    const d = new RawDevice();
    await d.open(url, deviceId, secret);
    return d;
  }

  private open(url: string, deviceId: string, secret: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url.replace(/^http/, "ws") + "/ws");
      ws.binaryType = "arraybuffer";
      this.ws = ws;
      ws.onmessage = (ev) => {
        if (typeof ev.data !== "string") return;
        const j = parseJson(ev.data);
        if (!j.ok) return;
        const f = j.value as Frame;
        this.frames.push(f);
        if (f.type === "challenge") {
          const ts = Date.now();
          ws.send(
            JSON.stringify({
              type: "hello",
              v: PROTOCOL_VERSION,
              deviceId,
              nonce: f.nonce,
              ts,
              sig: signHandshake(deviceKey(secret), deviceId, f.nonce, ts),
            }),
          );
        } else if (f.type === "welcome") resolve();
      };
      ws.onclose = (ev) => {
        this.closed = { code: ev.code, reason: ev.reason };
        reject(new Error(`closed during handshake: ${ev.code} ${ev.reason}`));
      };
    });
  }

  sendJson(f: Frame): void {
    this.ws.send(JSON.stringify(f));
  }

  sendBinary(b: Uint8Array): void {
    this.ws.send(b);
  }

  get open_(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  lastAck(sessionId: string): number {
    let n = 0;
    for (const f of this.frames) if (f.type === "ack" && f.sessionId === sessionId) n = Math.max(n, f.seq);
    return n;
  }

  close(): void {
    try {
      this.ws.close();
    } catch {}
  }
}

/**
 * A loopback TCP proxy in front of `target`. `cut()` closes every connection; `stall(ms)` stops
 * forwarding (a black hole) for a while. Bytes are forwarded in order per connection.
 */
export function startProxy(targetPort: number) {
  type Pair = { client: any; upstream: any | null; toUp: Uint8Array[]; toClient: Uint8Array[] };
  const pairs = new Set<Pair>();
  let stalledUntil = 0;
  let connections = 0;
  const flush = (p: Pair) => {
    if (Date.now() < stalledUntil) return;
    while (p.upstream && p.toUp.length) {
      const c = p.toUp[0];
      const n = p.upstream.write(c);
      if (n < c.byteLength) {
        p.toUp[0] = c.subarray(n);
        break;
      }
      p.toUp.shift();
    }
    while (p.toClient.length) {
      const c = p.toClient[0];
      const n = p.client.write(c);
      if (n < c.byteLength) {
        p.toClient[0] = c.subarray(n);
        break;
      }
      p.toClient.shift();
    }
  };
  const timer = setInterval(() => {
    for (const p of pairs) flush(p);
  }, 5);
  const server = Bun.listen<{ pair: Pair }>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        connections++;
        const pair: Pair = { client, upstream: null, toUp: [], toClient: [] };
        client.data = { pair };
        pairs.add(pair);
        void Bun.connect<{ pair: Pair }>({
          hostname: "127.0.0.1",
          port: targetPort,
          socket: {
            open(up) {
              up.data = { pair };
              pair.upstream = up;
              flush(pair);
            },
            data(_up, d) {
              pair.toClient.push(new Uint8Array(d));
              flush(pair);
            },
            drain: () => flush(pair),
            close() {
              pairs.delete(pair);
              try {
                pair.client.end();
              } catch {}
            },
            error() {},
          },
        }).catch(() => client.end());
      },
      data(client, d) {
        client.data.pair.toUp.push(new Uint8Array(d));
        flush(client.data.pair);
      },
      drain: (client) => flush(client.data.pair),
      close(client) {
        const p = client.data.pair;
        pairs.delete(p);
        try {
          p.upstream?.end();
        } catch {}
      },
      error() {},
    },
  });
  return {
    port: server.port,
    url: `http://127.0.0.1:${server.port}`,
    cuts: 0,
    get connections() {
      return connections;
    },
    cut() {
      this.cuts++;
      for (const p of [...pairs]) {
        pairs.delete(p);
        try {
          p.client.terminate?.() ?? p.client.end();
        } catch {}
        try {
          p.upstream?.terminate?.() ?? p.upstream?.end();
        } catch {}
      }
    },
    stall(ms: number) {
      stalledUntil = Date.now() + ms;
    },
    stop() {
      clearInterval(timer);
      this.cut();
      server.stop(true);
    },
  };
}

/** Waits until the wrapper's session with `name` is ended, then returns its id. */
export async function endedSession(
  api: (p: string) => Promise<Response>,
  name: string,
  timeoutMs: number,
): Promise<{ id: string; status: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = (await (await api("/api/sessions")).json()) as Array<{ id: string; name: string; status: string }>;
    const s = list.find((x) => x.name === name);
    if (s && s.status === "exited") return s;
    if (Date.now() > deadline) throw new Error(`session ${name} not ended after ${timeoutMs} ms (status ${s?.status})`);
    await Bun.sleep(100);
  }
}

const CHAOS_TOKEN = "chaos-admin-token-0123456789";

/**
 * A server as its own process on a fixed port and data dir, so it can be SIGKILLed and started
 * again where the wrapper expects it; `pair()` writes a device config dir for CLAUDE_REMOTE_CONFIG_DIR.
 */
export function chaosServer(prefix: string) {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = tempDir(prefix);
  const env = { PORT: String(port), CLAUDE_REMOTE_DATA_DIR: dataDir, CLAUDE_REMOTE_ADMIN_TOKEN: CHAOS_TOKEN, LOG_LEVEL: "error" };
  let proc: ReturnType<typeof spawnServerProcess> | null = null;
  const api = (p: string, init: RequestInit = {}) =>
    fetch(url + p, { ...init, headers: { Authorization: `Bearer ${CHAOS_TOKEN}`, "Content-Type": "application/json" } });
  return {
    url,
    dataDir,
    api,
    async start(): Promise<void> {
      proc = spawnServerProcess(env);
      await waitForHealth(url, 20_000);
    },
    async kill(): Promise<void> {
      proc?.kill("SIGKILL");
      await proc?.exited;
    },
    async pair(): Promise<string> {
      const { code } = (await (await api("/api/pairing-codes", { method: "POST" })).json()) as { code: string };
      const res = await fetch(url + "/api/pair", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ code, name: "chaos" }),
      });
      const { deviceId, secret } = (await res.json()) as { deviceId: string; secret: string };
      const configDir = tempDir(`${prefix}cfg-`);
      await Bun.write(join(configDir, "config.json"), JSON.stringify({ server: url, deviceId, secret }));
      return configDir;
    },
  };
}

/** Gaps recorded for a session, read straight from a (possibly running) server's database file. */
export function storedGaps(dataDir: string, sessionId: string): { fromSeq: number; toSeq: number; bytes: number }[] {
  const db = new Database(join(dataDir, DB_FILE), { readonly: true });
  try {
    return db
      .query("SELECT from_seq AS fromSeq, to_seq AS toSeq, bytes FROM gaps WHERE session_id = ? ORDER BY from_seq")
      .all(sessionId) as never;
  } finally {
    db.close();
  }
}

/** The first index where two buffers differ, for a readable failure. */
export function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.byteLength, b.byteLength);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.byteLength === b.byteLength ? -1 : n;
}
