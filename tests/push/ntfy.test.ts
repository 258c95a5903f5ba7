/**
 * ntfy: a local ntfy-compatible receiver gets a JSON publish with working answer buttons. The
 * prompt comes from a paired device over the real WebSocket (prompt.open, as the wrapper's hook
 * sends it); its Yes / No are answer links, pressed here exactly as the ntfy app presses them. Yes
 * answers that prompt once (the device receives prompt.answer); a second press, No after Yes, or a
 * link used with another prompt is refused. (More refusals: answer-links.test.ts.)
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ServerFrame } from "../../src/protocol/frames.ts";
import { type DeviceClient, connectDevice } from "../support/device-client.ts";
import { type TestServer, startTestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { type Receiver, startReceiver } from "./support.ts";

type NtfyMessage = {
  topic: string;
  title: string;
  message: string;
  priority: number;
  tags: string[];
  click: string;
  actions: { action: string; label: string; url: string; method?: string; clear: boolean }[];
};

let server: TestServer;
let ntfy: Receiver;
let hook: Receiver;
let device: DeviceClient;
const SESSION = "sess-ntfy-000001";

beforeAll(async () => {
  ntfy = startReceiver(200);
  hook = startReceiver(204);
  server = await startTestServer({
    env: {
      CLAUDE_REMOTE_NTFY_URL: `${ntfy.url}/claude-remote-topic`,
      CLAUDE_REMOTE_NTFY_TOKEN: "tk_test_ntfy_token",
      CLAUDE_REMOTE_WEBHOOK_URL: `${hook.url}/hook`,
      CLAUDE_REMOTE_NOTIFY_WEBHOOK: "prompt",
      CLAUDE_REMOTE_NTFY_ACTIONS: "approve",
    },
  });
  const creds = await server.pairDevice();
  device = await connectDevice(server.url, creds);
  await device.openSession(SESSION, { name: "ntfy-session", hooks: true });
});
afterAll(async () => {
  device?.ws.close();
  await server?.stop();
  ntfy?.stop();
  hook?.stop();
});

function openPrompt(promptId: string, command: string) {
  device.sendJson({
    type: "prompt.open",
    sessionId: SESSION,
    promptId,
    tool: "Bash",
    input: { command, description: "test" },
    suggestions: [],
    at: Date.now(),
  });
}

type NtfyAction = NtfyMessage["actions"][number] & { headers?: Record<string, string>; body?: string };

async function ntfyMessageFor(promptId: string): Promise<NtfyMessage> {
  return waitFor(
    () => {
      for (const r of ntfy.received) {
        const m = JSON.parse(r.body.toString()) as NtfyMessage;
        if (m.actions?.some((a) => a.url.includes(`/api/prompts/${promptId}/answer-link/`))) return m;
      }
      return null;
    },
    { what: `the ntfy message for ${promptId}` },
  );
}

/** What the ntfy app does when a button is tapped: the action's own URL, method, headers and body. */
const press = (a: NtfyAction) => fetch(a.url, { method: a.method ?? "POST", headers: a.headers, body: a.body });
const promptStatus = async (id: string) =>
  ((await (await server.api(`/api/prompts/${id}`)).json()) as { status: string; resolvedBy: string }).status;
const answersTo = (id: string) =>
  device.frames.filter((f): f is Extract<ServerFrame, { type: "prompt.answer" }> => f.type === "prompt.answer" && f.promptId === id);

/** Presses a button and, as Claude Code would, reports the answer taken once it arrives. */
async function pressTaken(a: NtfyAction, promptId: string): Promise<Response> {
  const pressing = press(a);
  await device.waitFrame("prompt.answer", (f) => f.promptId === promptId);
  device.sendJson({ type: "prompt.taken", sessionId: SESSION, promptId, reason: "PostToolUse", at: Date.now() });
  return pressing;
}

test("a prompt reaches ntfy with its Yes / No as answer buttons; Yes answers it once", async () => {
  openPrompt("prm_ntfy_first_01", "npm publish");
  const m = await ntfyMessageFor("prm_ntfy_first_01");
  const req = ntfy.received.find((r) => r.body.toString().includes("prm_ntfy_first_01"))!;
  expect(req.path).toBe("/");
  expect(req.headers.get("authorization")).toBe("Bearer tk_test_ntfy_token");
  expect(m).toMatchObject({
    topic: "claude-remote-topic",
    title: "ntfy-session: allow Bash?",
    message: "npm publish",
    priority: 4,
    click: `${server.url}/#/s/${SESSION}`,
  });
  const actions = m.actions as NtfyAction[];
  expect(actions.map((a) => [a.action, a.label, a.method ?? null, a.body ?? null])).toEqual([
    ["http", "Yes", "POST", '{"option":"1"}'],
    ["http", "No", "POST", '{"option":"3"}'],
    ["view", "Open", null, null],
  ]);
  const [yes, no] = actions;
  for (const a of [yes, no]) {
    expect(a.url).toMatch(new RegExp(`^${server.url}/api/prompts/prm_ntfy_first_01/answer-link/[A-Za-z0-9_-]{43}$`));
    expect(a.url).not.toContain(server.token);
  }
  // Only hashes are stored.
  const token = new URL(yes.url).pathname.split("/").pop()!;
  expect(JSON.stringify(server.app.store.db.query("SELECT * FROM answer_links").all())).not.toContain(token);

  const res = await pressTaken(yes, "prm_ntfy_first_01");
  expect(res.status).toBe(200);
  expect(((await res.json()) as { delivery: string }).delivery).toBe("taken");
  expect(answersTo("prm_ntfy_first_01")[0].decision).toBe("allow");
  expect(await promptStatus("prm_ntfy_first_01")).toBe("approved");

  // Second press, and No after Yes: refused; the prompt stays approved; one answer only.
  expect((await press(yes)).status).toBe(404);
  expect((await press(no)).status).toBe(404);
  expect(await promptStatus("prm_ntfy_first_01")).toBe("approved");
  expect(answersTo("prm_ntfy_first_01").length).toBe(1);

  const audit = (await (await server.api("/api/audit?limit=20")).json()) as { action: string; actor: string; target: string }[];
  expect(audit.some((a) => a.action === "prompt.approve" && a.actor.startsWith("answer-link:") && a.target === "prm_ntfy_first_01")).toBe(
    true,
  );
  expect(audit.filter((a) => a.action === "prompt.answer_link_refused" && a.target === "prm_ntfy_first_01").length).toBe(2);
});

test("a link is refused for another prompt, and stops working once its prompt is answered elsewhere", async () => {
  openPrompt("prm_ntfy_second_1", "rm -rf dist");
  openPrompt("prm_ntfy_third_01", "git push --force");
  const second = (await ntfyMessageFor("prm_ntfy_second_1")).actions as NtfyAction[];
  const third = (await ntfyMessageFor("prm_ntfy_third_01")).actions as NtfyAction[];
  const secondToken = new URL(second[0].url).pathname.split("/").pop()!;
  const crossed = await press({ ...second[0], url: `${server.url}/api/prompts/prm_ntfy_third_01/answer-link/${secondToken}` });
  expect(crossed.status).toBe(404);
  expect(await promptStatus("prm_ntfy_third_01")).toBe("pending");
  expect(await promptStatus("prm_ntfy_second_1")).toBe("pending");

  // No from ntfy denies the third prompt.
  expect((await pressTaken(third[1], "prm_ntfy_third_01")).status).toBe(200);
  expect(answersTo("prm_ntfy_third_01")[0].decision).toBe("deny");
  expect(await promptStatus("prm_ntfy_third_01")).toBe("denied");

  // The second prompt is answered from the dashboard: its ntfy buttons stop working.
  expect((await server.api("/api/prompts/prm_ntfy_second_1/approve", { method: "POST", body: "{}" })).status).toBe(200);
  await waitFor(async () => (await press(second[0])).status === 404, { what: "the link freed after the prompt was answered" });
  expect(answersTo("prm_ntfy_second_1").length).toBe(1);
});

test("the webhook receives the prompt as JSON; kinds switched off for it are not sent", async () => {
  const body = await waitFor(() => hook.received.map((r) => JSON.parse(r.body.toString())).find((b) => b.promptId === "prm_ntfy_first_01"));
  expect(body).toMatchObject({
    source: "claude-remote",
    event: "prompt",
    kind: "prompt",
    sessionId: SESSION,
    sessionName: "ntfy-session",
    prompt: { tool: "Bash", detail: "npm publish" },
  });
  // CLAUDE_REMOTE_NOTIFY_WEBHOOK=prompt: the session's exit goes to ntfy but not to the webhook.
  device.sendJson({ type: "session.exit", sessionId: SESSION, exitCode: 0, signal: null, endedAt: Date.now(), lastSeq: 0 });
  await waitFor(() => ntfy.received.some((r) => JSON.parse(r.body.toString()).title === "ntfy-session exited"), {
    what: "the exit on ntfy",
  });
  await waitFor(() => server.app.notifier.status().queued === 0 && server.app.notifier.status().inFlight === 0, {
    what: "the queues to drain",
  });
  expect(hook.received.map((r) => JSON.parse(r.body.toString()).kind).every((k: string) => k === "prompt" || k === "resolved")).toBe(true);
});
