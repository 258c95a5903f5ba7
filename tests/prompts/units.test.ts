/** The parts of the prompt path that need no Claude Code: answers, the wrapper's tracker and hook endpoint, the store, the device frames. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { SECRET_ENV, claudeAdapter } from "../../src/cli/claude-adapter.ts";
import { HookPrompts, clipInput } from "../../src/agents/claude/hook-prompts.ts";
import { startHookServer } from "../../src/agents/claude/hook-server.ts";
import { SECRET_HEADER } from "../../src/agents/claude/hook-settings.ts";
import type { ClientFrame } from "../../src/protocol/frames.ts";
import type { Prompt, PromptAnswer } from "../../src/protocol/prompts.ts";
import { OptionError, hookChoice, hookOptions, screenChoice } from "../../src/server/prompts/prompt-answers.ts";
import { connectDevice } from "../support/device-client.ts";
import { type TestServer, startTestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

const promptOf = (over: Partial<Prompt>): Prompt => ({
  id: "p-00000001",
  sessionId: "s-00000001",
  source: "hook",
  agent: "claude",
  tool: "Bash",
  input: { command: "git push origin main" },
  suggestions: [],
  title: null,
  question: null,
  body: [],
  options: [],
  status: "pending",
  createdAt: 0,
  updatedAt: 0,
  resolvedAt: null,
  resolvedBy: null,
  resolution: null,
  hookSessionId: null,
  toolUseId: null,
  kind: "permission",
  questions: [],
  plan: null,
  form: null,
  delivery: null,
  ...over,
});

describe("answers", () => {
  const screenOptions = [
    { key: "1", label: "Yes" },
    { key: "2", label: "Yes, and don’t ask again for: git push *" },
    { key: "3", label: "Yes, and switch to auto mode · auto mode handles these prompts for you" },
    { key: "4", label: "No" },
  ];
  const gitPush = promptOf({
    suggestions: [
      { type: "addRules", rules: [{ toolName: "Bash", ruleContent: "git push *" }], behavior: "allow", destination: "localSettings" },
    ],
    options: screenOptions,
  });

  test("hook prompts: the screen's options by kind, with the terminal's effects; aliases; unknown keys name the options", () => {
    expect(hookChoice(gitPush, undefined)).toEqual({ decision: "allow", option: "1" });
    expect(hookChoice(gitPush, "once")).toEqual({ decision: "allow", option: "once" });
    expect(hookChoice(gitPush, "4")).toEqual({ decision: "deny", option: "4" });
    expect(hookChoice(gitPush, "no")).toEqual({ decision: "deny", option: "no" });
    // the terminal writes the prefix rule to .claude/settings.local.json (localSettings), not the session
    const always = {
      decision: "allow",
      updatedPermissions: [
        { type: "addRules", rules: [{ toolName: "Bash", ruleContent: "git push *" }], behavior: "allow", destination: "localSettings" },
      ],
    };
    expect(hookChoice(gitPush, "2")).toEqual({ ...always, option: "2" } as never);
    expect(hookChoice(gitPush, "always")).toEqual({ ...always, option: "always" } as never);
    expect(hookChoice(gitPush, "3").updatedPermissions).toEqual([{ type: "setMode", mode: "auto", destination: "session" }]);
    expect(() => hookChoice(gitPush, "9")).toThrow(/no option "9"; options are 1 \(Yes\), 2 .*4 \(No\)/);
    // an option the screen does not show is gone, even though the hook's options had it
    const shown = promptOf({ ...gitPush, options: [screenOptions[0]!, screenOptions[1]!, { key: "3", label: "No" }] });
    expect(hookChoice(shown, "3")).toEqual({ decision: "deny", option: "3" });
    expect(() => hookChoice(shown, "4")).toThrow(OptionError);
  });

  test("before the screen is read: the terminal's options built from the hook (real 2.1.330 payloads and screens)", () => {
    const samples = "tests/support/hook-samples";
    const fixtures = process.env.FIXTURES_DIR ?? "../shared/fixtures";
    const labels = (tool: string, input: Record<string, unknown>, suggestions: Prompt["suggestions"]) =>
      hookOptions({ tool, input, suggestions }).map((o) => `${o.key}. ${o.label}`);
    const screen = (name: string) =>
      (
        JSON.parse(readFileSync(`${fixtures}/claude-code-2.1.330/${name}.json`, "utf8")).prompt.options as { key: string; label: string }[]
      ).map((o) => `${o.key}. ${o.label.replace(" · auto mode handles these prompts for you", "")}`);
    const bash = JSON.parse(readFileSync(`${samples}/PermissionRequest-Bash.json`, "utf8"));
    // the sample ran in /tmp/cr-proj-…, the recording in /tmp/fixrec/proj: the same dialog, another directory
    const dir = bash.permission_suggestions[0].directories[0];
    expect(labels("Bash", bash.tool_input, bash.permission_suggestions).map((l) => l.replace(dir, "/tmp/fixrec/proj"))).toEqual(
      screen("01-bash-echo"),
    );
    const write = JSON.parse(readFileSync(`${samples}/PermissionRequest-Write.json`, "utf8"));
    expect(labels("Write", write.tool_input, write.permission_suggestions)).toEqual(screen("04-write-new-file"));
    expect(labels("Bash", { command: "git push origin main" }, gitPush.suggestions)).toEqual(screen("03-bash-git-push"));
    expect(labels("WebFetch", { url: "https://example.com/page", prompt: "Summarize the page" }, [])).toEqual(screen("07-webfetch"));
    expect(labels("Read", { file_path: "/x" }, [])).toEqual(["1. Yes", "2. No"]);
    // each built option's effect is the terminal's: the suggestion as given (a directory for the session), auto mode, accept edits
    const echo = promptOf({ tool: "Bash", input: bash.tool_input, suggestions: bash.permission_suggestions });
    expect(hookChoice(echo, "2").updatedPermissions).toEqual(bash.permission_suggestions);
    expect(hookChoice(echo, "3").updatedPermissions).toEqual([{ type: "setMode", mode: "auto", destination: "session" }]);
    const file = promptOf({ tool: "Write", input: write.tool_input, suggestions: write.permission_suggestions });
    expect(hookChoice(file, "2").updatedPermissions).toEqual([{ type: "setMode", mode: "acceptEdits", destination: "session" }]);
    expect(hookChoice(file, "3")).toEqual({ decision: "deny", option: "3" });
    expect(() => hookChoice(promptOf({ tool: "Read", input: {} }), "always")).toThrow(OptionError);
  });

  test("screen prompts: a digit picks; No options and reject are Esc", () => {
    const dialog = {
      agent: "claude" as const,
      title: "Bash command",
      header: [],
      body: [],
      question: "Do you want to proceed?",
      options: screenOptions,
      rows: { first: 0, last: 9 },
    };
    expect(screenChoice(dialog, undefined)).toMatchObject({ decision: "allow", keys: "1" });
    expect(screenChoice(dialog, "2")).toMatchObject({ decision: "allow", keys: "2" });
    expect(screenChoice(dialog, "4")).toMatchObject({ decision: "deny", keys: "\x1b" });
    expect(screenChoice(dialog, "no")).toMatchObject({ decision: "deny", keys: "\x1b" });
    expect(() => screenChoice(dialog, "8")).toThrow(OptionError);
  });
});

describe("the wrapper's prompt tracker", () => {
  function tracker(link = true) {
    const sent: ClientFrame[] = [];
    let ready = () => {};
    let answer = (_f: PromptAnswer) => {};
    const t = new HookPrompts("sess-0001", 60_000);
    t.attach(link ? { sendControl: (f) => sent.push(f), onReadyAgain: (fn) => (ready = fn), onPromptAnswer: (fn) => (answer = fn) } : null);
    return {
      t,
      sent,
      ready: () => ready(),
      answer: (f: Omit<PromptAnswer, "type" | "sessionId">) => answer({ type: "prompt.answer", sessionId: "sess-0001", ...f }),
    };
  }
  const ev = (name: string, extra: Record<string, unknown> = {}) => ({
    hook_event_name: name,
    session_id: "cc-1",
    tool_name: "Bash",
    tool_input: { command: "ls", description: "d" },
    ...extra,
  });

  test("PreToolUse pairs the tool_use_id; the server's answer is the hook's response; re-announced on reconnect", async () => {
    const { t, sent, ready, answer } = tracker();
    t.event(ev("PreToolUse", { tool_use_id: "toolu_1", tool_input: { description: "d", command: "ls" } }));
    const res = t.permission(
      ev("PermissionRequest", { permission_suggestions: [{ type: "addDirectories" }] }),
      new AbortController().signal,
    );
    const open = sent.find((f) => f.type === "prompt.open")!;
    expect(open).toMatchObject({
      sessionId: "sess-0001",
      tool: "Bash",
      input: { command: "ls" },
      toolUseId: "toolu_1",
      hookSessionId: "cc-1",
      suggestions: [{ type: "addDirectories" }],
    });
    ready();
    expect(sent.filter((f) => f.type === "prompt.open")).toHaveLength(2);
    answer({ promptId: (open as { promptId: string }).promptId, decision: "deny", message: "no thanks" });
    expect(await res).toEqual({
      hookSpecificOutput: { hookEventName: "PermissionRequest", decision: { behavior: "deny", message: "no thanks" } },
    });
    ready();
    expect(sent.filter((f) => f.type === "prompt.open")).toHaveLength(2); // answered: no longer announced
  });

  test("local answers: PostToolUse = yes, abort = no, Stop ends what is left; exit cancels", async () => {
    const { t, sent } = tracker();
    const closed = () => sent.filter((f) => f.type === "prompt.closed");
    t.event(ev("PreToolUse", { tool_use_id: "toolu_2" }));
    const yes = t.permission(ev("PermissionRequest"), new AbortController().signal);
    t.event(ev("PostToolUse", { tool_use_id: "toolu_2" }));
    expect(await yes).toEqual({});
    expect(closed()[0]).toMatchObject({ how: "answered-locally", decision: "allow", reason: "PostToolUse" });

    const ac = new AbortController();
    void t.permission(ev("PermissionRequest", { tool_input: { command: "rm x" } }), ac.signal);
    ac.abort();
    await waitFor(() => closed().length === 2, { what: "closed after abort" });
    expect(closed()[1]).toMatchObject({ how: "answered-locally", decision: "deny", reason: "aborted" });
    // Esc at the terminal interrupted the main agent's turn, and no Stop hook will say so
    expect(sent.filter((f) => f.type === "notice")).toMatchObject([{ kind: "interrupted" }]);

    void t.permission(ev("PermissionRequest", { tool_input: { command: "a" } }), new AbortController().signal);
    t.event(ev("Stop", { last_assistant_message: "Done." }));
    expect(closed()[2]).toMatchObject({ how: "answered-locally", reason: "Stop" });
    expect(sent.filter((f) => f.type === "notice")[1]).toMatchObject({ kind: "done", message: "Done." });

    void t.permission(ev("PermissionRequest", { tool_input: { command: "b" } }), new AbortController().signal);
    t.exited();
    expect(closed()[3]).toMatchObject({ how: "cancelled", reason: "exit" });
  });

  test("no link (not paired): no decision at once, the local dialog decides; big inputs are clipped", async () => {
    const { t } = tracker(false);
    expect(await t.permission(ev("PermissionRequest"), new AbortController().signal)).toEqual({});
    const big = clipInput({ file_path: "/x", content: "z".repeat(1_000_000) });
    expect(JSON.stringify(big).length).toBeLessThan(130 * 1024);
    expect(big.file_path).toBe("/x");
    expect(String(big.content)).toContain("more characters]");
  });

  test("hook endpoint: secret required, only its two paths, bad JSON refused", async () => {
    const seen: string[] = [];
    const srv = startHookServer("s3cret", { permission: async () => ({ ok: 1 }), event: (p) => void seen.push(p.hook_event_name) });
    try {
      const call = (path: string, body: string, secret = "s3cret") =>
        fetch(srv.url + path, { method: "POST", headers: { [SECRET_HEADER]: secret }, body });
      expect((await call("/event", JSON.stringify({ hook_event_name: "Stop" }), "wrong")).status).toBe(401);
      expect((await call("/nope", "{}")).status).toBe(404);
      expect((await call("/event", "{not json")).status).toBe(400);
      expect((await call("/event", JSON.stringify({ hook_event_name: "Stop" }))).status).toBe(204);
      expect(await (await call("/permission", JSON.stringify({ hook_event_name: "PermissionRequest" }))).json()).toEqual({ ok: 1 });
      expect(seen).toEqual(["Stop"]);
      expect(new URL(srv.url).hostname).toBe("127.0.0.1");
    } finally {
      srv.stop();
    }
  });
});

test("the adapter: our hooks merged into --settings, the secret only in the child's environment", async () => {
  const prepared = await claudeAdapter().prepare({
    sessionId: "sess-0001",
    argv: ["/bin/claude", "--settings", '{"model":"x"}', "-c"],
    env: { A: "1" },
  });
  try {
    const secret = prepared.env[SECRET_ENV]!;
    expect(secret.length).toBeGreaterThanOrEqual(40);
    expect(prepared.env.A).toBe("1");
    expect(prepared.hooks).toBe(true);
    expect(prepared.argv.join(" ")).not.toContain(secret);
    expect(prepared.argv[0]).toBe("/bin/claude");
    expect(prepared.argv.slice(-1)).toEqual(["-c"]);
    const settings = JSON.parse(prepared.argv[2]!);
    expect(settings.model).toBe("x");
    const pr = settings.hooks.PermissionRequest[0].hooks[0];
    expect(pr).toMatchObject({
      type: "http",
      headers: { [SECRET_HEADER]: `$${SECRET_ENV}` },
      allowedEnvVars: [SECRET_ENV],
      timeout: 86400,
    });
    const call = (s: string) =>
      fetch(pr.url.replace(/\/permission$/, "/event"), {
        method: "POST",
        headers: { [SECRET_HEADER]: s },
        body: '{"hook_event_name":"Stop"}',
      });
    expect((await call(secret)).status).toBe(204);
    expect((await call(`$${SECRET_ENV}`)).status).toBe(401);
  } finally {
    await prepared.dispose();
  }
});

describe("prompt frames on the server", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("a device answers only its own sessions' prompts; the first answer wins; bad bodies are refused", async () => {
    const a = await connectDevice(server.url, await server.pairDevice("a"));
    const b = await connectDevice(server.url, await server.pairDevice("b"));
    await a.openSession("sess-aaaa-1", { hooks: true });
    await b.openSession("sess-bbbb-1");
    const open = {
      type: "prompt.open",
      sessionId: "sess-aaaa-1",
      promptId: "prompt-0001",
      tool: "Bash",
      input: { command: "ls" },
      at: Date.now(),
    };
    b.sendJson({ ...open, sessionId: "sess-aaaa-1" });
    await b.waitFrame("error", (f) => f.ref === "prompt.open");
    a.sendJson(open);
    const p = await waitFor(
      async () => (await server.api("/api/prompts/prompt-0001")).ok && (await (await server.api("/api/prompts/prompt-0001")).json()),
      { what: "the prompt" },
    );
    // Built from the hook (no suggestions for `ls`): the terminal's own three choices.
    expect(p).toMatchObject({
      status: "pending",
      source: "hook",
      options: [
        { key: "1", label: "Yes" },
        { key: "2", label: "Yes, and switch to auto mode" },
        { key: "3", label: "No" },
      ],
    });
    b.sendJson({ type: "prompt.closed", sessionId: "sess-aaaa-1", promptId: "prompt-0001", how: "answered-locally", at: Date.now() });
    await b.waitFrame("error", (f) => f.ref === "prompt.closed");

    const post = (path: string, body: string) => server.api(path, { method: "POST", body });
    expect((await post("/api/prompts/prompt-0001/approve", '{"option": 3}')).status).toBe(400);
    expect((await post("/api/prompts/prompt-0001/reject", '{"message": "x", "extra": 1}')).status).toBe(400);
    expect((await post("/api/prompts/nope-0001/approve", "{}")).status).toBe(404);
    const [r1, r2] = await Promise.all([post("/api/prompts/prompt-0001/approve", "{}"), post("/api/prompts/prompt-0001/reject", "{}")]);
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
    const answer = await a.waitFrame("prompt.answer");
    expect(answer).toMatchObject({ sessionId: "sess-aaaa-1", promptId: "prompt-0001" });
    expect(b.frames.some((f) => f.type === "prompt.answer")).toBe(false);
    // re-announced after a lost answer: the answer is sent again
    a.sendJson(open);
    await waitFor(() => a.frames.filter((f) => f.type === "prompt.answer").length === 2, { what: "the answer sent again" });
    const audit = (await (await server.api("/api/audit")).json()) as
      | { entries?: { action: string; target: string }[] }
      | { action: string; target: string }[];
    const entries = Array.isArray(audit) ? audit : (audit.entries ?? []);
    expect(entries.some((e) => e.action.startsWith("prompt.") && e.target === "prompt-0001")).toBe(true);
    expect((await server.api("/api/prompts?status=bogus")).status).toBe(400);
    a.ws.close();
    b.ws.close();
  });
});
