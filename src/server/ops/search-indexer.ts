/**
 * The server's side of the search Worker (src/store/search-worker.ts): starts it, asks it for
 * searches and for forgetting a purged session, and restarts it if it dies. The index lives in its
 * own file (search-db.ts), so nothing here touches the main database.
 */
import type { FromSearchWorker, ToSearchWorker } from "../../store/search-messages.ts";
import { type SearchHit, SearchQueryError } from "../../store/search.ts";
import { searchDbPath } from "../../store/search-db.ts";
import type { Logger } from "../log.ts";

/** A search that has no answer by then fails (the worker is stuck or restarting). */
const SEARCH_TIMEOUT_MS = 15_000;
/** Forgetting a long session, or indexing everything (tests), takes longer. */
const WORK_TIMEOUT_MS = 10 * 60_000;
/** A worker that died or could not open its databases is started again after this, doubling up to a minute. */
const RESTART_FIRST_MS = 1000;
const RESTART_MAX_MS = 60_000;

/** The search worker is not running (starting, restarting after a failure, stopped): try again later. */
export class SearchUnavailableError extends Error {}

type Waiting = { resolve: (m: FromSearchWorker) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> };

export class SearchIndexer {
  private worker: Worker | null = null;
  private waiting = new Map<number, Waiting>();
  private nextId = 0;
  private stopped = false;
  private onStopped: (() => void) | null = null;
  private restartMs = RESTART_FIRST_MS;
  /** Output bytes indexed by the current worker, and time it spent indexing (ms): metrics, tests. */
  indexedBytes = 0;
  spentMs = 0;

  constructor(
    private dbPath: string,
    private log: Logger,
    private opts: { everyMs?: number; indexPath?: string } = {},
  ) {}

  start(): void {
    const worker = new Worker(new URL("../../store/search-worker.ts", import.meta.url).href);
    (worker as Worker & { unref?: () => void }).unref?.(); // Bun: does not keep the process alive
    worker.onmessage = (e: MessageEvent<FromSearchWorker>) => this.received(e.data);
    worker.addEventListener("error", (e) => this.died(worker, (e as ErrorEvent).message));
    worker.addEventListener("close", () => this.died(worker, "exited"));
    this.worker = worker;
    this.post({
      type: "start",
      dbPath: this.dbPath,
      indexPath: this.opts.indexPath ?? searchDbPath(this.dbPath),
      everyMs: this.opts.everyMs ?? 1000,
    });
  }

  /** Sessions whose output matches the FTS5 expression; rejects with SearchQueryError for a bad one. */
  async search(match: string, limit: number): Promise<SearchHit[]> {
    const m = await this.request((id) => ({ type: "search", id, match, limit }), SEARCH_TIMEOUT_MS);
    return m.type === "hits" ? m.hits : [];
  }

  /** Drops a session's documents (its output was purged). */
  async forget(sessionId: string): Promise<void> {
    await this.request((id) => ({ type: "forget", id, sessionId }), WORK_TIMEOUT_MS);
  }

  /** Resolves once everything stored so far is indexed (tests, backfill). */
  async catchUp(): Promise<void> {
    await this.request((id) => ({ type: "catchUp", id }), WORK_TIMEOUT_MS);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const worker = this.worker;
    if (!worker) return;
    const done = new Promise<void>((r) => (this.onStopped = r));
    this.post({ type: "stop" });
    await Promise.race([done, Bun.sleep(2000)]);
    worker.terminate();
    this.failAll("search stopped");
  }

  private request(make: (id: number) => ToSearchWorker, timeoutMs: number): Promise<FromSearchWorker> {
    if (this.stopped || !this.worker) return Promise.reject(new SearchUnavailableError("search is not running"));
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new SearchUnavailableError("search index did not answer in time"));
      }, timeoutMs);
      timer.unref();
      this.waiting.set(id, { resolve, reject, timer });
      this.post(make(id));
    });
  }

  private received(m: FromSearchWorker): void {
    if (m.type === "stopped") return this.onStopped?.();
    if (m.type === "progress") {
      this.indexedBytes = m.indexedBytes;
      this.spentMs += m.tookMs;
      return;
    }
    if (m.type === "log") return this.log.warn(m.message, m.fields);
    if (m.type === "ready") return void (this.restartMs = RESTART_FIRST_MS);
    if (m.type === "fatal") return this.died(this.worker, `cannot open the search index: ${m.message}`);
    const id = m.id;
    if (id === undefined) return this.log.error("search_index_failed", { error: m.type === "error" ? m.message : "" });
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    if (m.type === "error") w.reject(m.query ? new SearchQueryError(m.message) : new SearchUnavailableError(m.message));
    else w.resolve(m);
  }

  private died(worker: Worker | null, why: string): void {
    if (!worker || this.worker !== worker || this.stopped) return;
    this.worker = null;
    worker.terminate();
    this.log.error("search_worker_died", { error: why, restartInMs: this.restartMs });
    this.failAll(`search worker died: ${why}`);
    setTimeout(() => !this.stopped && !this.worker && this.start(), this.restartMs).unref();
    this.restartMs = Math.min(RESTART_MAX_MS, this.restartMs * 2);
  }

  private failAll(why: string): void {
    for (const w of this.waiting.values()) {
      clearTimeout(w.timer);
      w.reject(new SearchUnavailableError(why));
    }
    this.waiting.clear();
  }

  private post(m: ToSearchWorker): void {
    this.worker?.postMessage(m);
  }
}
