/**
 * Stop from the API (interrupt, then terminate): the process tree is gone and the session ends
 * with its exit code. A daemon SIGKILLed while its session runs: the session keeps streaming, and
 * a new daemon sees it (and can stop it).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runningHosts } from "../../src/cli/daemon/hosts.ts";
import { alive, descendants } from "../../src/cli/daemon/process-tree.ts";
import { waitFor } from "../support/wait.ts";
import { type RemoteEnv, startRemoteEnv } from "./support.ts";

const SLEEPER = "timeout 987 tail -f /dev/null";
let env: RemoteEnv;
beforeAll(async () => {
  env = await startRemoteEnv({ "long-sleep": [{ name: "Bash", input: { command: SLEEPER, description: "Wait a while" } }] });
  await env.startDaemon();
});
afterAll(async () => {
  await env?.stop();
});

async function started(message: string): Promise<string> {
  const res = await env.start({ folder: env.project, message, permissionMode: "manual" });
  expect(res.status).toBe(201);
  return ((await res.json()) as { sessionId: string }).sessionId;
}

function sleeperPids(): number[] {
  const r = Bun.spawnSync(["pgrep", "-f", SLEEPER]);
  return r.stdout.toString().split("\n").filter(Boolean).map(Number);
}

test("Stop: the agent and the tools it started are gone; the session ends with the exit code", async () => {
  const id = await started("scenario long-sleep");
  const prompt = await env.waitPrompt(id, (p) => p.tool === "Bash");
  expect((await env.post(`/api/prompts/${prompt.id}/approve`)).status).toBe(200);
  await waitFor(() => sleeperPids().length > 0, { timeoutMs: 20_000, what: "the Bash tool's sleep running" });
  const [host] = await runningHosts(join(env.configDir, "run"));
  const tree = [host.childPid!, ...descendants(host.childPid!)];
  expect(tree).toContain(sleeperPids()[0]);

  const res = await env.post(`/api/sessions/${id}/stop`, { graceMs: 1000 });
  expect(res.status).toBe(202);
  const s = await waitFor(
    async () => {
      const s = await env.get(`/api/sessions/${id}`);
      return s.status === "exited" ? s : null;
    },
    { timeoutMs: 30_000, what: "the session exited" },
  );
  expect(typeof s.exitCode).toBe("number");
  await waitFor(() => tree.every((p) => !alive(p)), {
    timeoutMs: 10_000,
    what: () => `the tree gone: ${tree.filter(alive).join(", ")} alive`,
  });
  expect(sleeperPids()).toEqual([]);
  expect(await runningHosts(join(env.configDir, "run"))).toEqual([]);
  const audit = (await env.get("/api/audit")) as { action: string; target: string }[];
  expect(audit.some((a) => a.action === "session.stop" && a.target === id)).toBe(true);
  // a second stop: the session has ended
  expect((await env.post(`/api/sessions/${id}/stop`)).status).toBe(409);
});

test("the daemon SIGKILLed: its session keeps streaming; a new daemon sees it and stops it", async () => {
  const id = await started("say hello");
  await waitFor(async () => (await env.screenText(id)).includes("say hello"), { timeoutMs: 30_000, what: "the session's screen" });
  await env.killDaemon(9);
  await waitFor(async () => ((await env.get("/api/daemons")) as unknown[]).length === 0, { what: "the daemon offline" });
  expect((await env.get(`/api/sessions/${id}`)).status).toBe("running");

  // still streaming: input from the API reaches the agent and its echo reaches the server
  expect((await env.post(`/api/sessions/${id}/input`, { text: "still here" })).status).toBe(200);
  await waitFor(async () => (await env.screenText(id)).includes("still here"), {
    timeoutMs: 15_000,
    what: "the typed text on the server's screen",
  });

  await env.startDaemon();
  const daemons = (await env.get("/api/daemons")) as { sessions: { sessionId: string }[] }[];
  expect(daemons[0].sessions.map((s) => s.sessionId)).toEqual([id]);
  expect((await env.post(`/api/sessions/${id}/stop`, { graceMs: 500 })).status).toBe(202);
  await waitFor(async () => (await env.get(`/api/sessions/${id}`)).status === "exited", { timeoutMs: 30_000, what: "the session exited" });
});

test("Stop of a session no daemon hosts is refused", async () => {
  await env.killDaemon(15);
  const { deviceId } = env;
  expect(deviceId).toBeTruthy();
  const sessions = (await env.get("/api/sessions")) as { id: string }[];
  const res = await env.post(`/api/sessions/${sessions[0].id}/stop`);
  expect(res.status).toBe(409);
});

test("a program that ignores interrupt and terminate: its whole tree is killed after the grace periods", async () => {
  const keep = "sleep 986";
  writeFileSync(
    join(env.configDir, "daemon.json"),
    JSON.stringify({
      presets: {
        stubborn: {
          command: ["sh", "-c", `trap '' INT TERM; (trap '' INT TERM HUP; exec ${keep}) & echo ready; while :; do sleep 1; done`],
        },
      },
    }),
  );
  await env.killDaemon(15);
  await waitFor(async () => ((await env.get("/api/daemons")) as unknown[]).length === 0, { what: "the old daemon offline" });
  await env.startDaemon(["--preset", "stubborn"]);
  const res = await env.start({ folder: env.project, preset: "stubborn" });
  expect(res.status).toBe(201);
  const id = ((await res.json()) as { sessionId: string }).sessionId;
  const kept = await waitFor(
    () =>
      Bun.spawnSync(["pgrep", "-f", `^${keep}`])
        .stdout.toString()
        .split("\n")
        .filter(Boolean)
        .map(Number)[0],
    { what: "the child that ignores signals" },
  );
  expect((await env.post(`/api/sessions/${id}/stop`, { graceMs: 200 })).status).toBe(202);
  const s = await waitFor(
    async () => {
      const s = await env.get(`/api/sessions/${id}`);
      return s.status === "exited" ? s : null;
    },
    { timeoutMs: 30_000, what: "the session exited" },
  );
  expect(s.exitCode).toBe(137); // SIGKILL: nothing else ended it
  await waitFor(() => !alive(kept), { timeoutMs: 10_000, what: "the orphaned child killed too" });
});
