/**
 * Runs in a Worker: keeps the search index (search.ts) following stored output, and answers
 * searches, on connections of its own. FTS5 costs ~0.1–0.2 s of CPU per MB of dense output and its
 * merges grow with the index (~27 ms per slice at 200 MB of text); on the server's thread that
 * sat on every viewer's latency.
 *
 * On a small box the indexer still competes for the same cores as the wrapper and the output
 * path, so while output is arriving it takes at most BUSY_SHARE of one core (it sleeps in
 * proportion to the time each slice took) and catches up at full speed once the database has
 * been quiet for a moment: search results may lag a burst by some seconds.
 */
import { Database } from "bun:sqlite";
import { SearchIndex, SearchQueryError } from "./search.ts";
import { openSearchDatabase } from "./search-db.ts";
import type { FromSearchWorker, ToSearchWorker } from "./search-messages.ts";

declare const self: Worker;

/** Output indexed per slice. */
const SLICE_BYTES = 64 * 1024;
/** Share of one core the indexer may use while output is arriving. */
const BUSY_SHARE = 0.1;
/** A pause between slices never longer than this, so a burst that ends is noticed soon. */
const MAX_PAUSE_MS = 500;
/** Output counts as arriving for this long after the main database last changed. */
const QUIET_MS = 1000;

let source: Database | null = null;
let index: SearchIndex | null = null;
let indexDb: Database | null = null;
let timer: ReturnType<typeof setInterval> | null = null;
let running: Promise<void> | null = null;
let stopped = false;
let dataVersion = -1;
let changedAt = 0;

const reply = (m: FromSearchWorker) => postMessage(m);

function start(dbPath: string, indexPath: string, everyMs: number): void {
  source = new Database(dbPath, { readonly: true });
  source.exec("PRAGMA busy_timeout = 5000");
  indexDb = openSearchDatabase(indexPath);
  index = new SearchIndex(source, indexDb);
  const stale = index.reconcile();
  if (stale.length > 0) reply({ type: "log", message: "search_index_reconciled", fields: { dropped: stale.length } });
  timer = setInterval(() => void catchUp(), everyMs);
}

/** One catch-up run at a time; callers share it. */
function catchUp(): Promise<void> {
  running ??= indexUntilDone().finally(() => (running = null));
  return running;
}

async function indexUntilDone(): Promise<void> {
  try {
    await indexSlices();
  } catch (e) {
    reply({ type: "log", message: "search_index_failed", fields: { error: (e as Error).message } });
  }
}

async function indexSlices(): Promise<void> {
  while (index && !stopped) {
    const t0 = performance.now();
    const more = index.indexSome(SLICE_BYTES);
    const took = performance.now() - t0;
    reply({ type: "progress", indexedBytes: index.indexedBytes, tookMs: took });
    if (!more) return;
    // lets searches and forget requests in between
    await Bun.sleep(pauseAfter(took));
  }
}

/** True while the main database keeps changing (`data_version` moves on every other connection's commit). */
function outputArriving(): boolean {
  const v = (source!.query("PRAGMA data_version").get() as { data_version: number }).data_version;
  const now = Date.now();
  if (v !== dataVersion) {
    dataVersion = v;
    changedAt = now;
  }
  return now - changedAt < QUIET_MS;
}

function pauseAfter(tookMs: number): number {
  if (!outputArriving()) return 1;
  return Math.min(MAX_PAUSE_MS, Math.max(1, (tookMs * (1 - BUSY_SHARE)) / BUSY_SHARE));
}

function handle(m: ToSearchWorker): void {
  if (m.type === "start") return start(m.dbPath, m.indexPath, m.everyMs);
  if (m.type === "stop") return void stop();
  if (!index) return reply({ type: "error", id: m.id, query: false, message: "search index not open" });
  if (m.type === "search") {
    try {
      reply({ type: "hits", id: m.id, hits: index.search(m.match, m.limit) });
    } catch (e) {
      reply({ type: "error", id: m.id, query: e instanceof SearchQueryError, message: (e as Error).message });
    }
  } else if (m.type === "forget") {
    while (!index.forgetSome(m.sessionId)) {}
    reply({ type: "done", id: m.id });
  } else if (m.type === "catchUp") {
    void catchUp().finally(() => reply({ type: "done", id: m.id }));
  }
}

async function stop(): Promise<void> {
  stopped = true;
  if (timer) clearInterval(timer);
  await running;
  indexDb?.close();
  source?.close();
  index = null;
  reply({ type: "stopped" });
}

self.onmessage = (e: MessageEvent<ToSearchWorker>) => {
  try {
    handle(e.data);
  } catch (err) {
    const id = "id" in e.data ? e.data.id : undefined;
    reply({ type: "error", id, query: false, message: (err as Error).message });
  }
};
