/**
 * `npm run bench` — runs every benchmark, or the ones named:
 *   bun bench/run.ts [passthrough] [burst-cpu] [server-feed] [echo] [peers] [join] [scale] [rss] [bandwidth] [indexing] [--reps=N] [--peers=a,b]
 * Each benchmark prints its figures and ratios; results land in bench/results/<name>.json (with
 * machine, date and command) and the plots in docs/perf-*.svg are redrawn from those files.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { writePlots } from "./lib/plot.ts";
import { REPO } from "./lib/server.ts";

type Bench = { run(args: string[]): Promise<Record<string, unknown>> };

const BENCHES: Record<string, () => Promise<Bench>> = {
  passthrough: () => import("./passthrough.ts"),
  "burst-cpu": () => import("./burst-cpu.ts"),
  "server-feed": () => import("./server-feed.ts"),
  echo: () => import("./echo.ts"),
  peers: () => import("./peers.ts"),
  join: () => import("./join.ts"),
  scale: () => import("./scale.ts"),
  rss: () => import("./rss.ts"),
  bandwidth: () => import("./bandwidth.ts"),
  indexing: () => import("./indexing.ts"),
};

function machine() {
  const c = cpus();
  return {
    cpus: c.length,
    cpuModel: c[0]?.model ?? "?",
    memGB: Math.round(totalmem() / 1e9),
    bun: Bun.version,
    load1: Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]),
  };
}

const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith("--"));
const flags = args.filter((a) => a.startsWith("--"));
const unknown = names.filter((n) => !BENCHES[n]);
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${Object.keys(BENCHES).join(", ")}`);
  process.exit(2);
}
const dir = join(REPO, "bench/results");
mkdirSync(dir, { recursive: true });
for (const name of names.length ? names : Object.keys(BENCHES)) {
  console.log(`\n=== ${name} ===`);
  const started = new Date().toISOString();
  const result = await (await BENCHES[name]()).run(flags);
  const record = { name, date: started, command: `bun bench/run.ts ${name} ${flags.join(" ")}`.trim(), machine: machine(), result };
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(record, null, 1) + "\n");
}
const all = Object.fromEntries(
  readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => [f.slice(0, -5), JSON.parse(readFileSync(join(dir, f), "utf8"))]),
);
for (const f of writePlots(all, join(REPO, "docs"))) console.log(`plot: ${f}`);
process.exit(0);
