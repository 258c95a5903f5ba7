/**
 * Idle connections (issue 17, finding 2). With `idleTimeout: 0` nothing ever closed an idle
 * keep-alive connection, so one client holding enough of them took every file descriptor: /health
 * timed out and no device could connect until the attacker let go. The server runs here as its
 * own process with a low open-files limit (1024, `ulimit -n`), so a bounded flood on loopback
 * (2,000 sockets) is enough to show it; the flooding client never closes a socket itself.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { connectDevice } from "../support/device-client.ts";
import { BUN, REPO, type TestServer, freePort, startTestServer, tempDir, waitForHealth } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { readSse } from "../support/device-client.ts";
import { SseClient } from "../../src/server/viewers/sse.ts";

const TOKEN = "idle-flood-admin-token-0123456789";
const FD_LIMIT = 1024;
const FLOOD = 2000;

let proc: ReturnType<typeof Bun.spawn>;
let url: string;
const flood: { closed: boolean; end(): void }[] = [];

beforeAll(async () => {
  const port = freePort();
  url = `http://127.0.0.1:${port}`;
  proc = Bun.spawn(["bash", "-c", `ulimit -n ${FD_LIMIT} && exec "$0" "$1"`, BUN, join(REPO, "src/server/main.ts")], {
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "error",
      CLAUDE_REMOTE_DATA_DIR: tempDir("cr-flood-"),
      CLAUDE_REMOTE_ADMIN_TOKEN: TOKEN,
      CLAUDE_REMOTE_IDLE_TIMEOUT: "2",
    },
    stdout: "ignore",
    stderr: "ignore",
  });
  await waitForHealth(url);
});

afterAll(() => {
  for (const s of flood) s.end();
  proc?.kill("SIGKILL");
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(url + path, { ...init, headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" } });

/** One idle socket: after one request (keep-alive), or silent from the start; it never closes by itself. */
async function idleSocket(request: boolean): Promise<void> {
  const entry = { closed: false, end: () => {} };
  const sock = await Bun.connect({
    hostname: "127.0.0.1",
    port: Number(new URL(url).port),
    socket: { data() {}, close: () => void (entry.closed = true), error: () => void (entry.closed = true) },
  });
  entry.end = () => sock.end();
  if (request) sock.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  flood.push(entry);
}

async function healthWithin(ms: number): Promise<boolean> {
  try {
    return (await fetch(url + "/health", { signal: AbortSignal.timeout(ms) })).ok;
  } catch {
    return false;
  }
}

test(`${FLOOD} idle connections from one client (server fd limit ${FD_LIMIT}) do not keep /health or a new device out`, async () => {
  // A device paired before the flood, to connect during it.
  const { code } = (await (await api("/api/pairing-codes", { method: "POST" })).json()) as { code: string };
  const creds = (await (
    await fetch(url + "/api/pair", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code, name: "during-flood" }),
    })
  ).json()) as { deviceId: string; secret: string };
  const limits = await Bun.file(`/proc/${proc.pid}/limits`).text();
  expect(limits).toMatch(new RegExp(`Max open files\\s+${FD_LIMIT}\\s`));

  const opened = await Promise.allSettled(Array.from({ length: FLOOD }, (_, i) => idleSocket(i % 4 !== 0)));
  const connected = opened.filter((r) => r.status === "fulfilled").length;
  expect(connected).toBeGreaterThan(FD_LIMIT); // more than the server can hold at once

  // The server closes idle connections, so /health answers again while the flood still holds what it can.
  await waitFor(() => healthWithin(2000), { what: "/health during the flood", timeoutMs: 60_000 });
  const device = await waitFor(
    async () => {
      try {
        const d = await connectDevice(url, creds);
        await d.waitFrame("welcome");
        return d;
      } catch {
        return undefined;
      }
    },
    { what: "a device connection during the flood", timeoutMs: 60_000 },
  );
  expect(device.frames.some((f) => f.type === "welcome")).toBe(true);
  // It was the server that let go: the flooding client closed nothing.
  expect(flood.filter((s) => s.closed).length).toBeGreaterThan(0);
  device.ws.close();
}, 150_000);

test("event streams outlive the idle timeout; one IP's streams and sockets are capped with a clear 429", async () => {
  SseClient.heartbeatMs = 500;
  const server: TestServer = await startTestServer({ env: { CLAUDE_REMOTE_IDLE_TIMEOUT: "1", CLAUDE_REMOTE_MAX_STREAMS_PER_IP: "3" } });
  try {
    const streams = await Promise.all([0, 1, 2].map(() => server.api("/events")));
    expect(streams.map((r) => r.status)).toEqual([200, 200, 200]);
    const over = await server.api("/events");
    expect(over.status).toBe(429);
    expect(((await over.json()) as { error: string }).error).toBe("too_many_connections");
    const ws = new WebSocket(server.url.replace("http", "ws") + "/ws");
    const refused = await new Promise<boolean>((r) => ((ws.onopen = () => r(false)), (ws.onerror = () => r(true))));
    expect(refused).toBe(true);
    // The first stream is still open after several idle timeouts: it keeps receiving heartbeats.
    const reader = readSse(streams[0]);
    await waitFor(() => reader.events.length > 0, { what: "hello on the first stream" });
    await Bun.sleep(3000); // three idle timeouts (1 s): no timing threshold, only "still open"
    server.app.events.publish("session.deleted", { sessionId: "probe-after-idle" });
    await waitFor(() => reader.events.some((e) => e.data?.sessionId === "probe-after-idle"), { what: "an event after the idle timeouts" });
    // Closing a stream frees its slot.
    await streams[1].body!.cancel();
    await waitFor(
      async () => {
        const r = await server.api("/events");
        const ok = r.status === 200;
        await r.body?.cancel();
        return ok;
      },
      { what: "a slot freed by the closed stream" },
    );
    await waitFor(() => server.app.streams.count("127.0.0.1") <= 3, { what: "slots back within the cap" });
    await reader.cancel();
    await streams[2].body?.cancel();
    await waitFor(() => server.app.streams.total === 0, { what: "every slot released" });
  } finally {
    SseClient.heartbeatMs = 15_000;
    await server.stop();
  }
});
