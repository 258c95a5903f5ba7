/**
 * Keeps the search index following stored output, off the output commit path: a short timer
 * indexes a bounded slice per turn and yields between slices until it has caught up.
 *
 * FTS5 is expensive on dense output (~0.2 s of CPU per MB of `seq`), and on a small box it
 * competes for the same cores as the wrapper and the output path. So while output is streaming
 * the indexer takes at most BUSY_SHARE of one core (it sleeps in proportion to the time each slice
 * took) and catches up at full speed once the server has been quiet for a moment: search results
 * may lag a burst by some seconds.
 */
import type { SearchIndex } from "../store/search.ts";
import type { Logger } from "./log.ts";

/**
 * Output indexed per event-loop turn. FTS5 costs ~0.2 ms per KB of dense text (a `seq` burst), so
 * 256 KB slices held the loop ~45 ms each and put that on every viewer's latency while a big
 * burst was being indexed (peers bench: print→viewer p50 100 ms); 16 KB keeps a turn to a few ms.
 */
const SLICE_BYTES = 16 * 1024;
/** Share of one core the indexer may use while output is arriving. */
const BUSY_SHARE = 0.1;
/** A pause between slices never longer than this, so a burst that ends is noticed soon. */
const MAX_PAUSE_MS = 500;

export type IndexerOptions = {
  /** How often to look for unindexed output. */
  everyMs?: number;
  /** True while output is arriving (the indexer then keeps to BUSY_SHARE). */
  busy?: () => boolean;
};

export class SearchIndexer {
  private timer: ReturnType<typeof setInterval> | null = null;
  private busy = false;
  private stopped = false;
  private readonly everyMs: number;
  private readonly outputArriving: () => boolean;
  /** Time spent indexing (ms), for tests and metrics. */
  spentMs = 0;

  constructor(private index: SearchIndex, private log: Logger, opts: IndexerOptions = {}) {
    this.everyMs = opts.everyMs ?? 1000;
    this.outputArriving = opts.busy ?? (() => false);
  }

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
      for (;;) {
        const t0 = performance.now();
        const more = this.index.indexSome(SLICE_BYTES);
        const took = performance.now() - t0;
        this.spentMs += took;
        if (!more || this.stopped) break;
        // setTimeout, not setImmediate: Bun runs a chain of immediates before polling sockets again
        await new Promise((r) => setTimeout(r, this.pauseAfter(took)));
        if (this.stopped) break;
      }
    } catch (e) {
      this.log.error("search_index_failed", { error: (e as Error).message });
    } finally {
      this.busy = false;
    }
  }

  private pauseAfter(tookMs: number): number {
    if (!this.outputArriving()) return 1;
    return Math.min(MAX_PAUSE_MS, Math.max(1, (tookMs * (1 - BUSY_SHARE)) / BUSY_SHARE));
  }
}
