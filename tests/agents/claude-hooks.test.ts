// End-to-end: the real Claude Code (pinned 2.1.330) in a real PTY, against the fake Anthropic API,
// with our hook settings pointing at a hook server owned by this test. Plus unit tests of the
// settings helpers.
import { describe, test, expect, afterEach } from "bun:test";
import { Terminal } from "@xterm/headless";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeAnthropic, type Scenario } from "../support/fake-anthropic.ts";
import { makeClaudeEnv, claudeBin } from "../support/claude-env.ts";
import { waitFor } from "../support/wait.ts";
import { buildHookSettings, withHookSettings, warnFlags, SECRET_HEADER, OBSERVE_EVENTS } from "../../src/agents/claude/hook-settings.ts";

type HookCall = { path: string; headers: Headers; body: any; respond(v: unknown): void; aborted: boolean };

const COLS = 100;
const ROWS = 30;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Real claude in a PTY + headless screen, fake API, and a hook server standing in for the wrapper. */
async function startClaude(scenarios?: Record<string, Scenario>) {
  const fake = await startFakeAnthropic({ scenarios });
  cleanups.push(() => fake.stop());
  const cwd = mkdtempSync(join(tmpdir(), "cr-hooks-proj-"));
  cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
  writeFileSync(join(cwd, "hello.txt"), "hello world\n");
  Bun.spawnSync(["git", "init", "-q"], { cwd });

  const secret = crypto.randomUUID();
  const hooks: HookCall[] = [];
  const hookServer = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(req) {
      const body = await req.json().catch(() => null);
      let respond!: (v: unknown) => void;
      const answer = new Promise<unknown>((r) => (respond = r));
      const call: HookCall = { path: new URL(req.url).pathname, headers: req.headers, body, respond, aborted: false };
      req.signal.addEventListener("abort", () => (call.aborted = true));
      hooks.push(call);
      if (call.path.endsWith("/event")) return new Response(null, { status: 204 });
      return Response.json(await answer);
    },
  });
  cleanups.push(() => hookServer.stop(true));

  const { env, home } = makeClaudeEnv({ cwd, baseUrl: fake.url, apiKey: fake.apiKey });
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const settings = buildHookSettings({ url: `http://127.0.0.1:${hookServer.port}/hooks`, secret });
  const args = withHookSettings(["--permission-mode", "manual"], settings);

  const term = new Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
  const decoder = new TextDecoder();
  const proc = Bun.spawn([claudeBin(), ...args], {
    cwd,
    env,
    terminal: { cols: COLS, rows: ROWS, data: (_t, d) => term.write(decoder.decode(d, { stream: true })) },
  });
  cleanups.push(async () => {
    proc.kill();
    await proc.exited;
    term.dispose();
  });

  const screen = async () => {
    await new Promise<void>((r) => term.write("", r)); // let xterm parse what it was given
    const b = term.buffer.active;
    const rows: string[] = [];
    for (let i = 0; i < ROWS; i++) rows.push(b.getLine(b.viewportY + i)?.translateToString(true) ?? "");
    return rows.join("\n");
  };
  const events = (name: string) => hooks.filter((h) => h.body?.hook_event_name === name);
  const write = (s: string) => proc.terminal!.write(s);

  // Ready: the input box and the mode line are drawn.
  await waitFor(async () => (await screen()).includes("manual mode on"), {
    timeoutMs: 20_000,
    intervalMs: 100,
    what: "claude's input prompt",
  });

  /** Types a prompt and presses Enter until Claude Code reports it (UserPromptSubmit). */
  async function submit(text: string) {
    write(text);
    await waitFor(async () => (await screen()).includes(text), { timeoutMs: 10_000, what: `"${text}" echoed` });
    let lastEnter = 0;
    await waitFor(
      () => {
        if (events("UserPromptSubmit").some((h) => h.body.prompt === text)) return true;
        if (Date.now() - lastEnter > 2000) {
          write("\r");
          lastEnter = Date.now();
        }
        return false;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: `UserPromptSubmit for "${text}"` },
    );
  }

  return { fake, cwd, secret, hooks, events, screen, write, submit, proc };
}

const toolRequests = (fake: { requests: any[] }) => fake.requests.filter((r) => Array.isArray(r.tools) && r.tools.length > 0);

describe("Claude Code 2.1.330 hooks (real binary, PTY, fake API)", () => {
  test("PermissionRequest carries the Bash input; allow via the hook response runs the tool", async () => {
    const c = await startClaude();
    await c.submit("scenario bash-echo");
    const pr = await waitFor(() => c.events("PermissionRequest")[0], { timeoutMs: 15_000, what: "PermissionRequest hook" });

    expect(pr.path).toBe("/hooks/permission");
    expect(pr.headers.get(SECRET_HEADER)).toBe(c.secret);
    expect(pr.body.tool_name).toBe("Bash");
    expect(pr.body.tool_input).toEqual({ command: "echo hello > out.txt", description: "Write hello to out.txt" });
    expect(typeof pr.body.session_id).toBe("string");
    expect(pr.body.cwd).toBe(c.cwd);
    expect(pr.body.tool_use_id).toBeUndefined(); // match by session + tool_input
    expect(Array.isArray(pr.body.permission_suggestions)).toBe(true);
    // The observe-only PreToolUse came first, and has the tool_use_id.
    const pre = c.events("PreToolUse")[0]!;
    expect(pre.path).toBe("/hooks/event");
    expect(pre.body.tool_input).toEqual(pr.body.tool_input);
    expect(pre.body.tool_use_id).toMatch(/^toolu_/);

    // The dialog is on the local screen while the hook is pending.
    await waitFor(async () => (await c.screen()).includes("Do you want to proceed?"), {
      timeoutMs: 10_000,
      what: "the local permission dialog",
    });
    expect(existsSync(join(c.cwd, "out.txt"))).toBe(false);

    pr.respond({ hookSpecificOutput: { hookEventName: "PermissionRequest", decision: { behavior: "allow" } } });
    // The shell creates out.txt empty, then writes: wait for the content, not the file.
    const outTxt = join(c.cwd, "out.txt");
    await waitFor(async () => existsSync(outTxt) && (await Bun.file(outTxt).text()) === "hello\n", {
      timeoutMs: 15_000,
      what: "out.txt holding hello",
    });
    const post = await waitFor(() => c.events("PostToolUse")[0], { timeoutMs: 10_000, what: "PostToolUse" });
    expect(post.body.tool_use_id).toBe(pre.body.tool_use_id);
    await waitFor(() => c.events("Stop")[0], { timeoutMs: 15_000, what: "Stop hook" });
    await waitFor(async () => (await c.screen()).includes("Allowed by PermissionRequest hook"), {
      timeoutMs: 5_000,
      what: "'Allowed by PermissionRequest hook' on screen",
    });
  }, 30_000);

  test("deny with a message: the model gets it as the tool_result, the tool does not run", async () => {
    const c = await startClaude();
    await c.submit("scenario bash-echo");
    const pr = await waitFor(() => c.events("PermissionRequest")[0], { timeoutMs: 15_000, what: "PermissionRequest hook" });
    const message = "Rejected from the phone: not now";
    pr.respond({ hookSpecificOutput: { hookEventName: "PermissionRequest", decision: { behavior: "deny", message } } });

    const next = await waitFor(
      () =>
        toolRequests(c.fake).find((r) =>
          r.messages.some((m: any) => Array.isArray(m.content) && m.content.some((b: any) => b.type === "tool_result")),
        ),
      { timeoutMs: 15_000, what: "the API request carrying the tool_result" },
    );
    const result = next.messages
      .flatMap((m: any) => (Array.isArray(m.content) ? m.content : []))
      .find((b: any) => b.type === "tool_result");
    expect(result.is_error).toBe(true);
    expect(JSON.stringify(result.content)).toContain(message);
    await waitFor(() => c.events("Stop")[0], { timeoutMs: 15_000, what: "Stop hook" });
    expect(existsSync(join(c.cwd, "out.txt"))).toBe(false);
    expect(c.events("PostToolUse")).toHaveLength(0);
  }, 30_000);

  test("a local answer wins while the hook is pending; the hook request stays open", async () => {
    const c = await startClaude();
    await c.submit("scenario bash-echo");
    const pr = await waitFor(() => c.events("PermissionRequest")[0], { timeoutMs: 15_000, what: "PermissionRequest hook" });
    await waitFor(async () => (await c.screen()).includes("Do you want to proceed?"), { timeoutMs: 10_000, what: "dialog" });
    // The dialog ignores keys for a moment after it appears: press 1 until it goes away.
    await waitFor(
      async () => {
        if (!(await c.screen()).includes("Do you want to proceed?")) return true;
        c.write("1");
        return false;
      },
      { timeoutMs: 10_000, intervalMs: 250, what: "dialog answered locally" },
    );
    await waitFor(() => existsSync(join(c.cwd, "out.txt")), { timeoutMs: 15_000, what: "out.txt" });
    await waitFor(() => c.events("PostToolUse")[0], { timeoutMs: 10_000, what: "PostToolUse" });
    await waitFor(() => c.events("Stop")[0], { timeoutMs: 15_000, what: "Stop" });
    expect(pr.aborted).toBe(false); // Claude Code does not cancel it; the wrapper must notice by itself
  }, 30_000);
});

describe("hook settings helpers", () => {
  const settings = buildHookSettings({ url: "http://127.0.0.1:9/hooks/", secret: "s3cret", timeoutSec: 600 });

  test("buildHookSettings", () => {
    const pr = settings.hooks.PermissionRequest![0]!.hooks[0]!;
    expect(pr).toEqual({ type: "http", url: "http://127.0.0.1:9/hooks/permission", headers: { [SECRET_HEADER]: "s3cret" }, timeout: 600 });
    for (const ev of OBSERVE_EVENTS) {
      expect(settings.hooks[ev]![0]!.hooks[0]).toMatchObject({ type: "http", url: "http://127.0.0.1:9/hooks/event", timeout: 5 });
    }
    expect(settings.hooks.SessionStart).toBeUndefined();
    expect(buildHookSettings({ url: "http://x", secret: "s", sessionStartCommand: "true" }).hooks.SessionStart![0]!.hooks[0]).toMatchObject(
      {
        type: "command",
        command: "true",
      },
    );
  });

  test("withHookSettings merges inline and file settings, keeping user hooks", () => {
    const user = { model: "x", hooks: { PermissionRequest: [{ hooks: [{ type: "command", command: "u" }] }] } };
    for (const args of [
      ["--settings", JSON.stringify(user), "-c"],
      [`--settings=${JSON.stringify(user)}`, "-c"],
    ]) {
      const out = withHookSettings(args, settings);
      expect(out.filter((a) => a === "--settings" || a.startsWith("--settings="))).toHaveLength(1);
      expect(out.slice(2)).toEqual(["-c"]);
      const merged = JSON.parse(out[1]!);
      expect(merged.model).toBe("x");
      expect(merged.hooks.PermissionRequest).toHaveLength(2);
      expect(merged.hooks.PermissionRequest[0].hooks[0].command).toBe("u");
      expect(merged.hooks.Stop).toHaveLength(1);
    }
    const dir = mkdtempSync(join(tmpdir(), "cr-settings-"));
    try {
      const file = join(dir, "s.json");
      const text = JSON.stringify(user);
      writeFileSync(file, text);
      const out = withHookSettings(["--settings", "s.json", "--", "--settings", "literal"], settings, dir);
      expect(JSON.parse(out[1]!).hooks.PermissionRequest).toHaveLength(2);
      expect(out.slice(2)).toEqual(["--", "--settings", "literal"]);
      expect(require("node:fs").readFileSync(file, "utf8")).toBe(text); // never written
      // unreadable user settings: kept as given, after ours, for Claude Code to report
      const bad = withHookSettings(["--settings", "missing.json"], settings, dir);
      expect(bad.slice(2)).toEqual(["--settings", "missing.json"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("warnFlags", () => {
    expect(warnFlags(["-c"])).toBeUndefined();
    expect(warnFlags(["--bare"])).toContain("--bare");
    expect(warnFlags(["--safe-mode"])).toContain("--safe-mode");
    expect(warnFlags(["--settings", '{"disableAllHooks":true}'])).toContain("disableAllHooks");
    expect(warnFlags(["--", "--bare"])).toBeUndefined();
  });
});
