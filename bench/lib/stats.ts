/** Small numeric helpers shared by the benchmarks. */
export const now = () => performance.timeOrigin + performance.now(); // epoch ms, sub-ms

export type Stats = { n: number; min: number; p50: number; p90: number; p99: number; max: number; mean: number };

export function stats(xs: number[]): Stats {
  if (!xs.length) return { n: 0, min: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const s = [...xs].sort((a, b) => a - b);
  // same quantile rule as /work/shared/peers/peerbench.ts, so figures compare one to one
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  return {
    n: s.length,
    min: r3(s[0]),
    p50: r3(q(50)),
    p90: r3(q(90)),
    p99: r3(q(99)),
    max: r3(s[s.length - 1]),
    mean: r3(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

export const r3 = (v: number) => Math.round(v * 1000) / 1000;
export const r2 = (v: number) => Math.round(v * 100) / 100;
export const mb = (bytes: number) => r2(bytes / 1e6);

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
}
