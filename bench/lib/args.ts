/** Small helpers shared by the benchmarks. */

/** `--name=N` from the command line, or `def`. */
export function flag(args: string[], name: string, def: number): number {
  const v = args.find((a) => a.startsWith(`--${name}=`));
  return v ? Number(v.slice(name.length + 3)) : def;
}

/** Polls `pred` every 50 ms; throws after `timeoutMs`. */
export async function waitUntil(pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}
