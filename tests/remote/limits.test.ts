/**
 * What limits remote start (docs/SECURITY.md, "Starting sessions from the dashboard"): a folder
 * outside the allow-list (also by `..` or a symlink), an unknown preset, a permission mode the
 * machine does not allow, an offline daemon and a revoked device are each refused with a clear
 * error, audited, and nothing is started.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { runningHosts } from "../../src/cli/daemon/hosts.ts";
import { BUN, CLI } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { type RemoteEnv, startRemoteEnv } from "./support.ts";

let env: RemoteEnv;
beforeAll(async () => {
  env = await startRemoteEnv({});
  symlinkSync(env.outside, join(env.project, "escape"));
  await env.startDaemon();
});
afterAll(async () => {
  await env?.stop();
});

async function nothingStarted(before: number): Promise<void> {
  await Bun.sleep(300); // a wrongly started host would have opened its session by now
  expect(((await env.get("/api/sessions")) as unknown[]).length).toBe(before);
  expect(await runningHosts(join(env.configDir, "run"))).toEqual([]);
  expect(env.fake.requests).toHaveLength(0);
}

async function refused(body: Record<string, unknown>, status: number, code: string): Promise<string> {
  const before = ((await env.get("/api/sessions")) as unknown[]).length;
  const res = await env.start(body);
  const out = (await res.json()) as { error: string; detail: string };
  expect({ status: res.status, error: out.error }).toEqual({ status, error: code });
  await nothingStarted(before);
  const audit = (await env.get("/api/audit")) as { action: string; detail: any }[];
  const entry = audit.find((a) => a.action === "session.start.refused");
  expect(entry?.detail).toMatchObject({ code, reason: out.detail });
  return out.detail;
}

test("a folder outside the allow-list is refused, naming the list", async () => {
  const why = await refused({ folder: env.outside, message: "hi" }, 403, "folder_not_allowed");
  expect(why).toContain(env.outside);
  expect(why).toContain(`allowed folders are: ${env.project}`);
});

test("escaping the allowed folder by .. or by a symlink inside it is refused", async () => {
  await refused({ folder: join(env.project, "..", env.outside.split("/").pop()!) }, 403, "folder_not_allowed");
  await refused({ folder: join(env.project, "escape") }, 403, "folder_not_allowed");
  await refused({ folder: "relative/path" }, 403, "folder_not_allowed");
  await refused({ folder: join(env.project, "missing") }, 403, "folder_not_allowed");
});

test("an unknown preset is refused, naming the presets; the server cannot send a command line", async () => {
  const why = await refused({ folder: env.project, preset: "bash" }, 403, "preset_not_allowed");
  expect(why).toContain("presets are: claude");
  const res = await env.start({ folder: env.project, command: ["sh", "-c", "touch pwned"] });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { detail: string }).detail).toContain("command");
});

test("a permission mode the machine does not allow is refused", async () => {
  const why = await refused({ folder: env.project, permissionMode: "bypassPermissions" }, 403, "mode_not_allowed");
  expect(why).toContain("allowed: manual, acceptEdits, auto, plan");
});

test("one daemon per config dir; a daemon with nothing allowed does not run", () => {
  const second = Bun.spawnSync([BUN, CLI, "daemon", "--allow-folder", env.project], { env: env.env });
  expect(second.exitCode).toBe(1);
  expect(second.stderr.toString()).toContain("another daemon runs");
  const none = Bun.spawnSync([BUN, CLI, "daemon"], { env: env.env });
  expect(none.exitCode).toBe(2);
  expect(none.stderr.toString()).toContain("nothing is allowed yet");
  const root = Bun.spawnSync([BUN, CLI, "daemon", "--allow-folder", "/"], { env: env.env });
  expect(root.stderr.toString()).toContain("allowing / would allow every folder");
});

test("an offline daemon: refused, nothing started", async () => {
  await env.killDaemon(9);
  await waitFor(async () => ((await env.get("/api/daemons")) as unknown[]).length === 0, { what: "the daemon offline" });
  const why = await refused({ folder: env.project }, 409, "daemon_offline");
  expect(why).toContain("claude-remote daemon");
});

test("a revoked device: its daemon is cut off and stops; starts are refused", async () => {
  const d = await env.startDaemon();
  expect((await env.server.api(`/api/devices/${env.deviceId}`, { method: "DELETE" })).status).toBe(200);
  expect(await d.exited).toBe(1);
  expect(env.daemonLog()).toContain("revoked");
  await refused({ folder: env.project }, 403, "device_revoked");
});

test("/metrics counts the refused starts", async () => {
  const text = await (await env.server.api("/metrics")).text();
  const refused = Number(/^claude_remote_remote_starts_total\{result="refused"\} (\d+)$/m.exec(text)?.[1]);
  expect(refused).toBeGreaterThanOrEqual(9);
  expect(text).not.toMatch(/result="started"/);
});
