// `claude-remote backup <file>` while a session streams: the copy opens, is consistent, and holds the sessions.
import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, CLI, startTestServer, storedOutput, tempDir, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { sessionNamed, waitExited, wrapped } from "./helpers.ts";

let server: TestServer;
const ptys: { proc: { kill(sig?: string | number): void } }[] = [];
afterAll(async () => {
  for (const p of ptys) p.proc.kill("SIGKILL");
  await server?.stop();
});

test("a backup taken during a live stream opens and contains the sessions, consistent", async () => {
  server = await startTestServer();
  const dev = await server.pairDevice();
  const done = await wrapped(server, dev.configDir, "finished-before", "echo finished-marker; exit 3");
  ptys.push(done.pty);
  await waitExited(server, "finished-before");

  const stop = join(tempDir("cr-stop-"), "STOP");
  const live = await wrapped(
    server,
    dev.configDir,
    "streaming",
    `i=0; while [ ! -f ${stop} ]; do i=$((i+1)); echo "tick $i ................................................................"; done; echo stream-end`,
  );
  ptys.push(live.pty);
  await waitFor(async () => ((await sessionNamed(server, "streaming"))?.bytes ?? 0) > 200_000, {
    what: "200 kB stored",
    timeoutMs: 30_000,
  });

  const file = join(tempDir("cr-backup-"), "backup.db");
  const r = Bun.spawn([BUN, CLI, "backup", file], {
    env: { ...process.env, CLAUDE_REMOTE_DATA_DIR: server.dataDir },
    stdout: "pipe",
    stderr: "pipe",
  });
  const code = await r.exited;
  const out = await new Response(r.stdout).text();
  expect(await new Response(r.stderr).text()).toBe("");
  expect(code).toBe(0);
  expect(out).toContain("backup written");
  const bytesAtBackup = (await sessionNamed(server, "streaming"))!.bytes;
  // Still streaming after the backup: the server was not blocked.
  await waitFor(async () => (await sessionNamed(server, "streaming"))!.bytes > bytesAtBackup + 50_000, {
    what: "stream continues",
    timeoutMs: 30_000,
  });
  writeFileSync(stop, "");
  const final = await waitExited(server, "streaming", 30_000);

  const db = new Database(file, { readonly: true });
  try {
    expect((db.query("PRAGMA quick_check").get() as { quick_check: string }).quick_check).toBe("ok");
    const rows = db.query("SELECT id, name, status, last_seq AS lastSeq, bytes FROM sessions").all() as {
      id: string;
      name: string;
      status: string;
      lastSeq: number;
      bytes: number;
    }[];
    expect(rows.map((s) => s.name).sort()).toEqual(["finished-before", "streaming"]);
    const s = rows.find((x) => x.name === "streaming")!;
    expect(s.status).toBe("running");
    expect(s.bytes).toBeGreaterThan(200_000);
    // Consistent: chunks 1..last_seq without holes, and the byte count matches them.
    const agg = db
      .query("SELECT COUNT(*) AS n, MIN(seq) AS lo, MAX(seq) AS hi, SUM(length(data)) AS total FROM output WHERE session_id = ?")
      .get(s.id) as { n: number; lo: number; hi: number; total: number };
    expect(agg).toEqual({ n: s.lastSeq, lo: 1, hi: s.lastSeq, total: s.bytes });
    // And it is a prefix of what the server finally stored.
    const backedUp = Buffer.concat(
      (db.query("SELECT data FROM output WHERE session_id = ? ORDER BY seq").all(s.id) as { data: Uint8Array }[]).map((r) => r.data),
    );
    const stored = await storedOutput(server, final.id);
    expect(stored.length).toBeGreaterThan(backedUp.length);
    expect(stored.subarray(0, backedUp.length).equals(backedUp)).toBe(true);
    const finished = rows.find((x) => x.name === "finished-before")!;
    expect(
      Buffer.concat(
        (db.query("SELECT data FROM output WHERE session_id = ? ORDER BY seq").all(finished.id) as { data: Uint8Array }[]).map(
          (r) => r.data,
        ),
      ).toString(),
    ).toContain("finished-marker");
  } finally {
    db.close();
  }
});

test("backup refuses to overwrite a file and reports a missing database", async () => {
  const dir = tempDir("cr-backup-");
  const existing = join(dir, "exists.db");
  writeFileSync(existing, "keep me");
  const run = (env: Record<string, string>, target: string) =>
    Bun.spawnSync([BUN, CLI, "backup", target], { env: { ...process.env, ...env } });
  const over = run({ CLAUDE_REMOTE_DATA_DIR: server.dataDir }, existing);
  expect(over.exitCode).toBe(1);
  expect(over.stderr.toString()).toContain("already exists");
  expect(await Bun.file(existing).text()).toBe("keep me");
  const missing = run({ CLAUDE_REMOTE_DATA_DIR: join(dir, "nowhere") }, join(dir, "x.db"));
  expect(missing.exitCode).toBe(1);
  expect(missing.stderr.toString()).toContain("no database");
  expect(existsSync(join(dir, "x.db"))).toBe(false);
});
