/**
 * Prompt flows with the real Claude Code through `claude-remote`: two tool calls in one turn,
 * "always allow", Esc at the terminal, the SSE events, and a prompt raised while the server is down.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Prompt } from "../../src/protocol/prompts.ts";
import { readSse } from "../support/device-client.ts";
import type { Scenario } from "../support/fake-anthropic.ts";
import { freePort, startTestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { type Env, post, startClaude, startEnv } from "./support.ts";

const bash = (command: string) => ({ name: "Bash", input: { command, description: command } });
const SCENARIOS: Record<string, Scenario> = {
  "pair-of-two": [bash("echo one > one.txt"), bash("echo two > two.txt")],
  // No redirect: in manual mode Claude Code 2.1.330 asks again for an output redirect even after its own "always allow access".
  "always-first": [bash("git commit --allow-empty -q -m again")],
  "always-second": [bash("git commit --allow-empty -q -m again")],
  "esc-me": [bash("echo esc > esc.txt")],
  "while-down": [bash("echo down > down.txt")],
  "bare-hooks-off": [bash("echo bare > bare.txt")],
  // Claude Code 2.1.330 runs Agent calls as background subagents: both ask at the same time.
  "two-agents": [
    { name: "Agent", input: { description: "first", prompt: "scenario sub-first", subagent_type: "general-purpose" } },
    { name: "Agent", input: { description: "second", prompt: "scenario sub-second", subagent_type: "general-purpose" } },
  ],
  "sub-first": [bash("echo first > sub1.txt")],
  "sub-second": [bash("echo second > sub2.txt")],
};

let env: Env;
beforeAll(async () => {
  env = await startEnv(SCENARIOS);
});
afterAll(async () => {
  await env?.stop();
});

test("two tool calls in one turn: two prompts, answered independently", async () => {
  const c = await startClaude(env);
  try {
    const since = await c.submit("scenario pair-of-two");
    const first = await c.prompt(since, (p) => p.tool === "Bash");
    expect(first.input).toMatchObject({ command: "echo one > one.txt" });
    expect((await post(env, `/api/prompts/${first.id}/approve`)).status).toBe(200);
    await waitFor(() => existsSync(join(c.cwd, "one.txt")), { timeoutMs: 15_000, what: "one.txt" });

    const second = await c.prompt(since, (p) => p.id !== first.id);
    expect(second.input).toMatchObject({ command: "echo two > two.txt" });
    expect(second.status).toBe("pending");
    const from = env.fake.requests.length;
    expect((await post(env, `/api/prompts/${second.id}/reject`, { message: "only the first one" })).status).toBe(200);
    await c.turnDone(since);
    expect(existsSync(join(c.cwd, "two.txt"))).toBe(false);
    const results = env.fake.requests
      .slice(from)
      .flatMap((r) => r.messages.at(-1).content)
      .filter((b: any) => b.type === "tool_result");
    expect(results).toHaveLength(2); // both results go back in one request
    expect(results[1]).toMatchObject({ is_error: true, content: "only the first one" });
    expect((await c.promptById(first.id)).status).toBe("approved");
    expect((await c.promptById(second.id)).status).toBe("denied");
  } finally {
    await c.stop();
  }
}, 45_000);

test("two subagents asking at once: two pending prompts in one session, answered independently", async () => {
  const c = await startClaude(env);
  try {
    const since = await c.submit("scenario two-agents");
    const both = await waitFor(
      async () => {
        const list = ((await (await env.server.api(`/api/prompts?session=${c.sessionId}&status=pending`)).json()) as Prompt[]).filter(
          (p) => p.createdAt >= since,
        );
        return list.length === 2 ? list : null;
      },
      { timeoutMs: 20_000, what: "two pending prompts" },
    );
    const first = both.find((p) => (p.input as { command: string }).command === "echo first > sub1.txt")!;
    const second = both.find((p) => (p.input as { command: string }).command === "echo second > sub2.txt")!;
    expect(first && second).toBeTruthy();
    expect((await (await env.server.api(`/api/sessions/${c.sessionId}`)).json()).pendingPrompts).toBe(2);
    expect((await post(env, `/api/prompts/${second.id}/reject`, { message: "not this one" })).status).toBe(200);
    expect((await c.promptById(first.id)).status).toBe("pending");
    expect((await post(env, `/api/prompts/${first.id}/approve`)).status).toBe(200);
    await waitFor(() => existsSync(join(c.cwd, "sub1.txt")), { timeoutMs: 15_000, what: "sub1.txt" });
    expect(existsSync(join(c.cwd, "sub2.txt"))).toBe(false);
    expect((await c.promptById(second.id)).status).toBe("denied");
  } finally {
    await c.stop();
  }
}, 45_000);

test("approve with the screen's \"don't ask again\" option: the same command runs again without a prompt", async () => {
  const who = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
  const c = await startClaude(env, { extraEnv: who });
  const commits = () => Bun.spawnSync(["git", "rev-list", "--count", "HEAD"], { cwd: c.cwd }).stdout.toString().trim();
  try {
    let since = await c.submit("scenario always-first");
    let p = await c.prompt(since);
    p = await waitFor(async () => ((await c.promptById(p.id)).title ? c.promptById(p.id) : null), {
      what: "the screen's options on the prompt",
    });
    const always = p.options[1]!;
    expect(always.label).toMatch(/^Yes, and don.t ask again/);
    const res = await post(env, `/api/prompts/${p.id}/approve`, { option: always.key });
    expect(res.status).toBe(200);
    const approved = (await res.json()) as Prompt;
    expect(approved.resolution?.option).toBe(always.key);
    // as at the terminal: Claude Code's suggested rule, kept where it suggested it (.claude/settings.local.json)
    expect(approved.resolution?.updatedPermissions?.[0]).toMatchObject({
      type: "addRules",
      behavior: "allow",
      destination: "localSettings",
    });
    await c.turnDone(since);
    expect(commits()).toBe("1");

    since = await c.submit("scenario always-second");
    await c.turnDone(since);
    expect(commits()).toBe("2");
    const later = ((await (await env.server.api(`/api/prompts?session=${c.sessionId}`)).json()) as Prompt[]).filter(
      (x) => x.createdAt >= since,
    );
    expect(later).toEqual([]);
    // A late answer gets 409, whatever it asks for.
    expect((await post(env, `/api/prompts/${p.id}/approve`, { option: "9" })).status).toBe(409);
  } finally {
    await c.stop();
  }
}, 45_000);

test("Esc at the terminal: answered-locally (deny), pushed as SSE prompt events; notices reach the session", async () => {
  const sse = await env.server.api("/events");
  const events = readSse(sse);
  const c = await startClaude(env);
  try {
    const since = await c.submit("scenario esc-me");
    const p = await c.prompt(since);
    await c.answerAtTerminal("\x1b");
    const local = await c.waitStatus(p.id, "answered-locally");
    expect(local.resolution).toMatchObject({ via: "terminal" });
    expect(existsSync(join(c.cwd, "esc.txt"))).toBe(false);
    expect((await post(env, `/api/prompts/${p.id}/reject`)).status).toBe(409);

    const mine = () => events.events.filter((e) => e.event === "prompt" && e.data.prompt.id === p.id);
    await waitFor(() => mine().some((e) => e.data.change === "resolved"), { what: "the resolved prompt event" });
    expect(mine()[0]!.data).toMatchObject({
      change: "created",
      prompt: { id: p.id, status: "pending", tool: "Bash", input: { command: "echo esc > esc.txt" } },
    });
    expect(mine().some((e) => e.data.change === "updated" && e.data.prompt.title === "Bash command")).toBe(true);
    expect(mine().at(-1)!.data.prompt.status).toBe("answered-locally");
    const notices = events.events.filter((e) => e.event === "notice" && e.data.sessionId === c.sessionId);
    expect(notices.some((e) => e.data.kind === "working" && e.data.message === "scenario esc-me")).toBe(true);
    const sessionEvents = events.events.filter((e) => e.event === "session" && e.data.session.id === c.sessionId);
    expect(sessionEvents.some((e) => e.data.session.status === "waiting" && e.data.session.pendingPrompts === 1)).toBe(true);
  } finally {
    events.cancel();
    await c.stop();
  }
}, 45_000);

test("a prompt raised while the server is down reaches it when it is back, and its answer still works", async () => {
  const port = freePort();
  const first = await startTestServer({ port });
  const { configDir } = await first.pairDevice();
  const local: Env = { ...env, server: first, configDir };
  const c = await startClaude(local);
  let second: Awaited<ReturnType<typeof startTestServer>> | null = null;
  try {
    await first.stop(); // the fake API stays up: Claude Code keeps working
    const before = Date.now();
    c.pty.write("scenario while-down");
    await waitFor(() => c.pty.screen.lines().some((l) => l.includes("scenario while-down")), { what: "typed" });
    await waitFor(
      () => {
        if (env.fake.requests.some((r) => JSON.stringify(r.messages ?? []).includes("scenario while-down"))) return true;
        c.pty.write("\r");
        return false;
      },
      { timeoutMs: 15_000, intervalMs: 2000, what: "the request" },
    );
    await c.dialogOnTerminal();

    second = await startTestServer({ port, dataDir: first.dataDir });
    const s2 = second;
    const p = await waitFor(async () => ((await (await s2.api(`/api/prompts?status=pending`)).json()) as Prompt[])[0], {
      timeoutMs: 20_000,
      what: "the queued prompt on the restarted server",
    });
    expect(p.input).toMatchObject({ command: "echo down > down.txt" });
    expect(p.createdAt).toBeGreaterThanOrEqual(before - 1000);
    expect((await s2.api(`/api/prompts/${p.id}/approve`, { method: "POST", body: "{}" })).status).toBe(200);
    await waitFor(() => existsSync(join(c.cwd, "down.txt")), { timeoutMs: 15_000, what: "down.txt" });
  } finally {
    await c.stop();
    await second?.stop();
  }
}, 60_000);

test("claude --bare (hooks off): one warning, and the prompt is read off the screen and answered by keystroke", async () => {
  const c = await startClaude(env, { args: ["--bare"] });
  try {
    expect(c.pty.text()).toContain("--bare turns Claude Code's hooks off");
    const since = await c.submit("scenario bare-hooks-off");
    const p = await c.prompt(since);
    expect(p).toMatchObject({
      source: "screen",
      agent: "claude",
      title: "Bash command",
      question: "Do you want to proceed?",
      body: ["echo bare > bare.txt"],
    });
    expect((await post(env, `/api/prompts/${p.id}/approve`)).status).toBe(200);
    await waitFor(() => existsSync(join(c.cwd, "bare.txt")), { timeoutMs: 15_000, what: "bare.txt after the keystroke" });
    expect((await c.promptById(p.id)).status).toBe("approved");
  } finally {
    await c.stop();
  }
}, 45_000);
