/** Tiny SVG bar charts for docs/PERFORMANCE.md, drawn from bench/results/*.json. No dependencies. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

type Bar = { label: string; value: number; ours?: boolean };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

export function barChart(title: string, unit: string, bars: Bar[], note = ""): string {
  const w = 560,
    rowH = 26,
    left = 190,
    top = 36;
  const h = top + bars.length * rowH + (note ? 34 : 16);
  const max = Math.max(...bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)), 1e-9);
  const rows = bars.map((b, i) => {
    const y = top + i * rowH;
    const v = Number.isFinite(b.value) ? b.value : 0;
    const bw = Math.max(1, ((w - left - 90) * v) / max);
    const fill = b.ours ? "#d97706" : "#64748b";
    const shown = Number.isFinite(b.value) ? `${b.value} ${unit}` : "n/a";
    return `<text x="${left - 8}" y="${y + 16}" text-anchor="end">${esc(b.label)}</text><rect x="${left}" y="${y + 4}" width="${bw.toFixed(1)}" height="${rowH - 8}" fill="${fill}"/><text x="${left + bw + 6}" y="${y + 16}">${esc(shown)}</text>`;
  });
  const foot = note ? `<text x="8" y="${h - 10}" font-size="11" fill="#475569">${esc(note)}</text>` : "";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="13"><rect width="100%" height="100%" fill="#fff"/><text x="8" y="22" font-weight="bold">${esc(title)}</text>${rows.join("")}${foot}</svg>\n`;
}

/** Writes the plots it has data for; returns the files written. */
export function writePlots(all: Record<string, any>, docsDir: string): string[] {
  const written: string[] = [];
  const put = (file: string, svg: string) => {
    writeFileSync(join(docsDir, file), svg);
    written.push(`docs/${file}`);
  };
  const peers = all.peers?.result?.table as Record<string, any> | undefined;
  if (peers) {
    const entries = Object.entries(peers);
    const bars = (key: string) =>
      entries
        .map(([k, v]) => ({ label: k, value: v[key] as number, ours: k.startsWith("claude-remote") }))
        .sort((a, b) => (Number.isFinite(b.value) ? b.value : -1) - (Number.isFinite(a.value) ? a.value : -1));
    put(
      "perf-throughput.svg",
      barChart(
        "20 MB of seq to one viewer (higher is better)",
        "MB/s",
        bars("MBps"),
        `${all.peers.date.slice(0, 10)} · ${all.peers.machine.cpus} cores · bun bench/run.ts peers`,
      ),
    );
    put(
      "perf-latency.svg",
      barChart(
        "print → viewer p99 (lower is better)",
        "ms",
        bars("latP99").reverse(),
        "100 lines at 10 ms intervals; same workload.sh for every target",
      ),
    );
    put(
      "perf-echo.svg",
      barChart(
        "keystroke round trip p99 (lower is better)",
        "ms",
        bars("echoP99").reverse(),
        "50 lines typed 20 ms apart; viewer input → program → viewer",
      ),
    );
  }
  const pt = all.passthrough?.result?.summary;
  if (pt) {
    put(
      "perf-passthrough.svg",
      barChart(
        "cat of 128 MiB: terminal throughput (higher is better)",
        "MB/s",
        [
          { label: "bare PTY", value: pt.bareMBps },
          { label: "script(1)", value: pt.scriptMBps },
          { label: "claude-remote exec (native)", value: pt.wrappedNativeMBps, ours: true },
          { label: "claude-remote exec (bun)", value: pt.wrappedBunMBps, ours: true },
        ],
        `per-rep ratio to bare: native ${pt.ratioNative}×, script ${pt.ratioScript}×, bun ${pt.ratioBun}×; wrapper RSS ${pt.wrapperRssNativeMB} MB`,
      ),
    );
  }
  const join_ = all.join?.result?.rows as Array<{ historyMB: number; rawMs: number; screenMs: number; coldMs: number }> | undefined;
  if (join_) {
    put(
      "perf-join.svg",
      barChart(
        "join: a new viewer has the full screen (lower is better)",
        "ms",
        join_.flatMap((r) => [
          { label: `${r.historyMB} MB · live join`, value: r.screenMs, ours: true },
          { label: `${r.historyMB} MB · after restart`, value: r.coldMs, ours: true },
        ]),
        `${all.join.date.slice(0, 10)} · history size must not matter · bun bench/run.ts join`,
      ),
    );
  }
  const sc = all.scale?.result?.summary;
  if (sc) {
    put(
      "perf-scale.svg",
      barChart(
        `output → viewer p99, ${sc.sessions} sessions × ${sc.viewers / sc.sessions} viewers (lower is better)`,
        "ms",
        [
          { label: "raw · 1 session alone", value: sc.rawP99AloneMs },
          { label: "raw · all streaming", value: sc.rawP99SteadyMs, ours: true },
          { label: "raw · + stalled viewer", value: sc.rawP99StalledMs, ours: true },
          { label: "raw · stalled, from 3 s", value: sc.rawP99StalledAfter3sMs, ours: true },
          { label: "screen · all streaming", value: sc.screenP99SteadyMs, ours: true },
          { label: "screen · + stalled viewer", value: sc.screenP99StalledMs, ours: true },
        ],
        `${all.scale.date.slice(0, 10)} · ${all.scale.machine.cpus} cores, load ${all.scale.machine.load1} · ${sc.phaseSeconds} s per phase · bun bench/run.ts scale`,
      ),
    );
  }
  const bw = all.bandwidth?.result?.total;
  if (bw) {
    put(
      "perf-bandwidth.svg",
      barChart(
        `bytes to a viewer, ${bw.fixtures} Claude Code sessions (lower is better)`,
        "kB",
        [
          { label: "raw PTY bytes", value: Math.round(bw.rawPtyBytes / 100) / 10 },
          { label: "goal: ½ of raw", value: Math.round(bw.rawPtyBytes / 200) / 10 },
          { label: "raw SSE, identity", value: Math.round(bw.rawViewerBytes / 100) / 10 },
          { label: "screen-diff SSE, identity", value: Math.round(bw.screenViewerBytes / 100) / 10 },
          { label: "raw SSE, gzip", value: Math.round(bw.rawGzipBytes / 100) / 10, ours: true },
          { label: "screen-diff SSE, gzip", value: Math.round(bw.screenGzipBytes / 100) / 10, ours: true },
        ],
        `${all.bandwidth.date.slice(0, 10)} · wire bytes · gzip: screen-diff ${bw.screenGzipRatio}× raw, raw SSE ${bw.rawGzipRatio}× · bun bench/run.ts bandwidth`,
      ),
    );
  }
  return written;
}
