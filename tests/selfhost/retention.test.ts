// Retention deletes the output and transcript entries of sessions that ended more than N days ago, in the background.
import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { SEARCH_DB_FILE } from "../../src/store/search-db.ts";
import { connectDevice } from "../support/device-client.ts";
import { startTestServer, storedOutput, tempDir, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

const DAY = 86_400_000;
const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

/** Streams `chunks` chunks into a new session over a real device socket and ends it. */
async function recordSession(server: TestServer, creds: { deviceId: string; secret: string }, id: string, word: string, chunks: number) {
  const c = await connectDevice(server.url, creds);
  await c.openSession(id, { name: id });
  for (let i = 1; i <= chunks; i++) c.output(id, i, `${word} chunk ${i}\r\n`);
  await waitFor(async () => (await (await server.api(`/api/sessions/${id}`)).json()).lastSeq === chunks, { what: `${id} stored` });
  c.sendJson({ type: "session.exit", sessionId: id, exitCode: 0, signal: null, endedAt: Date.now(), lastSeq: chunks });
  await waitFor(async () => (await (await server.api(`/api/sessions/${id}`)).json()).status === "exited", { what: `${id} exited` });
  c.ws.close();
}

test("old ended sessions lose their output (and search entries); recent and running ones keep theirs", async () => {
  const dataDir = tempDir("cr-retention-");
  const first = await startTestServer({ dataDir, env: { CLAUDE_REMOTE_RETENTION_DAYS: "7" } });
  servers.push(first);
  const dev = await first.pairDevice();
  await recordSession(first, dev, "old-session-1", "antique", 4500); // more than one delete batch
  await recordSession(first, dev, "new-session-1", "fresh", 10);
  await first.app.indexer.catchUp();
  expect((await first.app.indexer.search('"antique"', 20)).length).toBe(1);
  // transcript entries (more than one delete batch for the old one), as the transcript service stores them
  const entries = (n: number, word: string) =>
    Array.from({ length: n }, (_, i) => ({
      uuid: `${word}-${i}`,
      kind: "assistant" as const,
      at: Date.now(),
      agentId: null,
      messageId: `${word}-m${i}`,
      model: "claude-sonnet-4-5",
      usage: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0 },
      costUsd: null,
      durationMs: null,
      linesAdded: 0,
      linesRemoved: 0,
      blocks: [{ type: "text" as const, text: word }],
    }));
  first.app.store.transcript.add("old-session-1", 1, entries(2100, "antique"), []);
  first.app.store.transcript.add("new-session-1", 1, entries(3, "fresh"), []);
  // The old one ended 8 days ago.
  first.app.store.db.query("UPDATE sessions SET ended_at = ? WHERE id = 'old-session-1'").run(Date.now() - 8 * DAY);
  await first.stop();

  // A restart runs retention shortly after start, in the background.
  const server = await startTestServer({ dataDir, env: { CLAUDE_REMOTE_RETENTION_DAYS: "7" } });
  servers.push(server);
  expect((await server.api("/health")).status).toBe(200);
  await waitFor(async () => (await storedOutput(server, "old-session-1")).length === 0, { what: "old output purged", timeoutMs: 15_000 });
  expect((await storedOutput(server, "new-session-1")).toString()).toContain("fresh chunk 10");
  const db = server.app.store.db;
  expect((db.query("SELECT COUNT(*) AS n FROM output WHERE session_id = 'old-session-1'").get() as { n: number }).n).toBe(0);
  expect(
    (db.query("SELECT output_purged_at FROM sessions WHERE id = 'old-session-1'").get() as { output_purged_at: number | null })
      .output_purged_at,
  ).toBeGreaterThan(0);
  expect((await server.api("/api/sessions/old-session-1")).status).toBe(200); // the session itself is still listed
  expect(server.app.store.transcript.count("old-session-1")).toBe(0);
  expect(((await (await server.api("/api/sessions/old-session-1/conversation")).json()) as { items: unknown[] }).items).toEqual([]);
  expect(server.app.store.transcript.count("new-session-1")).toBe(3);
  expect(await server.app.indexer.search('"antique"', 20)).toEqual([]);
  expect((await server.app.indexer.search('"fresh"', 20)).length).toBe(1);
  // the purged session's documents are gone from the index file too, not only hidden
  const index = new Database(join(dataDir, SEARCH_DB_FILE), { readonly: true });
  try {
    await waitFor(
      () => (index.query("SELECT COUNT(*) AS n FROM search_docs WHERE session_id = 'old-session-1'").get() as { n: number }).n === 0,
      { what: "index forgot the purged session" },
    );
    expect(
      (index.query("SELECT COUNT(*) AS n FROM search_docs WHERE session_id = 'new-session-1'").get() as { n: number }).n,
    ).toBeGreaterThan(0);
  } finally {
    index.close();
  }
  expect(server.app.metrics.retentionDeletedChunks.samples()[0].value).toBe(4500);
});

test("CLAUDE_REMOTE_RETENTION_DAYS=0 keeps everything", async () => {
  const server = await startTestServer({ env: { CLAUDE_REMOTE_RETENTION_DAYS: "0" } });
  servers.push(server);
  const dev = await server.pairDevice();
  await recordSession(server, dev, "ancient-kept-1", "kept", 3);
  server.app.store.db.query("UPDATE sessions SET ended_at = ? WHERE id = 'ancient-kept-1'").run(Date.now() - 3650 * DAY);
  const { Retention } = await import("../../src/server/ops/retention.ts");
  const { Logger } = await import("../../src/server/log.ts");
  const r = new Retention(server.app.store, 0, new Logger("error"), server.app.metrics.retentionDeletedChunks, async () => {});
  expect(await r.run()).toBe(0);
  expect((await storedOutput(server, "ancient-kept-1")).toString()).toContain("kept chunk 3");
});
