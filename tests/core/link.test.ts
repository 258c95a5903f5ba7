/** The link loses nothing: server killed mid-stream, or down when the wrapper starts. */
import { afterAll, expect, test } from "bun:test";
import { BUN, CLI, freePort, spawnServerProcess, startTestServer, storedOutput, tempDir, waitForHealth } from "../support/server.ts";
import { spawnInPty } from "../support/pty.ts";
import { waitFor } from "../support/wait.ts";

const TOKEN = "link-test-admin-token-0123456789";
const procs: { kill(sig?: number): void }[] = [];
afterAll(() => procs.forEach((p) => p.kill(9)));

/** A server process on a fixed port and data dir, with a device paired to it. */
async function serverProcessWithDevice() {
  const dataDir = tempDir("cr-link-");
  const port = freePort();
  const env = { PORT: String(port), CLAUDE_REMOTE_DATA_DIR: dataDir, CLAUDE_REMOTE_ADMIN_TOKEN: TOKEN };
  const url = `http://127.0.0.1:${port}`;
  // Pair through an in-process server on the same data dir, then hand the dir to the real process.
  const pairing = await startTestServer({ dataDir, env: { CLAUDE_REMOTE_ADMIN_TOKEN: TOKEN } });
  const dev = await pairing.pairDevice();
  await pairing.stop();
  await Bun.write(`${dev.configDir}/config.json`, JSON.stringify({ server: url, deviceId: dev.deviceId, secret: dev.secret }));
  const api = (path: string, init: RequestInit = {}) =>
    fetch(url + path, { ...init, headers: { Authorization: `Bearer ${TOKEN}`, ...(init.headers as Record<string, string>) } });
  const start = async () => {
    const p = spawnServerProcess(env);
    procs.push(p);
    await waitForHealth(url);
    return p;
  };
  return { url, api, start, configDir: dev.configDir, dataDir };
}

async function onlySession(api: (p: string) => Promise<Response>) {
  return waitFor(
    async () => ((await (await api("/api/sessions")).json()) as { id: string; status: string; exitCode: number | null }[])[0],
    { what: "a session" },
  );
}

test("server SIGKILLed mid-stream and restarted: stored output equals the child's output exactly", async () => {
  const s = await serverProcessWithDevice();
  let server = await s.start();
  // ~6 MB over ~3 s, so the kill lands in the middle.
  const program = "for i in $(seq 1 60); do seq $((i*10000)) $((i*10000+9999)); sleep 0.05; done";
  const t = spawnInPty([BUN, CLI, "exec", "--", "bash", "-c", program], { env: { CLAUDE_REMOTE_CONFIG_DIR: s.configDir } });
  await waitFor(() => t.output().length > 1_000_000, { what: "1 MB streamed", timeoutMs: 20_000 });
  server.kill(9);
  await server.exited;
  await Bun.sleep(300);
  server = await s.start();
  expect(await t.exited).toBe(0);
  const sess = await waitFor(
    async () => {
      const x = await onlySession(s.api);
      return x.status === "exited" ? x : null;
    },
    { what: "session exited", timeoutMs: 20_000 },
  );
  const stored = await storedOutput({ api: s.api }, sess.id);
  expect(stored.length).toBe(t.output().length);
  expect(stored.equals(t.output())).toBe(true);
  server.kill(9);
});

test("server down at start: the command runs, and its output arrives once the server is up", async () => {
  const s = await serverProcessWithDevice();
  const marker = tempDir("cr-marker-");
  // Prints, then waits until the test says the server is up, then prints more and exits 7.
  const program = `echo first-line; while [ ! -f ${marker}/go ]; do sleep 0.05; done; echo second-line; exit 7`;
  const t = spawnInPty([BUN, CLI, "exec", "--", "bash", "-c", program], { env: { CLAUDE_REMOTE_CONFIG_DIR: s.configDir } });
  await waitFor(() => t.text().includes("first-line"), { what: "child started without a server" });
  expect(t.text()).toContain("cannot reach");
  const server = await s.start();
  const sess = await onlySession(s.api);
  await waitFor(async () => (await storedOutput({ api: s.api }, sess.id)).toString().includes("first-line"), {
    what: "buffered output delivered",
    timeoutMs: 20_000,
  });
  await Bun.write(`${marker}/go`, "");
  expect(await t.exited).toBe(7);
  await waitFor(async () => (await onlySession(s.api)).exitCode === 7, { what: "exit recorded" });
  expect((await storedOutput({ api: s.api }, sess.id)).toString()).toContain("second-line");
  server.kill(9);
});

test("a ring buffer overflow while the server is down (no disk spill) is stored as a recorded gap, and the tail arrives", async () => {
  const s = await serverProcessWithDevice();
  const marker = tempDir("cr-marker-");
  // ~1.1 MB while the server is down, with a 64 KiB ring and the spill off: most of it must be dropped, as a gap (with the spill: tests/chaos/offline-spill).
  const program = `seq 1 150000; echo TAIL-MARKER; while [ ! -f ${marker}/go ]; do sleep 0.05; done; echo after-server`;
  const t = spawnInPty([BUN, CLI, "exec", "--", "bash", "-c", program], {
    env: { CLAUDE_REMOTE_CONFIG_DIR: s.configDir, CLAUDE_REMOTE_RING_BYTES: "65536", CLAUDE_REMOTE_SPILL_BYTES: "0" },
  });
  await waitFor(() => t.text().includes("TAIL-MARKER"), { what: "burst done", timeoutMs: 20_000 });
  const server = await s.start();
  const sess = await onlySession(s.api);
  await Bun.write(`${marker}/go`, "");
  expect(await t.exited).toBe(0);
  await waitFor(async () => (await onlySession(s.api)).status === "exited", { what: "exit recorded" });
  const stored = (await storedOutput({ api: s.api }, sess.id)).toString();
  expect(stored.length).toBeLessThan(200_000);
  expect(stored).toContain("TAIL-MARKER");
  expect(stored.endsWith("after-server\r\n")).toBe(true);
  // The outer terminal also shows the wrapper's one notice; the child's own output is the rest.
  const childOutput = t
    .output()
    .toString()
    .replace(/^claude-remote: cannot reach [^\n]*\n/, "");
  expect(childOutput.length).toBeLessThan(t.output().length);
  expect(childOutput.endsWith(stored)).toBe(true); // what survived is the exact tail
  const dbPath = `${(await import("node:path")).join(s.dataDir, "claude-remote.db")}`;
  const { Database } = await import("bun:sqlite");
  const db = new Database(dbPath, { readonly: true });
  const gap = db.query("SELECT SUM(bytes) AS bytes FROM gaps WHERE session_id = ?").get(sess.id) as { bytes: number };
  db.close();
  expect(gap.bytes + stored.length).toBe(childOutput.length);
  server.kill(9);
});
