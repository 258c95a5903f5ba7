/**
 * ntfy: a local ntfy-compatible receiver gets a JSON publish with working action buttons. The
 * prompt comes from a paired device over the real WebSocket (prompt.open, as the wrapper's hook
 * sends it); pressing Approve answers that prompt once (the device receives prompt.answer); a
 * second press, Deny after Approve, or a token used with another prompt's id is refused.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
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

async function ntfyMessageFor(promptId: string): Promise<NtfyMessage> {
  return waitFor(
    () => {
      for (const r of ntfy.received) {
        const m = JSON.parse(r.body.toString()) as NtfyMessage;
        if (m.actions?.some((a) => a.url.includes(`prompt=${promptId}`))) return m;
      }
      return null;
    },
    { what: `the ntfy message for ${promptId}` },
  );
}

const press = (url: string) => fetch(url, { method: "POST" });
const promptStatus = async (id: string) =>
  ((await (await server.api(`/api/prompts/${id}`)).json()) as { status: string; resolvedBy: string }).status;

test("a prompt reaches ntfy with Approve/Deny buttons; Approve answers it once", async () => {
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
  expect(m.actions.map((a) => [a.action, a.label, a.method ?? null])).toEqual([
    ["http", "Approve", "POST"],
    ["http", "Deny", "POST"],
    ["view", "Open", null],
  ]);
  const [approve, deny] = m.actions;
  for (const a of [approve, deny]) {
    expect(a.url).toMatch(new RegExp(`^${server.url}/api/actions/[A-Za-z0-9_-]{43}\\?prompt=prm_ntfy_first_01$`));
    expect(a.url).not.toContain(server.token);
  }
  // Only hashes are stored.
  const token = new URL(approve.url).pathname.split("/").pop()!;
  expect(JSON.stringify(server.app.store.db.query("SELECT * FROM action_tokens").all())).not.toContain(token);

  const res = await press(approve.url);
  expect(res.status).toBe(200);
  const answer = await device.waitFrame("prompt.answer", (f) => f.promptId === "prm_ntfy_first_01");
  expect(answer.decision).toBe("allow");
  expect(await promptStatus("prm_ntfy_first_01")).toBe("approved");

  // Second press, and Deny after Approve: refused; the prompt stays approved; one answer only.
  const again = await press(approve.url);
  expect(again.status).toBe(410);
  expect(((await again.json()) as { detail: string }).detail).toContain("already used");
  expect((await press(deny.url)).status).toBe(410);
  expect(await promptStatus("prm_ntfy_first_01")).toBe("approved");
  expect(device.frames.filter((f) => f.type === "prompt.answer" && f.promptId === "prm_ntfy_first_01").length).toBe(1);

  const audit = (await (await server.api("/api/audit?limit=20")).json()) as { action: string; actor: string; target: string }[];
  expect(audit.some((a) => a.action === "prompt.approve" && a.actor.startsWith("action-token:") && a.target === "prm_ntfy_first_01")).toBe(
    true,
  );
  expect(audit.filter((a) => a.action === "prompt.action_refused" && a.target === "prm_ntfy_first_01").length).toBe(2);
});

test("a token is refused for another prompt's id, and stops working once its prompt is answered elsewhere", async () => {
  openPrompt("prm_ntfy_second_1", "rm -rf dist");
  openPrompt("prm_ntfy_third_01", "git push --force");
  const second = await ntfyMessageFor("prm_ntfy_second_1");
  const third = await ntfyMessageFor("prm_ntfy_third_01");
  const secondToken = new URL(second.actions[0].url).pathname;
  const crossed = await press(`${server.url}${secondToken}?prompt=prm_ntfy_third_01`);
  expect(crossed.status).toBe(403);
  expect(((await crossed.json()) as { detail: string }).detail).toContain("another prompt");
  expect(await promptStatus("prm_ntfy_third_01")).toBe("pending");
  expect(await promptStatus("prm_ntfy_second_1")).toBe("pending");
  expect((await press(`${server.url}/api/actions/${"x".repeat(43)}?prompt=prm_ntfy_third_01`)).status).toBe(403);

  // Deny from ntfy works for the third prompt.
  expect((await press(third.actions[1].url)).status).toBe(200);
  expect((await device.waitFrame("prompt.answer", (f) => f.promptId === "prm_ntfy_third_01")).decision).toBe("deny");
  expect(await promptStatus("prm_ntfy_third_01")).toBe("denied");

  // The second prompt is answered from the dashboard: its ntfy buttons stop working.
  expect((await server.api("/api/prompts/prm_ntfy_second_1/approve", { method: "POST", body: "{}" })).status).toBe(200);
  await waitFor(async () => (await press(second.actions[0].url)).status === 410, { what: "the token revoked after the prompt resolved" });
  expect(device.frames.filter((f) => f.type === "prompt.answer" && f.promptId === "prm_ntfy_second_1").length).toBe(1);
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
