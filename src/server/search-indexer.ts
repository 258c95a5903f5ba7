/**
 * Keeps the search index following stored output, off the output commit path: a short timer
 * indexes a bounded slice per turn and yields between slices until it has caught up.
 */
import type { SearchIndex } from "../store/search.ts";
import type { Logger } from "./log.ts";

export class SearchIndexer {
  private timer: ReturnType<typeof setInterval> | null = null;
  private busy = false;
  private stopped = false;

  constructor(private index: SearchIndex, private log: Logger, private everyMs = 1000) {}

  start(): void {
    this.timer = setInterval(() => void this.catchUp(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  async catchUp(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      while (!this.stopped && this.index.indexSome()) await new Promise((r) => setImmediate(r));
    } catch (e) {
      this.log.error("search_index_failed", { error: (e as Error).message });
    } finally {
      this.busy = false;
    }
  }
}
