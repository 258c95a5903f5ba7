/**
 * The server is SIGKILLed and restarted 10 times (same port, same data dir) while a wrapped
 * program streams: what the server stored is byte-exact with what the user's terminal got.
 * The ring is raised to 64 MB (CLAUDE_REMOTE_RING_BYTES) so an outage never forces a gap.
 */
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { spawnInPty, type OuterPty } from "../support/pty.ts";
import { BUN, CLI, freePort, spawnServerProcess, storedOutput, tempDir, waitForHealth } from "../support/server.ts";
import { endedSession, firstDiff } from "./helpers.ts";

const TOKEN = "chaos-admin-token-0123456789";
const KILLS = 10;
const BYTES = 50 * 1024 * 1024;
const SLICES = 100;

let proc: ReturnType<typeof spawnServerProcess> | null = null;
let term: OuterPty | null = null;
afterAll(() => {
  proc?.kill("SIGKILL");
  term?.proc.kill("SIGKILL");
});

test(`server killed ${KILLS} times during a ${BYTES >> 20} MB stream: stored output is byte-exact`, async () => {
  const port = freePort();
  const dataDir = tempDir("cr-chaos-kill-");
  const url = `http://127.0.0.1:${port}`;
  const env = { PORT: String(port), CLAUDE_REMOTE_DATA_DIR: dataDir, CLAUDE_REMOTE_ADMIN_TOKEN: TOKEN, LOG_LEVEL: "error" };
  const start = async () => {
    proc = spawnServerProcess(env);
    await waitForHealth(url, 20_000);
  };
  await start();
  const api = (p: string, init: RequestInit = {}) => fetch(url + p, { ...init, headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" } });
  const { code } = (await (await api("/api/pairing-codes", { method: "POST" })).json()) as { code: string };
  const { deviceId, secret } = (await (await fetch(url + "/api/pair", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ code, name: "chaos" }) })).json()) as { deviceId: string; secret: string };
  const configDir = tempDir("cr-chaos-cfg-");
  await Bun.write(join(configDir, "config.json"), JSON.stringify({ server: url, deviceId, secret }));

  // 50 MB in 100 slices of 0.5 MB, paced so the stream outlasts the kills
  const script = `for i in $(seq 1 ${SLICES}); do seq 1 100000000 | head -c ${BYTES / SLICES}; sleep 0.15; done; echo STREAM-END`;
  term = spawnInPty([BUN, CLI, "exec", "--name", "kill-stream", "--", "bash", "-c", script], { env: { CLAUDE_REMOTE_CONFIG_DIR: configDir, CLAUDE_REMOTE_RING_BYTES: String(64 * 1024 * 1024) } });

  let streamEnded = false;
  void term.exited.then(() => (streamEnded = true));
  for (let i = 0; i < KILLS; i++) {
    await Bun.sleep(400 + Math.random() * 400);
    proc!.kill("SIGKILL");
    await proc!.exited;
    await start();
  }
  expect(streamEnded).toBe(false); // every kill hit a running stream
  expect(await term.exited).toBe(0);
  const s = await endedSession(api, "kill-stream", 30_000);
  const stored = await storedOutput({ api }, s.id);
  const local = term.output();
  expect(local.subarray(-14).toString()).toContain("STREAM-END");
  expect(stored.byteLength).toBe(local.byteLength);
  expect(firstDiff(stored, local)).toBe(-1);
  const gaps = (await (await api(`/api/sessions/${s.id}`)).json()) as { gaps?: unknown[] };
  expect(gaps.gaps ?? []).toEqual([]);
}, 240_000);
