/** A viewer of the latency workload (`LAT <i> <epoch>` lines): print→viewer latency samples. */
import { newScreenLines } from "./screen-lines.ts";
import { now, stats } from "./stats.ts";

export type Sample = { at: number; ms: number; screen: boolean };

export class Viewer {
  events = 0;
  wire = 0;
  lines = 0;
  ready = false;
  private lineBuf = "";
  private seen = new Set<string>();
  constructor(
    readonly screen: boolean,
    private samples: Sample[],
  ) {}

  onEvent = (event: string, data: string): void => {
    this.events++;
    let text = "";
    if (event === "output") text = Buffer.from((JSON.parse(data) as { data: string }).data, "base64").toString("latin1");
    else if (event === "screen" || event === "rows") text = newScreenLines(event, data, this.seen);
    if (!text) return;
    const t = now();
    this.lineBuf += text;
    const lines = this.lineBuf.split("\n");
    this.lineBuf = lines.pop() ?? "";
    if (this.lineBuf.length > 1 << 16) this.lineBuf = "";
    for (const raw of lines) {
      const line = raw.replace(/\r/g, "");
      if (line === "__BENCH_READY__") this.ready = true;
      const m = /^LAT \d+ (\d+\.\d+)$/.exec(line);
      if (m) {
        this.lines++;
        this.samples.push({ at: t, ms: t - Number(m[1]) * 1000, screen: this.screen });
      }
    }
  };
}

/** Latency stats of the samples in [from, to), raw and screen viewers apart. */
export function phase(samples: Sample[], from: number, to: number) {
  const inside = samples.filter((s) => s.at >= from && s.at < to);
  return { raw: stats(inside.filter((s) => !s.screen).map((s) => s.ms)), screen: stats(inside.filter((s) => s.screen).map((s) => s.ms)) };
}

export /** Raw-viewer p99 of each second of [from, to): shows whether a jump is a burst or lasting. */
function perSecondP99(samples: Sample[], from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = from; t + 999 < to; t += 1000)
    out.push(Math.round(stats(samples.filter((s) => !s.screen && s.at >= t && s.at < t + 1000).map((s) => s.ms)).p99));
  return out;
}
