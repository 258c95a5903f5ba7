/**
 * `/metrics` in the Prometheus text format (version 0.0.4). Gauges are read from the live server
 * when scraped; counters that no other object keeps (push failures, …) live in `Metrics`, which
 * other modules increment: `app.metrics.pushFailures.inc({ channel: "ntfy" })`.
 */
import { openFiles, openFilesLimit } from "./fd-limit.ts";
import { statSync } from "node:fs";
import { searchDbPath } from "../../store/search-db.ts";
import type { App } from "../app.ts";
import { SseClient } from "../viewers/sse.ts";
import { usageFamilies } from "../usage/usage-metrics.ts";

type Labels = Record<string, string>;

export class Counter {
  private values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = JSON.stringify(Object.entries(labels).sort());
    const v = this.values.get(key);
    if (v) v.value += by;
    else this.values.set(key, { labels, value: by });
  }

  samples(): { labels: Labels; value: number }[] {
    return [...this.values.values()];
  }
}

export class Metrics {
  readonly pushFailures = new Counter(
    "claude_remote_push_failures_total",
    "Notifications (Web Push, ntfy, webhook) that could not be delivered, by channel",
  );
  readonly pushSent = new Counter("claude_remote_push_sent_total", "Notifications delivered, by channel");
  readonly retentionDeletedChunks = new Counter("claude_remote_retention_deleted_chunks_total", "Output chunks deleted by retention");
  private extra: Counter[] = [];

  /** A counter for a feature that has none here yet; registered once by name. */
  counter(name: string, help: string): Counter {
    const existing = this.extra.find((c) => c.name === name);
    if (existing) return existing;
    const c = new Counter(name, help);
    this.extra.push(c);
    return c;
  }

  counters(): Counter[] {
    return [this.pushFailures, this.pushSent, this.retentionDeletedChunks, ...this.extra];
  }
}

type Family = { name: string; help: string; type: "gauge" | "counter"; samples: { labels?: Labels; value: number }[] };

const startedAt = Date.now();

/** All metric families of the running server. */
export function collect(app: App): Family[] {
  const { hub, store, events, sockets } = app;
  const families: Family[] = [
    {
      name: "claude_remote_sessions",
      help: "Stored sessions by status",
      type: "gauge",
      samples: byStatus(() => store.sessions.countByStatus()),
    },
    {
      name: "claude_remote_live_sessions",
      help: "Sessions held in memory by the hub (connected or recently connected)",
      type: "gauge",
      samples: [{ value: hub.liveCount }],
    },
    {
      name: "claude_remote_viewers",
      help: "Open SSE streams, by kind",
      type: "gauge",
      samples: [
        { labels: { stream: "session" }, value: hub.viewerCount },
        { labels: { stream: "events" }, value: events.viewerCount },
      ],
    },
    {
      name: "claude_remote_device_connections",
      help: "Authenticated wrapper WebSockets",
      type: "gauge",
      samples: [{ value: sockets.connectionCount }],
    },
    {
      name: "claude_remote_daemons_online",
      help: "Daemons connected (machines the dashboard can start sessions on)",
      type: "gauge",
      samples: [{ value: app.remote.onlineCount }],
    },
    {
      name: "claude_remote_output_bytes_received_total",
      help: "Output bytes received from wrappers",
      type: "counter",
      samples: [{ value: hub.bytesIn }],
    },
    {
      name: "claude_remote_output_bytes_stored_total",
      help: "Output bytes committed to the database",
      type: "counter",
      samples: [{ value: hub.pipeline.committedBytes }],
    },
    {
      name: "claude_remote_sse_bytes_sent_total",
      help: "Bytes written to SSE streams (dashboards)",
      type: "counter",
      samples: [{ value: SseClient.totalBytesSent }],
    },
    {
      name: "claude_remote_frames_rejected_total",
      help: "WebSocket frames from wrappers refused (invalid, rate limited)",
      type: "counter",
      samples: [{ value: sockets.framesRejected }],
    },
    {
      name: "claude_remote_store_failures_total",
      help: "Output batches the database refused",
      type: "counter",
      samples: [{ value: hub.pipeline.failures }],
    },
    {
      name: "claude_remote_search_indexed_bytes_total",
      help: "Output bytes indexed for search",
      type: "counter",
      samples: [{ value: app.indexer.indexedBytes }],
    },
    {
      name: "claude_remote_db_size_bytes",
      help: "Size of the SQLite database files (main + WAL)",
      type: "gauge",
      samples: [{ value: dbSize(app) }],
    },
    {
      name: "claude_remote_search_index_size_bytes",
      help: "Size of the search index files (search-index.db + WAL)",
      type: "gauge",
      samples: [{ value: filesSize(searchDbPath(app.store.db.filename)) }],
    },
    {
      name: "claude_remote_uptime_seconds",
      help: "Seconds since the server started",
      type: "gauge",
      samples: [{ value: Math.round((Date.now() - startedAt) / 1000) }],
    },
    {
      name: "claude_remote_resident_memory_bytes",
      help: "Resident set size of the server process",
      type: "gauge",
      samples: [{ value: process.memoryUsage.rss() }],
    },
  ];
  const fdLimit = openFilesLimit();
  const fds = openFiles();
  if (fdLimit !== null)
    families.push({
      name: "claude_remote_open_files_limit",
      help: "Soft limit on open file descriptors (each connection takes one)",
      type: "gauge",
      samples: [{ value: fdLimit }],
    });
  if (fds !== null)
    families.push({
      name: "claude_remote_open_files",
      help: "Open file descriptors of the server process",
      type: "gauge",
      samples: [{ value: fds }],
    });
  families.push({
    name: "claude_remote_stream_slots",
    help: "Open event streams and WebSockets counted against the per-IP cap",
    type: "gauge",
    samples: [{ value: app.streams.total }],
  });
  families.push({
    name: "claude_remote_prompts",
    help: "Permission prompts by status",
    type: "gauge",
    samples: byStatus(() => store.prompts.countByStatus()),
  });
  families.push(...usageFamilies(app.store));
  for (const c of app.metrics.counters()) families.push({ name: c.name, help: c.help, type: "counter", samples: c.samples() });
  return families;
}

export function renderPrometheus(families: Family[]): string {
  let out = "";
  for (const f of families) {
    out += `# HELP ${f.name} ${f.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) out += `${f.name}${labelText(s.labels)} ${Number.isFinite(s.value) ? s.value : 0}\n`;
  }
  return out;
}

function labelText(labels?: Labels): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`).join(",")}}`;
}

/** A count by status as samples; a store that cannot answer (e.g. the disk failed) gives none rather than failing the scrape. */
function byStatus(count: () => { status: string; n: number }[]): { labels: Labels; value: number }[] {
  try {
    return count().map((r) => ({ labels: { status: r.status }, value: r.n }));
  } catch {
    return [];
  }
}

function dbSize(app: App): number {
  return filesSize(app.store.db.filename);
}

function filesSize(file: string): number {
  let total = 0;
  for (const path of [file, `${file}-wal`]) {
    try {
      total += statSync(path).size;
    } catch {}
  }
  return total;
}
