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
import { isCorrupt, openSearchDatabase, recreateSearchDatabase } from "./search-db.ts";
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

type Open = { source: Database; indexDb: Database; index: SearchIndex; indexPath: string };

let open: Open | null = null;
let timer: ReturnType<typeof setInterval> | null = null;
let running: Promise<void> | null = null;
let stopped = false;
/** Forgetting what the main database no longer has, after start; a catch-up request waits for it. */
let reconciled: Promise<void> = Promise.resolve();
let dataVersion = -1;
let changedAt = 0;

const reply = (m: FromSearchWorker) => postMessage(m);

/** Opens both databases; on failure the server is told (`fatal`) and restarts the worker later. */
async function start(dbPath: string, indexPath: string, everyMs: number): Promise<void> {
  let stale: string[];
  try {
    open = openBoth(dbPath, indexPath);
    stale = open.index.staleSessions();
  } catch (e) {
    closeBoth();
    return reply({ type: "fatal", message: (e as Error).message });
  }
  dataVersion = readDataVersion(open.source);
  timer = setInterval(() => void catchUp(), everyMs);
  reply({ type: "ready" });
  reconciled = forgetStale(stale);
}

async function forgetStale(stale: string[]): Promise<void> {
  for (const id of stale) await forget(id);
  if (stale.length > 0) reply({ type: "log", message: "search_index_reconciled", fields: { dropped: stale.length } });
}

function openBoth(dbPath: string, indexPath: string): Open {
  const source = new Database(dbPath, { readonly: true });
  try {
    source.exec("PRAGMA busy_timeout = 5000");
    const indexDb = openSearchDatabase(indexPath);
    return { source, indexDb, index: new SearchIndex(source, indexDb), indexPath };
  } catch (e) {
    source.close();
    throw e;
  }
}

function closeBoth(): void {
  open?.indexDb.close();
  open?.source.close();
  open = null;
}

/** A damaged index file is thrown away and rebuilt; anything else is only reported. */
function recover(e: unknown): void {
  if (!open || !isCorrupt(e)) return reply({ type: "log", message: "search_index_failed", fields: { error: (e as Error).message } });
  open.indexDb.close();
  const indexDb = recreateSearchDatabase(open.indexPath);
  open = { ...open, indexDb, index: new SearchIndex(open.source, indexDb) };
  reply({ type: "log", message: "search_index_recreated", fields: { error: (e as Error).message } });
}

/** One catch-up run at a time; callers share it. */
function catchUp(): Promise<void> {
  running ??= indexSlices()
    .catch(recover)
    .finally(() => (running = null));
  return running;
}

async function indexSlices(): Promise<void> {
  while (open && !stopped) {
    const t0 = performance.now();
    const more = open.index.indexSome(SLICE_BYTES);
    const took = performance.now() - t0;
    reply({ type: "progress", indexedBytes: open.index.indexedBytes, tookMs: took });
    if (!more) return;
    // lets searches and forget requests in between
    await Bun.sleep(pauseAfter(took));
  }
}

/** Removes a session's documents a batch at a time, letting searches in between. */
async function forget(sessionId: string): Promise<void> {
  while (open && !stopped && !open.index.forgetSome(sessionId)) await Bun.sleep(0);
}

function readDataVersion(db: Database): number {
  return (db.query("PRAGMA data_version").get() as { data_version: number }).data_version;
}

/** True while the main database keeps changing (`data_version` moves on every other connection's commit). */
function outputArriving(): boolean {
  const v = readDataVersion(open!.source);
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

function search(id: number, match: string, limit: number): void {
  try {
    reply({ type: "hits", id, hits: open!.index.search(match, limit) });
  } catch (e) {
    reply({ type: "error", id, query: e instanceof SearchQueryError, message: (e as Error).message });
    if (!(e instanceof SearchQueryError)) recover(e);
  }
}

async function handle(m: ToSearchWorker): Promise<void> {
  if (m.type === "start") return start(m.dbPath, m.indexPath, m.everyMs);
  if (m.type === "stop") return stop();
  if (!open) return reply({ type: "error", id: m.id, query: false, message: "search index not open" });
  if (m.type === "search") return search(m.id, m.match, m.limit);
  if (m.type === "forget") await forget(m.sessionId);
  else if (m.type === "catchUp") await reconciled.then(catchUp);
  reply({ type: "done", id: m.id });
}

async function stop(): Promise<void> {
  stopped = true;
  if (timer) clearInterval(timer);
  await running;
  closeBoth();
  reply({ type: "stopped" });
}

self.onmessage = (e: MessageEvent<ToSearchWorker>) => {
  handle(e.data).catch((err: unknown) => {
    const id = "id" in e.data ? e.data.id : undefined;
    reply({ type: "error", id, query: false, message: (err as Error).message });
    recover(err);
  });
};
