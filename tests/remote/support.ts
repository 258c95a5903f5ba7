/**
 * A real server, a paired config dir, the fake Messages API, an allowed project folder and a real
 * `claude-remote daemon` process whose presets run the pinned Claude Code.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import type { Prompt } from "../../src/protocol/prompts.ts";
import { claudeBin, makeClaudeEnv } from "../support/claude-env.ts";
import { type FakeAnthropic, type Scenario, startFakeAnthropic } from "../support/fake-anthropic.ts";
import { BUN, CLI, type TestServer, startTestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { runningHosts } from "../../src/cli/daemon/hosts.ts";
import { descendants, signalAll } from "../../src/cli/daemon/process-tree.ts";

/** Background sessions a test left running: SIGKILLed with everything they started. */
export async function killHosts(configDir: string): Promise<void> {
  for (const h of await runningHosts(join(configDir, "run"))) signalAll([h.pid, ...descendants(h.pid)], "SIGKILL");
}

export type RemoteEnv = {
  server: TestServer;
  fake: FakeAnthropic;
  configDir: string;
  deviceId: string;
  /** The allowed folder (a git repo, trusted by Claude Code). */
  project: string;
  /** A folder outside the allow-list. */
  outside: string;
  env: Record<string, string>;
  daemon: Subprocess<"ignore", "pipe", "pipe"> | null;
  daemonLog(): string;
  startDaemon(extra?: string[]): Promise<Subprocess<"ignore", "pipe", "pipe">>;
  killDaemon(signal?: number): Promise<void>;
  start(body: Record<string, unknown>): Promise<Response>;
  post(path: string, body?: unknown): Promise<Response>;
  get(path: string): Promise<any>;
  waitPrompt(sessionId: string, pred?: (p: Prompt) => boolean): Promise<Prompt>;
  screenText(sessionId: string): Promise<string>;
  stop(): Promise<void>;
};

export async function startRemoteEnv(scenarios: Record<string, Scenario>): Promise<RemoteEnv> {
  const server = await startTestServer();
  const fake = await startFakeAnthropic({ scenarios });
  const { configDir, deviceId } = await server.pairDevice("laptop");
  const project = realpathSync(mkdtempSync(join(tmpdir(), "cr-remote-proj-")));
  Bun.spawnSync(["git", "init", "-q"], { cwd: project });
  const outside = realpathSync(mkdtempSync(join(tmpdir(), "cr-remote-out-")));
  mkdirSync(join(project, "sub"));
  const claudeEnv = makeClaudeEnv({ cwd: project, baseUrl: fake.url, apiKey: fake.apiKey });
  const env = { ...claudeEnv.env, CLAUDE_REMOTE_CONFIG_DIR: configDir, CLAUDE_REMOTE_BIN_CLAUDE: claudeBin(), TMPDIR: tmpdir() };
  let log = "";
  const spawned: Subprocess[] = [];
  const e: RemoteEnv = {
    server,
    fake,
    configDir,
    deviceId,
    project,
    outside,
    env,
    daemon: null,
    daemonLog: () => log,
    async startDaemon(extra = []) {
      const p = Bun.spawn([BUN, CLI, "daemon", "--allow-folder", project, ...extra], {
        env,
        stdin: "ignore",
        stdout: "pipe",
        stderr: "pipe",
      });
      e.daemon = p;
      spawned.push(p);
      void (async () => {
        for await (const chunk of p.stderr as unknown as AsyncIterable<Uint8Array>) log += new TextDecoder().decode(chunk);
      })();
      await waitFor(async () => ((await e.get("/api/daemons")) as { deviceId: string }[]).some((d) => d.deviceId === deviceId), {
        timeoutMs: 20_000,
        what: () => `the daemon online:\n${log}`,
      });
      return p;
    },
    async killDaemon(signal = 9) {
      if (!e.daemon) return;
      e.daemon.kill(signal);
      await e.daemon.exited;
      e.daemon = null;
    },
    start: (body) => server.api("/api/sessions", { method: "POST", body: JSON.stringify({ deviceId, ...body }) }),
    post: (path, body) => server.api(path, { method: "POST", body: JSON.stringify(body ?? {}) }),
    get: async (path) => (await server.api(path)).json(),
    waitPrompt: (sessionId, pred = () => true) =>
      waitFor(async () => ((await e.get(`/api/prompts?session=${sessionId}`)) as Prompt[]).find((p) => p.status === "pending" && pred(p)), {
        timeoutMs: 30_000,
        intervalMs: 100,
        what: "a pending prompt",
      }),
    screenText: async (sessionId) => ((await e.get(`/api/sessions/${sessionId}/screen`)) as { lines: string[] }).lines.join("\n"),
    async stop() {
      await e.killDaemon(15);
      for (const p of spawned) p.kill(9); // any the test lost track of
      await killHosts(configDir);
      await fake.stop();
      await server.stop();
      for (const d of [server.dataDir, configDir, project, outside, claudeEnv.home]) rmSync(d, { recursive: true, force: true });
    },
  };
  return e;
}
