/**
 * The WAL is checkpointed by a worker on its own connection, not inside an output commit on the
 * server's thread (where SQLite's automatic checkpoint fsyncs the database file every ~300 small
 * commits: the print→viewer p99). The WAL stays bounded, nothing stored is lost, a restart reads
 * everything back, and a checkpoint that cannot run is reported without hurting the server.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "bun:test";
import { Checkpointer } from "../../src/store/checkpointer.ts";
import { WAL_BACKSTOP_PAGES } from "../../src/store/db.ts";
import { connectDevice } from "../support/device-client.ts";
import { startTestServer, storedOutput, tempDir } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

const walSize = (dir: string) => {
  try {
    return statSync(join(dir, "claude-remote.db-wal")).size;
  } catch {
    return 0;
  }
};

const CHUNK = 32 * 1024;
const CHUNKS = 200; // 6.4 MB a batch: ~1600 WAL pages, past SQLite's default threshold of 1000

async function writeBatch(c: Awaited<ReturnType<typeof connectDevice>>, id: string, from: number, sent: Buffer[]) {
  for (let seq = from; seq < from + CHUNKS; seq++) {
    const chunk = Buffer.alloc(CHUNK, `batch ${from} line ${seq}\r\n`);
    sent.push(chunk);
    c.output(id, seq, chunk);
  }
  await c.waitFrame("ack", (f) => f.sessionId === id && f.seq === from + CHUNKS - 1);
}

test("the worker checkpoints the WAL, not the server's commits; the WAL is reused, and every byte survives a restart", async () => {
  const dataDir = tempDir("cr-wal-");
  let server = await startTestServer({ dataDir });
  const dev = await server.pairDevice();
  const c = await connectDevice(server.url, dev);
  const id = crypto.randomUUID();
  await c.openSession(id);
  expect((server.app.store.db.query("PRAGMA wal_autocheckpoint").get() as { wal_autocheckpoint: number }).wal_autocheckpoint).toBe(
    WAL_BACKSTOP_PAGES,
  );

  const sent: Buffer[] = [];
  await writeBatch(c, id, 1, sent);
  await waitFor(() => server.app.checkpointer.checkpointedFrames >= 1000, { what: "the worker's periodic checkpoints", timeoutMs: 15_000 });
  let r = await server.app.checkpointer.now();
  expect(r.busy).toBe(0);
  expect(r.checkpointed).toBe(r.log); // everything is in the database file

  // After a complete checkpoint the next write starts the WAL over from its beginning, so the WAL
  // file (its size is its high-water mark) stays near one batch. The search worker is stopped: its
  // reads of each new batch hold snapshots a checkpoint must wait for, at times of their own. A
  // checkpoint tick running just as a batch starts makes SQLite skip one restart, so the bound
  // allows three batches; without reuse the WAL would hold all five.
  await server.app.indexer.stop();
  let from = 1 + CHUNKS;
  for (let i = 0; i < 4; i++) {
    await writeBatch(c, id, from, sent);
    from += CHUNKS;
    r = await server.app.checkpointer.now();
    expect(r.checkpointed).toBe(r.log);
  }
  expect(walSize(dataDir)).toBeLessThan(3 * CHUNKS * CHUNK);

  expect((await storedOutput(server, id)).equals(Buffer.concat(sent))).toBe(true);
  c.ws.close();
  await server.stop();
  expect(walSize(dataDir)).toBe(0); // the last connection to close checkpoints and removes the WAL
  server = await startTestServer({ dataDir });
  expect((await storedOutput(server, id)).equals(Buffer.concat(sent))).toBe(true);
  await server.stop();
}, 60_000);

test("a checkpoint that cannot run is reported, not thrown", async () => {
  const errors: string[] = [];
  const cp = new Checkpointer(tempDir("cr-wal-bad-"), { onError: (m) => errors.push(m) }); // a directory, not a database
  await expect(cp.now()).rejects.toThrow();
  await waitFor(() => errors.length > 0, { what: "the error reported" });
  await cp.stop();
});
