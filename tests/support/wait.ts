// Polling helper for tests: wait until fn() returns a truthy value (or a promise of one).

export type WaitOptions = { timeoutMs?: number; intervalMs?: number; what?: string | (() => string) };

export async function waitFor<T>(fn: () => T | Promise<T>, opts: WaitOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 50;
  const start = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() - start >= timeoutMs) {
      const what = typeof opts.what === "function" ? opts.what() : (opts.what ?? "condition");
      const why = lastError ? ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})` : "";
      throw new Error(`waitFor: timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await Bun.sleep(intervalMs);
  }
}
