// /metrics: valid Prometheus text, admin only, and the counters move when a session streams.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { connectDevice, readSse } from "../support/device-client.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { waitExited, wrapped } from "./helpers.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

type Sample = { name: string; labels: Record<string, string>; value: number };

/** A strict reader of the Prometheus text format 0.0.4: throws on any line it does not understand. */
function parsePrometheus(text: string): Sample[] {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  expect(text.endsWith("\n")).toBe(true);
  for (const line of text.slice(0, -1).split("\n")) {
    let m: RegExpExecArray | null;
    if ((m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line))) continue;
    if ((m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line))) {
      if (types.has(m[1])) throw new Error(`TYPE declared twice: ${m[1]}`);
      types.set(m[1], m[2]);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$/.exec(
      line,
    );
    if (!m) throw new Error(`not Prometheus text: ${JSON.stringify(line)}`);
    if (!types.has(m[1])) throw new Error(`sample before its TYPE: ${m[1]}`);
    if (types.get(m[1]) === "counter" && !m[1].endsWith("_total")) throw new Error(`counter without _total: ${m[1]}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

async function scrape(): Promise<(name: string, labels?: Record<string, string>) => number> {
  const res = await server.api("/metrics");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
  const samples = parsePrometheus(await res.text());
  return (name, labels = {}) => {
    const s = samples.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
    if (s.length === 0) return Number.NaN;
    return s.reduce((a, b) => a + b.value, 0);
  };
}

test("/metrics needs the admin token", async () => {
  expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
});

test("parses as Prometheus text and its counters move when a session streams and is watched", async () => {
  const before = await scrape();
  for (const name of [
    "claude_remote_live_sessions",
    "claude_remote_output_bytes_received_total",
    "claude_remote_sse_bytes_sent_total",
    "claude_remote_db_size_bytes",
    "claude_remote_frames_rejected_total",
    "claude_remote_store_failures_total",
  ]) {
    expect(Number.isNaN(before(name)) ? name : "present").toBe("present");
  }
  expect(before("claude_remote_db_size_bytes")).toBeGreaterThan(0);
  const exitedBefore = Number.isNaN(before("claude_remote_sessions", { status: "exited" }))
    ? 0
    : before("claude_remote_sessions", { status: "exited" });

  const dev = await server.pairDevice();
  const run = await wrapped(
    server,
    dev.configDir,
    "metered",
    `for i in $(seq 1 2000); do echo "metered line $i ......................"; done`,
  );
  const s = await waitExited(server, "metered");
  await run.exited;
  // A dashboard watches it: the SSE replay counts as bytes out.
  const res = await server.api(`/events?session=${s.id}`);
  const sse = readSse(res);
  await waitFor(() => sse.events.filter((e) => e.event === "output").length > 0, { what: "SSE output" });
  // A frame the server refuses.
  const c = await connectDevice(server.url, dev);
  await c.waitFrame("welcome");
  c.sendJson({ type: "no-such-frame" });
  await c.waitFrame("error");
  c.ws.close();
  server.app.metrics.pushFailures.inc({ channel: "ntfy" });

  const after = await scrape();
  expect(after("claude_remote_output_bytes_received_total") - before("claude_remote_output_bytes_received_total")).toBeGreaterThanOrEqual(
    s.bytes,
  );
  expect(after("claude_remote_output_bytes_stored_total") - before("claude_remote_output_bytes_stored_total")).toBeGreaterThanOrEqual(
    s.bytes,
  );
  expect(s.bytes).toBeGreaterThan(60_000);
  expect(after("claude_remote_sse_bytes_sent_total")).toBeGreaterThan(before("claude_remote_sse_bytes_sent_total"));
  expect(after("claude_remote_sessions", { status: "exited" })).toBe(exitedBefore + 1);
  expect(after("claude_remote_viewers", { stream: "session" })).toBeGreaterThanOrEqual(1);
  expect(after("claude_remote_frames_rejected_total")).toBe(before("claude_remote_frames_rejected_total") + 1);
  expect(after("claude_remote_push_failures_total", { channel: "ntfy" })).toBe(1);
  expect(after("claude_remote_db_size_bytes")).toBeGreaterThan(before("claude_remote_db_size_bytes"));
  // the search worker reports what it indexed, and its file is counted apart from the database
  await server.app.indexer.catchUp();
  const indexed = await scrape();
  expect(indexed("claude_remote_search_indexed_bytes_total")).toBeGreaterThanOrEqual(s.bytes);
  expect(indexed("claude_remote_search_index_size_bytes")).toBeGreaterThan(0);
  await sse.cancel();
});
