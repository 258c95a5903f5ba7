/** /proc sampling: RSS and CPU time of a process (and optionally its tty-less descendants). */
import { readdirSync, readFileSync } from "node:fs";

const CLK_TCK = 100;

export function status(pid: number): { rssKB: number; hwmKB: number } {
  let rssKB = 0;
  let hwmKB = 0;
  try {
    for (const line of readFileSync(`/proc/${pid}/status`, "utf8").split("\n")) {
      const m = /^(VmRSS|VmHWM):\s+(\d+) kB/.exec(line);
      if (m?.[1] === "VmRSS") rssKB = Number(m[2]);
      if (m?.[1] === "VmHWM") hwmKB = Number(m[2]);
    }
  } catch {}
  return { rssKB, hwmKB };
}

/** Resident memory split as the kernel counts it: anonymous (private heap), file-backed (the Bun binary, shared), shmem. */
export function rssSplit(pid: number): { anonKB: number; fileKB: number; shmemKB: number } {
  const out = { anonKB: 0, fileKB: 0, shmemKB: 0 };
  try {
    for (const line of readFileSync(`/proc/${pid}/status`, "utf8").split("\n")) {
      const m = /^Rss(Anon|File|Shmem):\s+(\d+) kB/.exec(line);
      if (m) out[`${m[1].toLowerCase()}KB` as "anonKB"] = Number(m[2]);
    }
  } catch {}
  return out;
}

/** Shared vs private resident memory from /proc/<pid>/smaps_rollup (kB). */
export function smapsRollup(pid: number): { rssKB: number; sharedKB: number; privateKB: number; anonKB: number } {
  const f: Record<string, number> = {};
  try {
    for (const line of readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").split("\n")) {
      const m = /^(\w+):\s+(\d+) kB/.exec(line);
      if (m) f[m[1]] = Number(m[2]);
    }
  } catch {}
  return {
    rssKB: f.Rss ?? 0,
    sharedKB: (f.Shared_Clean ?? 0) + (f.Shared_Dirty ?? 0),
    privateKB: (f.Private_Clean ?? 0) + (f.Private_Dirty ?? 0),
    anonKB: f.Anonymous ?? 0,
  };
}

/** CPU seconds of each live thread of `pid` so far, by thread id (the main thread's name is "main"). */
export function threadCpu(pid: number): Map<number, { name: string; cpu: number }> {
  const out = new Map<number, { name: string; cpu: number }>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = Number(tid) === pid ? "main" : stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(Number(tid), { name, cpu: (Number(rest[11]) + Number(rest[12])) / CLK_TCK });
    }
  } catch {}
  return out;
}

/** User+system CPU seconds used so far by `pid`. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** Samples a process's RSS (and its anonymous part) every `everyMs`; `stop()` returns start/peak/end in MB. */
export class RssSampler {
  private samples: number[] = [];
  private anonPeak = 0;
  private timer: ReturnType<typeof setInterval>;
  constructor(
    private pid: number,
    everyMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }
  private sample(): void {
    const s = status(this.pid).rssKB;
    if (s > 0) this.samples.push(s);
    this.anonPeak = Math.max(this.anonPeak, rssSplit(this.pid).anonKB);
  }
  stop(): { startMB: number; peakMB: number; endMB: number; hwmMB: number; peakAnonMB: number } {
    clearInterval(this.timer);
    this.sample();
    const s = this.samples.length ? this.samples : [0];
    const toMB = (kb: number) => Math.round(kb / 102.4) / 10;
    return {
      startMB: toMB(s[0]),
      peakMB: toMB(Math.max(...s)),
      endMB: toMB(s[s.length - 1]),
      hwmMB: toMB(status(this.pid).hwmKB),
      peakAnonMB: toMB(this.anonPeak),
    };
  }
}
