// The background search indexer and the output commit it follows, on a real SQLite file.
import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { Logger } from "../../src/server/log.ts";
import { OutputPipeline } from "../../src/server/output-pipeline.ts";
import { SearchIndexer } from "../../src/server/search-indexer.ts";
import { Store } from "../../src/store/index.ts";
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
  store.db.query("INSERT INTO sessions (id, device_id, name, command, cwd, status, started_at, cols, rows) VALUES (?, 'd', 'n', '[]', '/', 'running', 0, 80, 24)").run(id);
  return store;
}

test("while output keeps arriving the indexer slows down but never stops: search catches up to the last word", async () => {
  const store = storeWithSession("busy-session-1");
  const filler = enc.encode("some words of output 12345 67890\r\n".repeat(2000)); // ~70 kB a chunk
  const chunks = Array.from({ length: 8 }, (_, i) => ({ sessionId: "busy-session-1", seq: i + 1, ts: i, data: filler }));
  chunks.push({ sessionId: "busy-session-1", seq: 9, ts: 9, data: enc.encode("the wombatfinale\r\n") });
  store.output.commit(chunks, []);
  const indexer = new SearchIndexer(store.search, new Logger("error"), { everyMs: 20, busy: () => true });
  indexer.start();
  try {
    await waitFor(() => store.search.search('"wombatfinale"').length > 0, { what: "the last word indexed while busy", timeoutMs: 60_000 });
    expect(store.search.search('"wombatfinale"').map((h) => h.sessionId)).toEqual(["busy-session-1"]);
    expect(indexer.spentMs).toBeGreaterThan(0);
  } finally {
    indexer.stop();
  }
});

test("one commit with duplicates and a gap: each chunk counted once, last_seq covers the gap", () => {
  const store = storeWithSession("commit-session-1");
  const c = (seq: number, s: string) => ({ sessionId: "commit-session-1", seq, ts: seq, data: enc.encode(s) });
  const pipeline = new OutputPipeline(store.output, { committed() {}, failed() {} });
  expect(pipeline.arrivedWithin(60_000)).toBe(false);
  store.output.commit([c(1, "ab"), c(2, "cde")], []);
  for (const chunk of [c(2, "cde"), c(3, "f"), c(3, "f")]) pipeline.push(chunk);
  pipeline.pushGap({ sessionId: "commit-session-1", fromSeq: 4, toSeq: 6, bytes: 10 });
  pipeline.flush();
  const row = store.db.query("SELECT last_seq AS lastSeq, bytes FROM sessions WHERE id = 'commit-session-1'").get();
  expect(row).toEqual({ lastSeq: 6, bytes: 6 });
  expect(pipeline.arrivedWithin(60_000)).toBe(true);
  expect(store.output.gaps("commit-session-1")).toEqual([{ sessionId: "commit-session-1", fromSeq: 4, toSeq: 6, bytes: 10 }]);
});
