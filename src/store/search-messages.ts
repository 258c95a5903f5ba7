/** Messages between the server's thread (search-indexer.ts) and the search Worker (search-worker.ts). */
import type { SearchHit } from "./search.ts";

export type ToSearchWorker =
  | { type: "start"; dbPath: string; indexPath: string; everyMs: number }
  | { type: "search"; id: number; match: string; limit: number }
  | { type: "forget"; id: number; sessionId: string }
  | { type: "catchUp"; id: number }
  | { type: "stop" };

export type FromSearchWorker =
  | { type: "hits"; id: number; hits: SearchHit[] }
  | { type: "done"; id: number }
  /** `query`: FTS5 refused the expression (the caller's fault). */
  | { type: "error"; id?: number; query: boolean; message: string }
  | { type: "progress"; indexedBytes: number; tookMs: number }
  | { type: "log"; message: string; fields: Record<string, unknown> }
  /** Both databases are open and indexing has started. */
  | { type: "ready" }
  /** The worker could not open its databases; the server restarts it later. */
  | { type: "fatal"; message: string }
  | { type: "stopped" };
