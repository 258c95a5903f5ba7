/** A real claude-remote server as its own process (so its RSS/CPU can be measured), plus a paired device. */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { r2 } from "./stats.ts";
import { BUN, CLI, REPO, freePort, spawnServerProcess, tempDir, waitForHealth } from "../../tests/support/server.ts";

export { BUN, CLI, REPO };

export const ADMIN_TOKEN = "bench-admin-token-0123456789abcdef";

export type BenchServer = {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  configDir: string;
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Stops the server and removes its data and config dirs, unless `keepData` (a restart on the same dir follows). */
  stop(opts?: { keepData?: boolean }): Promise<void>;
};

/** `repo`: run that checkout's server instead of this one's (an earlier version, as a baseline). */
export async function startBenchServer(
  opts: { port?: number; dataDir?: string; repo?: string; env?: Record<string, string> } = {},
): Promise<BenchServer> {
  const port = opts.port ?? freePort();
  const dataDir = opts.dataDir ?? tempDir("cr-bench-data-");
  const proc = spawnServerProcess(
    { PORT: String(port), CLAUDE_REMOTE_DATA_DIR: dataDir, CLAUDE_REMOTE_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: "error", ...opts.env },
    opts.repo,
  );
  const url = `http://127.0.0.1:${port}`;
  drain(proc.stdout, process.stdout);
  drain(proc.stderr, process.stderr);
  await waitForHealth(url, 20_000);
  const api = (path: string, init: RequestInit = {}) =>
    fetch(url + path, {
      ...init,
      headers: {
        Authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(init.body ? { "Content-Type": "application/json" } : {}),
        ...(init.headers as Record<string, string>),
      },
    });
  const { code } = (await (await api("/api/pairing-codes", { method: "POST" })).json()) as { code: string };
  const res = await fetch(url + "/api/pair", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ code, name: "bench" }),
  });
  if (!res.ok) throw new Error(`pairing failed: ${res.status} ${await res.text()}`);
  const { deviceId, secret } = (await res.json()) as { deviceId: string; secret: string };
  const configDir = tempDir("cr-bench-config-");
  await Bun.write(join(configDir, "config.json"), JSON.stringify({ server: url, deviceId, secret }));
  return {
    url,
    port,
    pid: proc.pid,
    dataDir,
    configDir,
    api,
    async stop(stopOpts = {}) {
      proc.kill("SIGTERM");
      await Promise.race([proc.exited, Bun.sleep(5000)]);
      if (proc.exitCode === null) proc.kill("SIGKILL");
      await proc.exited;
      rmSync(configDir, { recursive: true, force: true });
      if (!stopOpts.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type SessionRow = { id: string; status: string; name: string; exitCode: number | null };

export async function listSessions(server: BenchServer): Promise<SessionRow[]> {
  return (await (await server.api("/api/sessions")).json()) as SessionRow[];
}

/** Waits (bounded) for a session with this name to appear; returns its id. */
export async function sessionNamed(server: BenchServer, name: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = (await listSessions(server)).find((x) => x.name === name);
    if (s) return s.id;
    if (Date.now() > deadline) throw new Error(`no session named ${name} after ${timeoutMs} ms`);
    await Bun.sleep(20);
  }
}

/** Keeps the child's pipe from filling (a full pipe would block the server's logger). */
async function drain(stream: ReadableStream<Uint8Array> | number | undefined, to: NodeJS.WriteStream): Promise<void> {
  if (!stream || typeof stream === "number") return;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      to.write(value);
    }
  } catch {}
}

/** One sample of the server's /metrics (Prometheus text); `selector` is the name plus any `{labels}`. */
export async function metric(server: BenchServer, selector: string): Promise<number> {
  const text = await (await server.api("/metrics")).text();
  const line = text.split("\n").find((l) => l.startsWith(selector + " "));
  return line ? Number(line.slice(selector.length + 1)) : NaN;
}

/** Waits until the server's search indexer has been still for 2 s (or `timeoutMs`); returns the seconds waited. */
export async function settleIndexer(server: BenchServer, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  let last = -1;
  let stableSince = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const v = await metric(server, "claude_remote_search_indexed_bytes_total");
    if (v !== last) (last = v), (stableSince = Date.now());
    else if (Date.now() - stableSince > 2000) break;
    await Bun.sleep(250);
  }
  return r2((Date.now() - t0) / 1000);
}
