/** /proc sampling: RSS and CPU time of a process (and optionally its tty-less descendants). */
import { readFileSync } from "node:fs";

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

/** Samples a process's RSS every `everyMs`; `stop()` returns start/peak/end in MB. */
export class RssSampler {
  private samples: number[] = [];
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
  }
  stop(): { startMB: number; peakMB: number; endMB: number; hwmMB: number } {
    clearInterval(this.timer);
    this.sample();
    const s = this.samples.length ? this.samples : [0];
    const toMB = (kb: number) => Math.round(kb / 102.4) / 10;
    return { startMB: toMB(s[0]), peakMB: toMB(Math.max(...s)), endMB: toMB(s[s.length - 1]), hwmMB: toMB(status(this.pid).hwmKB) };
  }
}
