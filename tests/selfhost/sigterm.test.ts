// Graceful SIGTERM during a live stream: exit 0, the stored output is consistent, and after a
// restart the wrapper resends what was not stored, so nothing is lost.
import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnInPty } from "../support/pty.ts";
import { BUN, CLI, freePort, spawnServerProcess, tempDir, waitForHealth } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

const TOKEN = "sigterm-admin-token-0123456789";
const cleanup: (() => void)[] = [];
afterAll(() => cleanup.forEach((f) => f()));

function start(dataDir: string, port: number) {
  const p = spawnServerProcess({ PORT: String(port), CLAUDE_REMOTE_DATA_DIR: dataDir, CLAUDE_REMOTE_ADMIN_TOKEN: TOKEN });
  cleanup.push(() => p.kill("SIGKILL"));
  return p;
}

function consistency(dbPath: string) {
  const db = new Database(dbPath, { readonly: true });
  try {
    const check = (db.query("PRAGMA quick_check").get() as { quick_check: string }).quick_check;
    const s = db.query("SELECT id, last_seq AS lastSeq, bytes FROM sessions").get() as { id: string; lastSeq: number; bytes: number };
    const agg = db
      .query("SELECT COUNT(*) AS n, COALESCE(MAX(seq), 0) AS hi, COALESCE(SUM(length(data)), 0) AS total FROM output WHERE session_id = ?")
      .get(s.id) as { n: number; hi: number; total: number };
    const data = Buffer.concat(
      (db.query("SELECT data FROM output WHERE session_id = ? ORDER BY seq").all(s.id) as { data: Uint8Array }[]).map((r) => r.data),
    );
    return { check, s, agg, data };
  } finally {
    db.close();
  }
}

test("SIGTERM while a session streams: exit 0, consistent store, nothing lost after restart", async () => {
  const dataDir = tempDir("cr-sigterm-");
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(url + path, { ...init, headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" } });
  let server = start(dataDir, port);
  await waitForHealth(url);

  const { code } = (await (await api("/api/pairing-codes", { method: "POST" })).json()) as { code: string };
  const creds = (await (
    await fetch(url + "/api/pair", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code, name: "sigterm-dev" }),
    })
  ).json()) as { deviceId: string; secret: string };
  const configDir = tempDir("cr-config-");
  writeFileSync(join(configDir, "config.json"), JSON.stringify({ server: url, ...creds }));

  const stop = join(tempDir("cr-stop-"), "STOP");
  const t = spawnInPty(
    [
      BUN,
      CLI,
      "exec",
      "--name",
      "sigterm",
      "--",
      "bash",
      "-c",
      `i=0; while [ ! -f ${stop} ]; do i=$((i+1)); echo "line $i ----------------------------------------------------"; done; echo END-OF-STREAM`,
    ],
    { env: { CLAUDE_REMOTE_CONFIG_DIR: configDir } },
  );
  cleanup.push(() => t.proc.kill("SIGKILL"));
  await waitFor(
    async () => {
      const list = (await (await api("/api/sessions")).json()) as { bytes: number }[];
      return (list[0]?.bytes ?? 0) > 100_000;
    },
    { what: "100 kB stored", timeoutMs: 30_000 },
  );

  server.kill("SIGTERM");
  expect(await server.exited).toBe(0);
  const stderr = await new Response(server.stderr as ReadableStream).text();
  expect(stderr).not.toMatch(/"level":"error"/);

  const at = consistency(join(dataDir, "claude-remote.db"));
  expect(at.check).toBe("ok");
  expect(at.agg).toEqual({ n: at.s.lastSeq, hi: at.s.lastSeq, total: at.s.bytes }); // no holes, counts match
  expect(at.data.length).toBeGreaterThan(100_000);
  expect(t.output().subarray(0, at.data.length).equals(at.data)).toBe(true); // a prefix of what the terminal showed

  // The wrapper kept running; after a restart it resends what the server had not acknowledged.
  server = start(dataDir, port);
  await waitForHealth(url);
  await waitFor(async () => ((await (await api("/api/sessions")).json()) as { status: string }[])[0]?.status === "running", {
    what: "wrapper reconnected",
    timeoutMs: 30_000,
  });
  writeFileSync(stop, "");
  expect(await t.exited).toBe(0);
  await waitFor(async () => ((await (await api("/api/sessions")).json()) as { status: string }[])[0]?.status === "exited", {
    what: "exit stored",
    timeoutMs: 30_000,
  });
  const stored = Buffer.from(await (await api(`/api/sessions/${at.s.id}/output`)).arrayBuffer());
  expect(stored.toString().endsWith("END-OF-STREAM\r\n")).toBe(true);
  expect(stored.equals(t.output())).toBe(true);
  server.kill("SIGTERM");
  expect(await server.exited).toBe(0);
});
