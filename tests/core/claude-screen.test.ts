/** The real Claude Code (pinned) through claude-remote, offline against the fake Messages API. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { claudeBin, makeClaudeEnv } from "../support/claude-env.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic.ts";
import { spawnInPty } from "../support/pty.ts";
import { BUN, CLI, type TestServer, sessions, startTestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

let server: TestServer;
let fake: FakeAnthropic;
let configDir: string;
const cleanup: (() => void)[] = [];

beforeAll(async () => {
  server = await startTestServer();
  ({ configDir } = await server.pairDevice());
  fake = await startFakeAnthropic({});
});
afterAll(async () => {
  cleanup.forEach((f) => f());
  await fake.stop();
  await server.stop();
});

async function screenText(id: string): Promise<string> {
  const s = (await (await server.api(`/api/sessions/${id}/screen`)).json()) as { lines: string[] };
  return s.lines.join("\n");
}

test("claude's screen reaches the server, and a message typed through /input gets the model's answer", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "cr-claude-proj-"));
  Bun.spawnSync(["git", "init", "-q"], { cwd });
  writeFileSync(join(cwd, "hello.txt"), "hello world\n");
  const { env, home } = makeClaudeEnv({ cwd, baseUrl: fake.url, apiKey: fake.apiKey });
  cleanup.push(
    () => rmSync(cwd, { recursive: true, force: true }),
    () => rmSync(home, { recursive: true, force: true }),
  );

  const t = spawnInPty([BUN, CLI], {
    cwd,
    inheritEnv: false,
    env: { ...env, CLAUDE_REMOTE_CONFIG_DIR: configDir, CLAUDE_REMOTE_BIN_CLAUDE: claudeBin() },
  });
  cleanup.push(() => t.proc.kill(9));
  const session = await waitFor(async () => (await sessions(server)).find((s) => s.name === basename(cwd)), {
    what: "claude session (named after its folder)",
    timeoutMs: 20_000,
  });
  await waitFor(async () => /^❯/m.test(await screenText(session.id)), {
    what: "the ❯ input line on the server's screen",
    timeoutMs: 30_000,
  });

  const sent = await server.api(`/api/sessions/${session.id}/input`, {
    method: "POST",
    body: JSON.stringify({ text: "hello from the phone" }),
  });
  expect(sent.status).toBe(200);
  await waitFor(async () => (await screenText(session.id)).includes("hello from the phone"), { what: "typed text on screen" });
  await Bun.sleep(300); // Claude Code's input box takes Enter as submit only after the paste settles
  await server.api(`/api/sessions/${session.id}/input`, { method: "POST", body: JSON.stringify({ keys: ["enter"] }) });
  await waitFor(() => fake.requests.some((r) => JSON.stringify(r.messages ?? []).includes("hello from the phone")), {
    what: "the message reaching the model",
    timeoutMs: 30_000,
  });
  await waitFor(async () => (await screenText(session.id)).includes("Done."), {
    what: "the model's answer on the server's screen",
    timeoutMs: 30_000,
  });
  // The local terminal shows the same conversation.
  await t.screen.flush();
  expect(t.screen.lines().join("\n")).toContain("Done.");

  await server.api(`/api/sessions/${session.id}/input`, { method: "POST", body: JSON.stringify({ text: "/exit" }) });
  await Bun.sleep(300);
  await server.api(`/api/sessions/${session.id}/input`, { method: "POST", body: JSON.stringify({ keys: ["enter"] }) });
  expect(await t.exited).toBe(0);
  await waitFor(async () => (await sessions(server)).find((s) => s.id === session.id)?.status === "exited", { what: "session exited" });
});
