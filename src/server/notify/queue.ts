/**
 * The delivery queue of one channel: bounded, a few sends at a time, each attempt with a timeout,
 * retries with exponential backoff and jitter. Nothing here runs on the caller's path: `push`
 * only appends and schedules.
 */
export type Delivery = {
  /** What it goes to, for logs and the failure list (never a secret). */
  target: string;
  run(signal: AbortSignal): Promise<void>;
};

/** A failure retrying will not fix (4xx, a gone subscription). */
export class PermanentError extends Error {}

export type QueueOptions = {
  maxQueued: number;
  concurrency: number;
  timeoutMs: number;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
};

export const DEFAULT_QUEUE: QueueOptions = {
  maxQueued: 500,
  concurrency: 4,
  timeoutMs: 10_000,
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
};

export type QueueHooks<M> = {
  sent(meta: M, d: Delivery): void;
  retried(meta: M, d: Delivery, err: Error): void;
  failed(meta: M, d: Delivery, err: Error, attempts: number): void;
  dropped(meta: M, d: Delivery): void;
};

type Job<M> = { meta: M; d: Delivery; attempts: number };

export class DeliveryQueue<M> {
  private ready: Job<M>[] = [];
  private waiting = new Map<Job<M>, ReturnType<typeof setTimeout>>();
  private running = 0;
  private stopper = new AbortController();

  constructor(
    private opts: QueueOptions,
    private hooks: QueueHooks<M>,
  ) {}

  get queued(): number {
    return this.ready.length + this.waiting.size;
  }

  get inFlight(): number {
    return this.running;
  }

  push(meta: M, d: Delivery): void {
    if (this.stopper.signal.aborted) return;
    if (this.queued >= this.opts.maxQueued) this.dropOldest();
    this.ready.push({ meta, d, attempts: 0 });
    queueMicrotask(() => this.pump());
  }

  /** Drops pending retries and aborts sends in flight. */
  stop(): void {
    this.stopper.abort(new Error("notifier stopped"));
    for (const t of this.waiting.values()) clearTimeout(t);
    this.waiting.clear();
    this.ready = [];
  }

  private dropOldest(): void {
    const job = this.ready.shift() ?? this.waiting.keys().next().value;
    if (!job) return;
    const t = this.waiting.get(job);
    if (t !== undefined) clearTimeout(t);
    this.waiting.delete(job);
    this.hooks.dropped(job.meta, job.d);
  }

  private pump(): void {
    while (this.running < this.opts.concurrency && this.ready.length > 0 && !this.stopper.signal.aborted) {
      const job = this.ready.shift()!;
      this.running++;
      void this.attempt(job).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async attempt(job: Job<M>): Promise<void> {
    job.attempts++;
    const signal = AbortSignal.any([AbortSignal.timeout(this.opts.timeoutMs), this.stopper.signal]);
    try {
      await job.d.run(signal);
      this.hooks.sent(job.meta, job.d);
    } catch (e) {
      if (this.stopper.signal.aborted) return;
      const err = describe(e, signal);
      if (e instanceof PermanentError || job.attempts >= this.opts.maxAttempts)
        return this.hooks.failed(job.meta, job.d, err, job.attempts);
      this.hooks.retried(job.meta, job.d, err);
      this.retryLater(job);
    }
  }

  private retryLater(job: Job<M>): void {
    const exp = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (job.attempts - 1));
    const delay = exp / 2 + Math.random() * (exp / 2);
    const t = setTimeout(() => {
      this.waiting.delete(job);
      this.ready.push(job);
      this.pump();
    }, delay);
    this.waiting.set(job, t);
  }
}

function describe(e: unknown, signal: AbortSignal): Error {
  if (signal.aborted && (signal.reason as Error | undefined)?.name === "TimeoutError") return new Error("timed out");
  return e instanceof Error ? e : new Error(String(e));
}
