/**
 * Remote start with a real daemon and the real Claude Code: a session started through the API runs
 * in the allowed folder, its first message reaches the model, its screen appears, and a Bash prompt
 * raised in it is approved from the API.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../support/wait.ts";
import { type RemoteEnv, startRemoteEnv } from "./support.ts";

let env: RemoteEnv;
beforeAll(async () => {
  env = await startRemoteEnv({
    "remote-bash": [{ name: "Bash", input: { command: "echo remote > remote.txt", description: "Write remote.txt" } }],
  });
  await env.startDaemon();
});
afterAll(async () => {
  await env?.stop();
});

test("a session started through the API runs claude in the allowed folder; its Bash prompt is approved from the API", async () => {
  const res = await env.start({ folder: env.project, preset: "claude", message: "scenario remote-bash please", permissionMode: "manual" });
  const body = (await res.json()) as any;
  expect(res.status).toBe(201);
  const id = body.sessionId as string;
  expect(body.session).toMatchObject({ id, cwd: env.project, deviceId: env.deviceId });
  await waitFor(() => env.fake.requests.some((r) => JSON.stringify(r.messages ?? []).includes("scenario remote-bash please")), {
    timeoutMs: 30_000,
    what: () => `the first message at the model\n${env.daemonLog()}`,
  });
  const prompt = await env.waitPrompt(id, (p) => p.tool === "Bash");
  expect(prompt.input).toMatchObject({ command: "echo remote > remote.txt" });
  await waitFor(async () => (await env.screenText(id)).includes("remote.txt"), {
    timeoutMs: 15_000,
    what: "the dialog on the session's screen",
  });
  expect((await env.post(`/api/prompts/${prompt.id}/approve`)).status).toBe(200);
  // The shell creates the file before it writes to it: wait for the content, not the name.
  const file = join(env.project, "remote.txt");
  await waitFor(() => existsSync(file) && readFileSync(file, "utf8") === "remote\n", {
    timeoutMs: 20_000,
    what: "remote.txt written by the approved Bash call",
  });
  const audit = (await env.get("/api/audit")) as { action: string; target: string }[];
  expect(audit.some((a) => a.action === "session.start" && a.target === id)).toBe(true);
});

test("/metrics counts daemons online and sessions started remotely", async () => {
  const text = await (await env.server.api("/metrics")).text();
  expect(text).toMatch(/^claude_remote_daemons_online 1$/m);
  expect(text).toMatch(/^claude_remote_remote_starts_total\{result="started"\} 1$/m);
  await env.killDaemon(15);
  await waitFor(async () => /^claude_remote_daemons_online 0$/m.test(await (await env.server.api("/metrics")).text()), {
    what: "daemons_online 0 once the daemon left",
  });
});
