/** The server's side of the WAL checkpoint worker (checkpoint-worker.ts). */

export type CheckpointResult = { busy: number; log: number; checkpointed: number };
type Reply =
  | ({ type: "done" } & CheckpointResult & { id?: number })
  | { type: "synced"; id: number }
  | { type: "error"; id?: number; message: string }
  | { type: "stopped" };

export class Checkpointer {
  private worker: Worker;
  private waiting = new Map<number, (r: CheckpointResult | Error | null) => void>();
  private nextId = 0;
  private stopped: (() => void) | null = null;
  /** Frames copied into the database file so far (for tests and metrics). */
  checkpointedFrames = 0;
  /** WAL fsyncs done (tests). */
  syncs = 0;

  constructor(path: string, opts: { everyMs?: number; onError?: (message: string) => void } = {}) {
    this.worker = new Worker(new URL("./checkpoint-worker.ts", import.meta.url).href);
    (this.worker as Worker & { unref?: () => void }).unref?.(); // Bun: does not keep the process alive
    this.worker.onmessage = (e: MessageEvent<Reply>) => {
      const m = e.data;
      if (m.type === "stopped") return this.stopped?.();
      if (m.type === "error") opts.onError?.(m.message);
      else if (m.type === "done") this.checkpointedFrames += m.checkpointed;
      if (m.id === undefined) return;
      this.waiting.get(m.id)?.(m.type === "error" ? new Error(m.message) : m.type === "synced" ? null : m);
      this.waiting.delete(m.id);
    };
    this.worker.postMessage({ type: "start", path, everyMs: opts.everyMs ?? 1000 });
  }

  /** A checkpoint now (tests; the worker also runs one every `everyMs`). */
  now(): Promise<CheckpointResult> {
    return this.ask("now") as Promise<CheckpointResult>;
  }

  /** Resolves once everything committed before the call is on disk (fsync of the WAL, in the worker). */
  async sync(): Promise<void> {
    await this.ask("sync");
    this.syncs++;
  }

  private ask(type: "now" | "sync"): Promise<CheckpointResult | null> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (r) => (r instanceof Error ? reject(r) : resolve(r)));
      this.worker.postMessage({ type, id });
    });
  }

  /** Closes the worker's connection (before the server closes its own, which then checkpoints and removes the WAL). */
  async stop(): Promise<void> {
    const done = new Promise<void>((r) => (this.stopped = r));
    this.worker.postMessage({ type: "stop" });
    await Promise.race([done, Bun.sleep(2000)]);
    this.worker.terminate();
  }
}
