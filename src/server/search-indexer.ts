/**
 * Keeps the search index following stored output, off the output commit path: a short timer
 * indexes a bounded slice per turn and yields between slices until it has caught up.
 */
import type { SearchIndex } from "../store/search.ts";
import type { Logger } from "./log.ts";

/**
 * Output indexed per event-loop turn. FTS5 costs ~0.2 ms per KB of dense text (a `seq` burst), so
 * 256 KB slices held the loop ~45 ms each and put that on every viewer's latency while a big
 * burst was being indexed (peers bench: print→viewer p50 100 ms); 16 KB keeps a turn to a few ms.
 */
const SLICE_BYTES = 16 * 1024;

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
      // setTimeout, not setImmediate: Bun runs a chain of immediates before polling sockets again
      while (!this.stopped && this.index.indexSome(SLICE_BYTES)) await new Promise((r) => setTimeout(r, 1));
    } catch (e) {
      this.log.error("search_index_failed", { error: (e as Error).message });
    } finally {
      this.busy = false;
    }
  }
}
