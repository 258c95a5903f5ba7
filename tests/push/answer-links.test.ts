/**
 * Answer buttons: with PUBLIC_URL set, a prompt's notification carries its short choices as answer
 * links (ntfy `http` actions; Web Push `answers`, decrypted here as the browser would). Pressing one
 * the way ntfy does (its URL, method, headers, body) answers that prompt with that option through
 * the prompt service: the device gets `prompt.answer`, and the reply tells what became of it. A used
 * link, another prompt's link, a wrong option and an expired link are refused and change nothing.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { PushPayload } from "../../src/protocol/notify.ts";
import { type DeviceClient, connectDevice } from "../support/device-client.ts";
import { type TestServer, startTestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { type BrowserKeys, type Receiver, browserKeys, decryptPush, startReceiver } from "./support.ts";

type NtfyAction = { action: string; label: string; url: string; method?: string; headers?: Record<string, string>; body?: string };
type NtfyMessage = { title: string; message: string; actions: NtfyAction[] };

let server: TestServer;
let ntfy: Receiver;
let push: Receiver;
let keys: BrowserKeys;
let device: DeviceClient;
let base: string;
const SESSION = "sess-answer-links-1";
const QUESTION = "Which colour should the button be?";

function freePort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

beforeAll(async () => {
  ntfy = startReceiver(200);
  push = startReceiver(201);
  keys = browserKeys();
  const port = freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startTestServer({
    port,
    env: { PUBLIC_URL: base, CLAUDE_REMOTE_NTFY_URL: `${ntfy.url}/answers-topic`, CLAUDE_REMOTE_NTFY_ACTIONS: "approve" },
  });
  const sub = await server.api("/api/push/subscriptions", {
    method: "POST",
    body: JSON.stringify({ endpoint: `${push.url}/push/phone`, expirationTime: null, keys: { p256dh: keys.p256dh, auth: keys.auth } }),
  });
  expect(sub.status).toBe(201);
  device = await connectDevice(server.url, await server.pairDevice());
  await device.openSession(SESSION, { name: "links", hooks: true });
});
afterAll(async () => {
  device?.ws.close();
  await server?.stop();
  ntfy?.stop();
  push?.stop();
});

function openQuestion(promptId: string, labels: string[], extra: Record<string, unknown> = {}) {
  device.sendJson({
    type: "prompt.open",
    sessionId: SESSION,
    promptId,
    tool: "AskUserQuestion",
    input: {
      questions: [{ question: QUESTION, header: "Colour", multiSelect: false, options: labels.map((label) => ({ label })), ...extra }],
    },
    suggestions: [],
    at: Date.now(),
  });
}

const linkOf = (promptId: string) => `${base}/api/prompts/${promptId}/answer-link/`;

async function ntfyMessageFor(promptId: string): Promise<NtfyMessage> {
  return waitFor(
    () =>
      ntfy.received
        .map((r) => JSON.parse(r.body.toString()) as NtfyMessage)
        .find((m) => m.actions.some((a) => a.url.startsWith(linkOf(promptId)))) ?? null,
    { what: `the ntfy message for ${promptId}` },
  );
}

async function pushFor(promptId: string): Promise<PushPayload> {
  return waitFor(
    () =>
      push.received
        .map((r) => PushPayload.parse(JSON.parse(decryptPush(r.body, keys))))
        .find((p) => p.promptId === promptId && p.kind === "prompt") ?? null,
    { what: `the Web Push for ${promptId}` },
  );
}

/** What the ntfy app does when the button is tapped: the action's own URL, method, headers and body. */
const press = (a: NtfyAction) => fetch(a.url, { method: a.method ?? "POST", headers: a.headers, body: a.body });
const promptOf = async (id: string) =>
  (await (await server.api(`/api/prompts/${id}`)).json()) as { status: string; delivery: string | null; resolution: { answers?: object } };
const answers = (id: string) => device.frames.filter((f) => f.type === "prompt.answer" && f.promptId === id);
const taken = (promptId: string) =>
  device.sendJson({ type: "prompt.taken", sessionId: SESSION, promptId, reason: "PostToolUse", at: Date.now() });

test("a question's choices are answer buttons on ntfy and Web Push; pressing one answers it with that choice", async () => {
  openQuestion("prm_links_first01", ["Crimson", "Teal"]);
  const m = await ntfyMessageFor("prm_links_first01");
  expect(m.title).toBe("links asks");
  expect(m.actions.map((a) => [a.action, a.label, a.method ?? null, a.body ?? null])).toEqual([
    ["http", "Crimson", "POST", '{"option":"1"}'],
    ["http", "Teal", "POST", '{"option":"2"}'],
    ["view", "Open", null, null],
  ]);
  for (const a of m.actions.slice(0, 2)) {
    expect(a.url).toMatch(new RegExp(`^${linkOf("prm_links_first01")}[A-Za-z0-9_-]{43}$`));
    expect(a.url).not.toContain(server.token);
  }
  expect(new Set(m.actions.map((a) => a.url)).size).toBe(3); // one token per option
  const payload = await pushFor("prm_links_first01");
  expect(payload.answers).toEqual([
    { option: "1", title: "Crimson", url: m.actions[0].url },
    { option: "2", title: "Teal", url: m.actions[1].url },
  ]);
  // Only hashes are stored.
  const token = m.actions[1].url.split("/").pop()!;
  expect(JSON.stringify(server.app.store.db.query("SELECT * FROM answer_links").all())).not.toContain(token);

  const reply = press(m.actions[1]);
  const frame = await device.waitFrame("prompt.answer", (f) => f.promptId === "prm_links_first01");
  expect(frame.decision).toBe("allow");
  expect(frame.answers).toEqual({ [QUESTION]: "Teal" });
  taken("prm_links_first01");
  const res = await reply;
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({
    ok: true,
    promptId: "prm_links_first01",
    option: "2",
    label: "Teal",
    status: "approved",
    delivery: "taken",
  });
  expect(await promptOf("prm_links_first01")).toMatchObject({
    status: "approved",
    delivery: "taken",
    resolution: { answers: { [QUESTION]: "Teal" } },
  });

  // Single use: the same button, and the other one, no longer answer.
  for (const a of m.actions.slice(0, 2)) {
    const again = await press(a);
    expect(again.status).toBe(404);
  }
  expect(answers("prm_links_first01").length).toBe(1);
  expect(server.app.store.db.query("SELECT * FROM answer_links WHERE prompt_id = 'prm_links_first01'").all()).toEqual([]);
  const audit = (await (await server.api("/api/audit?limit=50")).json()) as { action: string; actor: string; target: string }[];
  expect(audit.some((a) => a.action === "prompt.approve" && a.actor.startsWith("answer-link:") && a.target === "prm_links_first01")).toBe(
    true,
  );
});

test("another prompt's link, a wrong option, an expired link and bad input are refused and change nothing", async () => {
  openQuestion("prm_links_second1", ["Crimson", "Teal"]);
  openQuestion("prm_links_third01", ["Left", "Right"]);
  const second = await ntfyMessageFor("prm_links_second1");
  const third = await ntfyMessageFor("prm_links_third01");
  const tokenOf = (a: NtfyAction) => a.url.split("/").pop()!;

  // The second prompt's token on the third prompt's path, with the same option.
  const crossed = await fetch(`${linkOf("prm_links_third01")}${tokenOf(second.actions[0])}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: second.actions[0].body,
  });
  expect(crossed.status).toBe(404);
  // The right token with another of its prompt's options.
  const wrongOption = await press({ ...second.actions[0], body: '{"option":"2"}' });
  expect(wrongOption.status).toBe(404);
  // A made-up token.
  expect((await press({ ...second.actions[0], url: `${linkOf("prm_links_second1")}${"A".repeat(43)}` })).status).toBe(404);
  // Bad input: a number for the option, no body, a short token.
  const bad = await press({ ...second.actions[0], body: '{"option":1}' });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { detail: string }).detail).toContain("option");
  expect((await press({ ...second.actions[0], body: undefined })).status).toBe(400);
  expect((await press({ ...second.actions[0], url: `${linkOf("prm_links_second1")}short` })).status).toBe(400);
  // From a foreign page (e.g. the ntfy web app): the Origin check refuses it before the link is looked at.
  const foreign = await press({ ...second.actions[0], headers: { ...second.actions[0].headers, Origin: "https://ntfy.sh" } });
  expect(foreign.status).toBe(403);
  // An expired link.
  server.app.store.db.query("UPDATE answer_links SET expires_at = 1 WHERE prompt_id = 'prm_links_third01' AND option_key = '1'").run();
  const expired = await press(third.actions[0]);
  expect(expired.status).toBe(410);
  expect(((await expired.json()) as { detail: string }).detail).toContain("expired");

  expect((await promptOf("prm_links_second1")).status).toBe("pending");
  expect((await promptOf("prm_links_third01")).status).toBe("pending");
  expect(answers("prm_links_second1").length + answers("prm_links_third01").length).toBe(0);

  // Nothing was spent: the second prompt's own buttons still work.
  const reply = press(second.actions[0]);
  expect((await device.waitFrame("prompt.answer", (f) => f.promptId === "prm_links_second1")).answers).toEqual({ [QUESTION]: "Crimson" });
  taken("prm_links_second1");
  expect(((await (await reply).json()) as { delivery: string }).delivery).toBe("taken");

  // The third prompt is answered from the dashboard: its remaining button stops working.
  expect((await server.api("/api/prompts/prm_links_third01/approve", { method: "POST", body: '{"option":"2"}' })).status).toBe(200);
  taken("prm_links_third01");
  const late = await press(third.actions[1]);
  expect([404, 409]).toContain(late.status);
  await waitFor(() => server.app.store.db.query("SELECT 1 FROM answer_links WHERE prompt_id = 'prm_links_third01'").all().length === 0, {
    what: "the answered prompt's links freed",
  });
  expect((await press(third.actions[1])).status).toBe(404);
  expect(answers("prm_links_third01").length).toBe(1);
});

test("two buttons pressed at once: one answer, the other press is refused", async () => {
  openQuestion("prm_links_race_01", ["Crimson", "Teal"], { question: "Which race colour?" });
  const m = await ntfyMessageFor("prm_links_race_01");
  const both = Promise.all([press(m.actions[0]), press(m.actions[1])]);
  await device.waitFrame("prompt.answer", (f) => f.promptId === "prm_links_race_01");
  taken("prm_links_race_01");
  const statuses = (await both).map((r) => r.status).sort();
  expect(statuses).toEqual([200, 404]);
  expect(answers("prm_links_race_01").length).toBe(1);
});

test("an answer Claude does not take: the reply says not_taken, and the not-taken notification goes out", async () => {
  openQuestion("prm_links_fourth1", ["Crimson", "Teal"]);
  const m = await ntfyMessageFor("prm_links_fourth1");
  const res = await press(m.actions[0]); // the device never reports it taken
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ option: "1", label: "Crimson", status: "pending", delivery: "not_taken" });
  await waitFor(() => ntfy.received.some((r) => JSON.parse(r.body.toString()).title === "links: Claude did not take the answer"), {
    what: "the not-taken notification on ntfy",
  });
  const notTaken = await waitFor(
    () =>
      push.received
        .map((r) => PushPayload.parse(JSON.parse(decryptPush(r.body, keys))))
        .find((p) => p.promptId === "prm_links_fourth1" && p.title === "links: Claude did not take the answer") ?? null,
    { what: "the not-taken Web Push" },
  );
  expect(notTaken.answers).toBeUndefined();
  expect((await press(m.actions[0])).status).toBe(404); // used
  expect((await promptOf("prm_links_fourth1")).status).toBe("pending"); // still answerable in the dashboard
});

test("a permission prompt's short choices (Yes / No) are its buttons; No denies", async () => {
  device.sendJson({
    type: "prompt.open",
    sessionId: SESSION,
    promptId: "prm_links_bash_01",
    tool: "Bash",
    input: { command: "npm publish", description: "publish" },
    suggestions: [],
    at: Date.now(),
  });
  const m = await ntfyMessageFor("prm_links_bash_01");
  // "Yes, and don't ask again this session for: npm publish" is too long for a button.
  expect(m.actions.map((a) => [a.label, a.body ?? null])).toEqual([
    ["Yes", '{"option":"1"}'],
    ["No", '{"option":"3"}'],
    ["Open", null],
  ]);
  const reply = press(m.actions[1]);
  expect((await device.waitFrame("prompt.answer", (f) => f.promptId === "prm_links_bash_01")).decision).toBe("deny");
  taken("prm_links_bash_01");
  expect(await (await reply).json()).toMatchObject({ option: "3", label: "No", status: "denied", delivery: "taken" });
});

test("choices that do not fit get no answer buttons (and no Approve / Deny): a long label, a multi-select question", async () => {
  openQuestion("prm_links_long_01", ["Crimson", "A colour with a name far too long for a button"], { question: "Which long colour?" });
  openQuestion("prm_links_multi01", ["Crimson", "Teal"], { question: "Which colours?", multiSelect: true });
  for (const [id, question] of [
    ["prm_links_long_01", "Which long colour?"],
    ["prm_links_multi01", "Which colours?"],
  ]) {
    expect((await pushFor(id)).answers).toBeUndefined();
    const m = await waitFor(
      () => ntfy.received.map((r) => JSON.parse(r.body.toString()) as NtfyMessage).find((x) => x.message.startsWith(question)) ?? null,
      { what: `the ntfy message for ${id}` },
    );
    expect(m.actions.map((a) => a.label)).toEqual(["Open"]);
  }
  expect(
    server.app.store.db.query("SELECT 1 FROM answer_links WHERE prompt_id IN ('prm_links_long_01', 'prm_links_multi01')").all(),
  ).toEqual([]);
});

test("a session keeps a bounded number of links; the route is rate-limited", async () => {
  const links = server.app.store.answerLinks;
  links.add(
    Array.from({ length: 50 }, (_, i) => ({
      promptId: `prm_bound_${i}`,
      sessionId: "sess-bound",
      option: "1",
      label: "x",
      tokenHash: "0".repeat(64),
    })),
    Date.now() + 60_000,
    30,
  );
  expect(links.countFor("sess-bound")).toBe(30);
  const statuses: number[] = [];
  for (let i = 0; i < 30; i++) {
    const r = await fetch(`${linkOf("prm_links_none_01")}${"B".repeat(43)}`, { method: "POST", body: '{"option":"1"}' });
    statuses.push(r.status);
  }
  expect(statuses).toContain(429);
  expect(statuses.filter((s) => s !== 429 && s !== 404)).toEqual([]);
});
