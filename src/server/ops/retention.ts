/**
 * Retention (`CLAUDE_REMOTE_RETENTION_DAYS`): deletes the stored output and transcript entries of sessions that ended
 * (or were abandoned while disconnected) more than N days ago. Runs once at start and hourly, in
 * small batches with a yield between them, so a large purge never holds the event loop. The
 * session row stays (with `output_purged_at` set) so the history list still shows it.
 */
import type { Store } from "../../store/index.ts";
import type { Logger } from "../log.ts";
import type { Counter } from "./metrics-text.ts";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const BATCH = 2000;

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

export class Retention {
  private timer: ReturnType<typeof setInterval> | null = null;
  private first: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  /** `forgetIndexed`: drops a purged session from the search index. */
  constructor(
    private store: Store,
    private days: number,
    private log: Logger,
    private deleted: Counter,
    private forgetIndexed: (sessionId: string) => Promise<void>,
  ) {}

  start(): void {
    if (this.days <= 0) return;
    this.first = setTimeout(() => void this.run(), 1000);
    this.first.unref();
    this.timer = setInterval(() => void this.run(), HOUR_MS);
    this.timer.unref();
  }

  /** Resolves when a pass in progress has finished its current batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.first) clearTimeout(this.first);
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass; concurrent calls share it. Returns how many sessions were purged. */
  run(now = Date.now()): Promise<number> {
    if (this.days <= 0 || this.stopped) return Promise.resolve(0);
    this.running ??= this.purge(now - this.days * DAY_MS)
      .catch((e) => {
        this.log.error("retention_failed", { error: (e as Error).message });
        return 0;
      })
      .finally(() => (this.running = null));
    return this.running as Promise<number>;
  }

  private async purge(cutoff: number): Promise<number> {
    const output = this.store.output;
    let purged = 0;
    for (const id of output.expiredBefore(cutoff)) {
      let chunks = 0;
      for (;;) {
        if (this.stopped) return purged;
        const n = output.deleteOldest(id, BATCH);
        chunks += n;
        this.deleted.inc({}, n);
        if (n < BATCH) break;
        await yieldToLoop();
      }
      while (this.store.transcript.purgeEntries(id, BATCH) === BATCH) {
        if (this.stopped) return purged;
        await yieldToLoop();
      }
      output.markPurged(id);
      // searches skip purged sessions at once; a forget lost here is redone when the worker starts
      await this.forgetIndexed(id).catch((e) => this.log.warn("search_forget_failed", { sessionId: id, error: (e as Error).message }));
      purged++;
      this.log.info("retention_purged", { sessionId: id, chunks });
      await yieldToLoop();
    }
    return purged;
  }
}
