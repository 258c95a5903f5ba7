/**
 * Acks mean "on disk", not only "committed". With synchronous=NORMAL (kept: an fsync per output
 * commit would sit on every viewer's latency) a commit survives a killed server but not a power
 * cut, and an acked chunk is gone from the wrapper's memory. So acks (and `session.ended`) wait
 * for the next fsync of the WAL, which the checkpoint worker does off this thread; one fsync
 * covers every commit made before it was asked for, so a burst shares a few. Viewers are not
 * held: only what the wrapper may forget is.
 */
import type { Logger } from "../log.ts";

/** An fsync that has not answered by then is given up on: the acks go out (see `round`). */
const SYNC_TIMEOUT_MS = 5000;

export class DurableAcks {
  private waiting: (() => void)[] = [];
  private syncing = false;

  constructor(
    private sync: () => Promise<void>,
    private log: Logger,
  ) {}

  /** Runs `send` once everything committed so far is on disk. */
  after(send: () => void): void {
    this.waiting.push(send);
    if (!this.syncing) void this.round();
  }

  private async round(): Promise<void> {
    this.syncing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      try {
        await withTimeout(this.sync(), SYNC_TIMEOUT_MS);
      } catch (e) {
        // Holding the acks would only fill the wrapper's buffer until it drops output for good;
        // the commits themselves stand, so they are acked with the power-cut risk logged.
        this.log.warn("wal_sync_failed", { error: (e as Error).message, acks: batch.length });
      }
      for (const send of batch) send();
    }
    this.syncing = false;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
