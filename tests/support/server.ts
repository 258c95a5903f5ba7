/** A real server on 127.0.0.1:0 with a real SQLite file in a temp dir, and a paired device. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningServer, startServer } from "../../src/server/app.ts";
import { loadConfig } from "../../src/server/config.ts";
import { Logger } from "../../src/server/log.ts";

export const REPO = join(import.meta.dir, "../..");
export const BUN = process.execPath;
export const CLI = join(REPO, "bin/claude-remote");

export type TestServer = RunningServer & {
  dataDir: string;
  token: string;
  /** fetch against the server with the admin token. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Pairs a device; returns a config dir for CLAUDE_REMOTE_CONFIG_DIR. */
  pairDevice(name?: string): Promise<{ configDir: string; deviceId: string; secret: string }>;
};

export function tempDir(prefix = "cr-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestServer(opts: { dataDir?: string; port?: number; env?: Record<string, string> } = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDir("cr-data-");
  const config = loadConfig({
    PORT: String(opts.port ?? 0),
    HOST: "127.0.0.1",
    CLAUDE_REMOTE_DATA_DIR: dataDir,
    CLAUDE_REMOTE_ADMIN_TOKEN: "test-admin-token-0123456789",
    LOG_LEVEL: "error",
    ...opts.env,
  });
  const running = await startServer(config, { logger: new Logger((process.env.TEST_LOG_LEVEL as "warn") ?? "error") });
  const token = running.adminToken;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(running.url + path, {
      ...init,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(init.body ? { "Content-Type": "application/json" } : {}),
        ...(init.headers as Record<string, string>),
      },
    });
  return {
    ...running,
    dataDir,
    token,
    api,
    async pairDevice(name = "test-device") {
      const { code } = (await (await api("/api/pairing-codes", { method: "POST" })).json()) as { code: string };
      const res = await fetch(running.url + "/api/pair", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ code, name }),
      });
      if (!res.ok) throw new Error(`pairing failed: ${res.status} ${await res.text()}`);
      const { deviceId, secret } = (await res.json()) as { deviceId: string; secret: string };
      const configDir = tempDir("cr-config-");
      await Bun.write(join(configDir, "config.json"), JSON.stringify({ server: running.url, deviceId, secret }));
      return { configDir, deviceId, secret };
    },
  };
}

/** Runs the server as its own process (for kill -9 tests): `bun src/server/main.ts`. */
/** `repo`: another checkout's server (benchmarks compare with an earlier version). */
export function spawnServerProcess(env: Record<string, string>, repo = REPO) {
  return Bun.spawn([BUN, join(repo, "src/server/main.ts")], {
    env: { ...process.env, HOST: "127.0.0.1", LOG_LEVEL: "warn", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
}

export async function waitForHealth(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url + "/health")).ok) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`server at ${url} not healthy after ${timeoutMs} ms`);
    await Bun.sleep(50);
  }
}

/** A free loopback port (bind 0, read, release). */
export function freePort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = s.port;
  s.stop(true);
  return port as number;
}

export async function sessions(server: TestServer): Promise<Array<{ id: string; status: string; exitCode: number | null; name: string }>> {
  return (await (await server.api("/api/sessions")).json()) as never;
}

export async function storedOutput(server: { api(p: string): Promise<Response> }, sessionId: string): Promise<Buffer> {
  return Buffer.from(await (await server.api(`/api/sessions/${sessionId}/output`)).arrayBuffer());
}
