/**
 * The prompt path in process, wrapper to server and back, through the seams that exist: the
 * wrapper's HookPrompts talks to a PromptLink, the server's PromptService to a DeviceConn; here
 * the two are joined directly (no sockets, no Claude Code), over a real Store and Hub.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HookElicitations } from "../../src/agents/claude/hook-elicitations.ts";
import { HookPrompts, type PromptLink } from "../../src/agents/claude/hook-prompts.ts";
import type { ServerEvent } from "../../src/protocol/events.ts";
import type { ClientFrame, ServerFrame } from "../../src/protocol/frames.ts";
import type { PromptAnswer } from "../../src/protocol/prompts.ts";
import { type DeviceConn, Hub } from "../../src/server/ingest/hub.ts";
import { Logger } from "../../src/server/log.ts";
import { PromptService } from "../../src/server/prompts/prompt-service.ts";
import { EventLog } from "../../src/server/viewers/event-log.ts";
import { Store } from "../../src/store/index.ts";
import { waitFor } from "../support/wait.ts";

const SESSION = "sess-prompt1";
const by = { actor: "admin:token", ip: "127.0.0.1" };

let store: Store;
let published: ServerEvent[];
let hub: Hub;
let service: PromptService;
let conn: DeviceConn & { frames: ServerFrame[] };
let wrapper: HookPrompts;
let refusals: string[];

/** The wrapper's link, joined to the server: control frames go to the service, prompt answers come back. */
function joinedLink(): PromptLink {
  const onAnswer: ((f: PromptAnswer) => void)[] = [];
  conn.send = (f) => {
    conn.frames.push(f);
    if (f.type === "prompt.answer") for (const fn of onAnswer) fn(f);
  };
  return {
    sendControl(f: ClientFrame) {
      const err =
        f.type === "prompt.open"
          ? service.opened(conn, f)
          : f.type === "prompt.closed"
            ? service.closed(conn, f)
            : f.type === "prompt.taken"
              ? service.taken(conn, f)
              : f.type === "notice"
                ? service.notice(conn, f)
                : `unexpected ${f.type}`;
      if (err) refusals.push(err);
    },
    onReadyAgain: () => {},
    onPromptAnswer: (fn) => void onAnswer.push(fn),
  };
}

const permissionRequest = (command: string) => ({
  hook_event_name: "PermissionRequest",
  session_id: "cc-1",
  tool_name: "Bash",
  tool_input: { command, description: "d" },
});

beforeEach(async () => {
  store = Store.open(join(mkdtempSync(join(tmpdir(), "prompts-")), "db.sqlite"));
  store.devices.add("dev-a", "laptop", null, new Uint8Array(32));
  const events = new EventLog();
  published = [];
  events.onPublish((e) => published.push(e));
  const log = new Logger("error");
  hub = new Hub(store, events, log, { viewerQueueBytes: 1 << 20, scrollback: 100, durably: (send) => send() });
  service = new PromptService(store, hub, events, log);
  conn = { deviceId: "dev-a", frames: [], send: () => {}, close: () => {} };
  refusals = [];
  wrapper = new HookPrompts(SESSION, 60_000);
  wrapper.attach(joinedLink());
  hub.open(conn, {
    sessionId: SESSION,
    name: "build",
    command: ["claude"],
    cwd: "/tmp",
    cols: 80,
    rows: 24,
    startedAt: Date.now(),
    hooks: true,
  });
  await service.sessionOpened(SESSION, true);
});
afterEach(() => {
  service.stop();
  hub.shutdown();
  store.close();
});

/** A permission request from Claude Code's hook, as the server then has it. */
async function pendingPrompt(command = "git push") {
  const response = wrapper.permission(permissionRequest(command), new AbortController().signal);
  const prompt = await waitFor(() => service.list({ status: "pending", session: SESSION })[0], { what: "the pending prompt" });
  return { response, prompt };
}

test("a hook permission request becomes a pending prompt, and the session is waiting (derived)", async () => {
  const { prompt } = await pendingPrompt();
  expect(prompt).toMatchObject({ sessionId: SESSION, source: "hook", tool: "Bash", input: { command: "git push" }, status: "pending" });
  expect(published.some((e) => e.event === "prompt" && e.data.change === "created" && e.data.prompt.id === prompt.id)).toBe(true);
  expect(store.sessions.get(SESSION)).toMatchObject({ status: "waiting", pendingPrompts: 1, turn: "user" });
  expect(refusals).toEqual([]);
});

test("an approval is the hook's allow, and the session runs again", async () => {
  const { response, prompt } = await pendingPrompt();
  const r = service.approve(prompt.id, undefined, by);
  expect(r).toMatchObject({ ok: true, prompt: { status: "approved", resolvedBy: "admin:token@127.0.0.1" } });
  expect(await response).toMatchObject({ hookSpecificOutput: { hookEventName: "PermissionRequest", decision: { behavior: "allow" } } });
  expect(store.sessions.get(SESSION)).toMatchObject({ status: "running", pendingPrompts: 0 });
});

test("a rejection is the hook's deny with its message", async () => {
  const { response, prompt } = await pendingPrompt();
  expect(service.reject(prompt.id, "not on main", by)).toMatchObject({ ok: true, prompt: { status: "denied" } });
  expect(await response).toMatchObject({ hookSpecificOutput: { decision: { behavior: "deny", message: "not on main" } } });
});

test("a second answer is a conflict and changes nothing", async () => {
  const { prompt } = await pendingPrompt();
  service.approve(prompt.id, undefined, by);
  expect(service.reject(prompt.id, undefined, by)).toMatchObject({ ok: false, error: "conflict", prompt: { status: "approved" } });
});

test("an option the prompt does not have is bad_option; an unknown prompt is not_found", async () => {
  const { prompt } = await pendingPrompt();
  expect(service.approve(prompt.id, "9", by)).toMatchObject({ ok: false, error: "bad_option", prompt: { status: "pending" } });
  expect(service.approve("prm_unknown_1", undefined, by)).toEqual({ ok: false, error: "not_found", detail: "no such prompt" });
});

test("with no wrapper connected an answer is not_connected and the prompt stays pending", async () => {
  const { prompt } = await pendingPrompt();
  hub.detach(conn);
  expect(service.approve(prompt.id, undefined, by)).toMatchObject({ ok: false, error: "not_connected" });
  expect(service.get(prompt.id)?.status).toBe("pending");
  expect(store.sessions.get(SESSION)?.status).toBe("disconnected");
});

test("a hook notice is kept as the session's notice and published", () => {
  wrapper.event({
    hook_event_name: "Notification",
    session_id: "cc-1",
    message: "Claude is waiting for your input",
    notification_type: "idle_prompt",
  });
  expect(store.sessions.get(SESSION)?.notice).toMatchObject({ kind: "waiting", message: "Claude is waiting for your input" });
  expect(published.some((e) => e.event === "notice" && e.data.sessionId === SESSION && e.data.kind === "waiting")).toBe(true);
});

const askColour = {
  hook_event_name: "PermissionRequest",
  session_id: "cc-1",
  tool_name: "AskUserQuestion",
  tool_input: { questions: [{ question: "Colour?", header: "C", multiSelect: false, options: [{ label: "Teal" }, { label: "Red" }] }] },
};
const postAsk = (answers: Record<string, string>) => ({
  hook_event_name: "PostToolUse",
  session_id: "cc-1",
  tool_name: "AskUserQuestion",
  tool_input: { ...askColour.tool_input, answers },
  tool_response: { answers },
});

test("a PostToolUse with the server's answers is taken; one with other answers is the terminal's (answered-locally)", async () => {
  void wrapper.permission(askColour, new AbortController().signal);
  const first = await waitFor(() => service.list({ status: "pending", session: SESSION })[0], { what: "the question" });
  expect(service.approve(first.id, { option: "1" }, by)).toMatchObject({ ok: true });
  wrapper.event(postAsk({ "Colour?": "Teal" }));
  expect(service.get(first.id)).toMatchObject({ status: "approved", delivery: "taken" });

  void wrapper.permission(askColour, new AbortController().signal);
  const second = await waitFor(() => service.list({ status: "pending", session: SESSION })[0], { what: "the second question" });
  expect(service.approve(second.id, { option: "1" }, by)).toMatchObject({ ok: true });
  wrapper.event(postAsk({ "Colour?": "Red" }));
  expect(service.get(second.id)).toMatchObject({ status: "answered-locally", resolution: { via: "terminal", decision: "allow" } });
  expect(refusals).toEqual([]);
});

test("the session ending settles an answer still `sent`: cancelled, never left sent", async () => {
  const { prompt } = await pendingPrompt();
  expect(service.approve(prompt.id, undefined, by)).toMatchObject({ ok: true, prompt: { delivery: "sent" } });
  service.sessionExited(conn, SESSION);
  expect(service.get(prompt.id)).toMatchObject({ status: "cancelled", delivery: null, resolution: { reason: "session exited" } });
});

test("after a server restart an answer left `sent` gets its not-taken timer again", async () => {
  const { prompt } = await pendingPrompt();
  expect(service.approve(prompt.id, undefined, by)).toMatchObject({ ok: true });
  service.stop(); // the old server's timers die with it
  const events = new EventLog();
  service = new PromptService(store, hub, events, new Logger("error"));
  await service.sessionOpened(SESSION, true);
  const reopened = await waitFor(() => (service.get(prompt.id)?.delivery === "not_taken" ? service.get(prompt.id) : null), {
    timeoutMs: 15_000,
    what: "the answer not taken",
  });
  expect(reopened).toMatchObject({ status: "pending" });
}, 30_000);

test("an elicitation answer not taken is withdrawn from the wrapper: a later Esc at the terminal is a cancel", async () => {
  const elicitations = new HookElicitations(SESSION);
  elicitations.attach(joinedLink());
  const base = { session_id: "cc-1", mcp_server_name: "elicit" };
  elicitations.elicitation({ ...base, hook_event_name: "Elicitation", message: "m", mode: "form", requested_schema: { type: "object" } });
  const p = await waitFor(() => service.list({ status: "pending", session: SESSION })[0], { what: "the form" });
  expect(service.reject(p.id, undefined, by)).toMatchObject({ ok: true, prompt: { delivery: "sent" } });
  await waitFor(() => service.get(p.id)?.delivery === "not_taken", { timeoutMs: 15_000, what: "the answer not taken" });
  expect(conn.frames).toContainEqual(expect.objectContaining({ type: "prompt.answer", promptId: p.id, withdraw: true }));
  // Esc at the terminal: the MCP server gets the cancel, not the withdrawn decline.
  expect(elicitations.elicitation({ ...base, hook_event_name: "ElicitationResult", action: "cancel" })).toEqual({});
  expect(service.get(p.id)).toMatchObject({ status: "answered-locally", resolution: { via: "terminal", decision: "deny" } });
}, 30_000);
