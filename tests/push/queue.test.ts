/** The per-channel delivery queue: retries with backoff, no retry for permanent errors, bounded, timeouts. */
import { expect, test } from "bun:test";
import { DeliveryQueue, PermanentError, type QueueOptions } from "../../src/server/notify/queue.ts";
import { waitFor } from "../support/wait.ts";

const FAST: QueueOptions = { maxQueued: 3, concurrency: 1, timeoutMs: 200, maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100 };

function recorder() {
  const log: string[] = [];
  return {
    log,
    hooks: {
      sent: (m: string) => log.push(`sent ${m}`),
      retried: (m: string, _d: unknown, e: Error) => log.push(`retried ${m}: ${e.message}`),
      failed: (m: string, _d: unknown, e: Error, n: number) => log.push(`failed ${m} after ${n}: ${e.message}`),
      dropped: (m: string) => log.push(`dropped ${m}`),
    },
  };
}

test("a failing send is retried with backoff until it succeeds", async () => {
  const r = recorder();
  const q = new DeliveryQueue(FAST, r.hooks);
  const at: number[] = [];
  q.push("a", {
    target: "t",
    run: async () => {
      at.push(Date.now());
      if (at.length < 3) throw new Error("503");
    },
  });
  await waitFor(() => r.log.includes("sent a"));
  expect(r.log).toEqual(["retried a: 503", "retried a: 503", "sent a"]);
  expect(at[1] - at[0]).toBeGreaterThanOrEqual(FAST.baseDelayMs / 2);
  q.stop();
});

test("a permanent error is not retried; attempts are bounded; a hanging send times out", async () => {
  const r = recorder();
  const q = new DeliveryQueue(FAST, r.hooks);
  q.push("gone", {
    target: "t",
    run: async () => {
      throw new PermanentError("410");
    },
  });
  q.push("flaky", {
    target: "t",
    run: async () => {
      throw new Error("500");
    },
  });
  q.push("hang", {
    target: "t",
    run: (signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
  });
  await waitFor(() => r.log.filter((l) => l.startsWith("failed")).length === 3, { what: "all three to fail" });
  expect(r.log).toContain("failed gone after 1: 410");
  expect(r.log).toContain("failed flaky after 3: 500");
  expect(r.log).toContain("failed hang after 3: timed out");
  q.stop();
});

test("past its bound the queue drops the oldest waiting send", async () => {
  const r = recorder();
  const q = new DeliveryQueue(FAST, r.hooks);
  let release!: () => void;
  q.push("busy", { target: "t", run: () => new Promise<void>((res) => (release = res)) });
  await waitFor(() => q.inFlight === 1);
  for (const m of ["1", "2", "3", "4"]) q.push(m, { target: "t", run: async () => {} });
  expect(q.queued).toBe(3);
  expect(r.log).toEqual(["dropped 1"]);
  release();
  await waitFor(() => r.log.filter((l) => l.startsWith("sent")).length === 4);
  expect(r.log).toEqual(["dropped 1", "sent busy", "sent 2", "sent 3", "sent 4"]);
  q.stop();
});
