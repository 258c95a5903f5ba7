// The search Worker and the output commit it follows, on real SQLite files.
import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Logger } from "../../src/server/log.ts";
import { OutputPipeline } from "../../src/server/ingest/output-pipeline.ts";
import { SearchIndexer, SearchUnavailableError } from "../../src/server/ops/search-indexer.ts";
import { Store } from "../../src/store/index.ts";
import { SearchIndex, SearchQueryError } from "../../src/store/search.ts";
import { openSearchDatabase, searchDbPath } from "../../src/store/search-db.ts";
import { tempDir } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

const enc = new TextEncoder();
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function storeWithSession(id: string): Store {
  const store = Store.open(join(tempDir("cr-indexer-"), "db.db"));
  stores.push(store);
  store.db
    .query(
      "INSERT INTO sessions (id, device_id, name, command, cwd, status, started_at, cols, rows) VALUES (?, 'd', 'n', '[]', '/', 'running', 0, 80, 24)",
    )
    .run(id);
  return store;
}

const logger = new Logger("error");
const indexers: SearchIndexer[] = [];
afterEach(async () => {
  for (const i of indexers.splice(0)) await i.stop();
});

function startIndexer(store: Store, everyMs = 20): SearchIndexer {
  const indexer = new SearchIndexer(store.db.filename, logger, { everyMs });
  indexers.push(indexer);
  indexer.start();
  return indexer;
}

function docCount(path: string, sessionId?: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const sql = `SELECT COUNT(*) AS n FROM search_docs${sessionId ? " WHERE session_id = ?" : ""}`;
    return (db.query(sql).get(...(sessionId ? [sessionId] : [])) as { n: number }).n;
  } finally {
    db.close();
  }
}

test("while output keeps arriving the indexer slows down but never stops: search catches up to the last word", async () => {
  const store = storeWithSession("busy-session-1");
  const filler = enc.encode("some words of output 12345 67890\r\n".repeat(2000)); // ~70 kB a chunk
  const chunks = Array.from({ length: 8 }, (_, i) => ({ sessionId: "busy-session-1", seq: i + 1, ts: i, data: filler }));
  chunks.push({ sessionId: "busy-session-1", seq: 9, ts: 9, data: enc.encode("the wombatfinale\r\n") });
  store.output.commit(chunks, []);
  // more output every 50 ms keeps the database changing: the worker counts that as busy
  let seq = 9;
  const feed = setInterval(
    () => store.output.commit([{ sessionId: "busy-session-1", seq: ++seq, ts: seq, data: enc.encode(`more ${seq}\r\n`) }], []),
    50,
  );
  try {
    const indexer = startIndexer(store);
    await waitFor(async () => (await indexer.search('"wombatfinale"', 20)).length > 0, {
      what: "the last word indexed while busy",
      timeoutMs: 60_000,
    });
    expect((await indexer.search('"wombatfinale"', 20)).map((h) => h.sessionId)).toEqual(["busy-session-1"]);
    expect(indexer.spentMs).toBeGreaterThan(0);
    expect(indexer.indexedBytes).toBeGreaterThan(8 * filler.byteLength);
  } finally {
    clearInterval(feed);
  }
});

test("indexing runs off the server's thread: the index grows while that thread is held", async () => {
  const store = storeWithSession("offthread-1");
  const filler = enc.encode("words to index 12345 67890\r\n".repeat(2000));
  store.output.commit(
    Array.from({ length: 200 }, (_, i) => ({ sessionId: "offthread-1", seq: i + 1, ts: i, data: filler })),
    [],
  ); // ~11 MB
  const indexer = startIndexer(store);
  const indexPath = searchDbPath(store.db.filename);
  await waitFor(() => existsSync(indexPath) && docCount(indexPath) > 0, { what: "indexing started" });
  const before = docCount(indexPath);
  // hold this thread without yielding (until the count moves; the bound only ends a failing run);
  // a same-thread indexer could not move meanwhile
  const until = Date.now() + 20_000;
  let after = before;
  while (Date.now() < until && after === before) after = docCount(indexPath);
  expect(after).toBeGreaterThan(before);
  await indexer.catchUp();
  expect(docCount(indexPath, "offthread-1")).toBeGreaterThan(after);
});

test("at start the worker drops what the main database no longer has, and a corrupt index file is rebuilt", async () => {
  const store = storeWithSession("kept-1");
  store.output.commit([{ sessionId: "kept-1", seq: 1, ts: 1, data: enc.encode("numbat here\r\n") }], []);
  const indexPath = searchDbPath(store.db.filename);
  const stale = openSearchDatabase(indexPath);
  for (const [sessionId, toSeq] of [
    ["gone-1", 3],
    ["kept-1", 5],
  ] as const) {
    const id = stale.query("INSERT INTO search_docs (session_id, from_seq, to_seq) VALUES (?, 1, ?)").run(sessionId, toSeq).lastInsertRowid;
    stale.query("INSERT INTO search_fts (rowid, text) VALUES (?, 'numbat stale')").run(id);
  }
  stale.close();
  // kept-1 is indexed past its stored end (a restored older backup): dropped and indexed again
  let indexer = startIndexer(store);
  await indexer.catchUp();
  expect(await indexer.search('"stale"', 20)).toEqual([]);
  expect((await indexer.search('"numbat"', 20)).map((h) => h.sessionId)).toEqual(["kept-1"]);
  expect(docCount(indexPath, "gone-1")).toBe(0);
  await indexer.stop();

  writeFileSync(indexPath, "not a database ".repeat(1000));
  indexer = startIndexer(store);
  await indexer.catchUp();
  expect((await indexer.search('"numbat"', 20)).map((h) => h.sessionId)).toEqual(["kept-1"]);
});

test("a worker that cannot open its index says so at once, and is started again once it can", async () => {
  const store = storeWithSession("fatal-1");
  store.output.commit([{ sessionId: "fatal-1", seq: 1, ts: 1, data: enc.encode("bilby\r\n") }], []);
  const dir = join(tempDir("cr-index-fatal-"), "index");
  writeFileSync(dir, "a file where the index's directory should be");
  const indexer = new SearchIndexer(store.db.filename, logger, { everyMs: 20, indexPath: join(dir, "search-index.db") });
  indexers.push(indexer);
  indexer.start();
  await waitFor(async () => (await indexer.search('"bilby"', 20).catch((e: unknown) => e)) instanceof SearchUnavailableError, {
    what: "search unavailable",
  });
  rmSync(dir);
  mkdirSync(dir);
  await waitFor(
    async () =>
      (
        await indexer
          .catchUp()
          .then(() => indexer.search('"bilby"', 20))
          .catch(() => [])
      ).length === 1,
    { what: "a restarted worker indexes", timeoutMs: 30_000 },
  );
});

test("an index file damaged inside is thrown away and rebuilt", async () => {
  const store = storeWithSession("damaged-1");
  const filler = enc.encode("plenty of words for many pages 12345 67890 abcdef\r\n".repeat(3000));
  store.output.commit(
    [
      ...Array.from({ length: 30 }, (_, i) => ({ sessionId: "damaged-1", seq: i + 1, ts: i, data: filler })),
      { sessionId: "damaged-1", seq: 31, ts: 31, data: enc.encode("the dibbler\r\n") },
    ],
    [],
  );
  const indexPath = searchDbPath(store.db.filename);
  const first = startIndexer(store);
  await first.catchUp();
  expect((await first.search('"dibbler"', 20)).length).toBe(1);
  await first.stop();
  const size = statSync(indexPath).size;
  const fd = openSync(indexPath, "r+");
  writeSync(fd, Buffer.alloc(Math.floor(size / 2), 0xa5), 0, Math.floor(size / 2), Math.floor(size / 4));
  closeSync(fd);
  const second = startIndexer(store);
  // the first queries may fail on the damage; the worker then starts a new file and indexes again
  await waitFor(
    async () =>
      (
        await second
          .catchUp()
          .then(() => second.search('"dibbler"', 20))
          .catch(() => [])
      ).length === 1,
    { what: "rebuilt index finds the word", timeoutMs: 60_000 },
  );
  expect(docCount(indexPath, "damaged-1")).toBeGreaterThan(0);
});

test("a bad FTS5 expression comes back as SearchQueryError; a worker that dies is restarted", async () => {
  const store = storeWithSession("restart-1");
  store.output.commit([{ sessionId: "restart-1", seq: 1, ts: 1, data: enc.encode("quoll\r\n") }], []);
  const indexer = startIndexer(store);
  await indexer.catchUp();
  // (not `expect(promise).rejects`: under bun test it waits without delivering worker messages)
  const refused = await indexer.search('"unterminated', 20).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(SearchQueryError);
  (indexer as unknown as { worker: Worker }).worker.terminate();
  await waitFor(async () => (await indexer.search('"quoll"', 20).catch(() => [])).length === 1, {
    what: "search answered by a new worker",
  });
});

test("two indexers on the same files never index a range twice", () => {
  const store = storeWithSession("twice-1");
  const filler = enc.encode("duplicate check words\r\n".repeat(3000));
  store.output.commit(
    Array.from({ length: 20 }, (_, i) => ({ sessionId: "twice-1", seq: i + 1, ts: i, data: filler })),
    [],
  );
  const path = searchDbPath(store.db.filename);
  const [dbA, dbB] = [openSearchDatabase(path), openSearchDatabase(path)];
  const [a, b] = [new SearchIndex(store.db, dbA), new SearchIndex(store.db, dbB)];
  try {
    while ([a.indexSome(16 * 1024), b.indexSome(16 * 1024)].some(Boolean)) {}
    const docs = dbA.query("SELECT from_seq AS f, to_seq AS t FROM search_docs WHERE session_id = 'twice-1' ORDER BY from_seq").all() as {
      f: number;
      t: number;
    }[];
    docs.forEach((d, i) => expect(d.f).toBe(i === 0 ? 1 : docs[i - 1]!.t + 1));
    expect(docs.at(-1)!.t).toBe(20);
  } finally {
    dbA.close();
    dbB.close();
  }
});

test("one commit with duplicates and a gap: each chunk counted once, last_seq covers the gap", () => {
  const store = storeWithSession("commit-session-1");
  const c = (seq: number, s: string) => ({ sessionId: "commit-session-1", seq, ts: seq, data: enc.encode(s) });
  const pipeline = new OutputPipeline(store.output, { committed() {}, failed() {} });
  store.output.commit([c(1, "ab"), c(2, "cde")], []);
  for (const chunk of [c(2, "cde"), c(3, "f"), c(3, "f")]) pipeline.push(chunk);
  pipeline.pushGap({ sessionId: "commit-session-1", fromSeq: 4, toSeq: 6, bytes: 10 });
  pipeline.flush();
  const row = store.db.query("SELECT last_seq AS lastSeq, bytes FROM sessions WHERE id = 'commit-session-1'").get();
  expect(row).toEqual({ lastSeq: 6, bytes: 6 });
  expect(store.output.gaps("commit-session-1")).toEqual([{ sessionId: "commit-session-1", fromSeq: 4, toSeq: 6, bytes: 10 }]);
});
