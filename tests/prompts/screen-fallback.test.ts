/**
 * The screen detector fallback: a session without hooks (`claude-remote exec -- …`) whose program
 * draws a real recorded permission dialog (Codex, Gemini, Claude Code) gets a prompt read off the
 * server's headless screen; approve / reject answer it with keystrokes, and an answer typed at the
 * terminal makes it `answered-locally`.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Prompt } from "../../src/protocol/prompts.ts";
import { spawnInPty } from "../support/pty.ts";
import { BUN, CLI, type TestServer, freePort, startTestServer, tempDir } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

const FIXTURES = resolve(import.meta.dir, "../../../shared/fixtures");
const REPLAY = join(import.meta.dir, "fixtures/replay-dialog.ts");

let server: TestServer;
let configDir: string;
const dirs: string[] = [];
beforeAll(async () => {
  server = await startTestServer();
  ({ configDir } = await server.pairDevice());
});
afterAll(async () => {
  await server?.stop();
  for (const d of [server?.dataDir, configDir, ...dirs]) if (d) rmSync(d, { recursive: true, force: true });
});

/** Runs the replay of `fixture` under `claude-remote exec`; resolves once its prompt is on the server. */
async function replay(fixture: string, on: { server: TestServer; configDir: string } = { server, configDir }) {
  const { server, configDir } = on;
  const meta = JSON.parse(readFileSync(join(FIXTURES, `${fixture}.json`), "utf8"));
  const dir = tempDir("cr-replay-");
  dirs.push(dir);
  const out = join(dir, "key");
  const pty = spawnInPty([BUN, CLI, "exec", "--", BUN, REPLAY, join(FIXTURES, `${fixture}.raw`), join(FIXTURES, `${fixture}.json`), out], {
    cols: meta.cols,
    rows: meta.rows,
    env: { CLAUDE_REMOTE_CONFIG_DIR: configDir },
  });
  const since = Date.now() - 1;
  const prompt = await waitFor(
    async () =>
      ((await (await server.api("/api/prompts?status=pending")).json()) as Prompt[]).find((p) => p.createdAt >= since && !seen.has(p.id)),
    { timeoutMs: 15_000, what: `the ${fixture} dialog as a prompt` },
  );
  seen.add(prompt.id);
  const key = () => (existsSync(out) ? Buffer.from(readFileSync(out, "utf8"), "hex").toString() : null);
  return { meta, pty, prompt, key };
}
const seen = new Set<string>();
const get = async (id: string) => (await (await server.api(`/api/prompts/${id}`)).json()) as Prompt;
const post = (path: string, body: unknown = {}) => server.api(path, { method: "POST", body: JSON.stringify(body) });

test("Codex: the dialog becomes a screen prompt; approve presses its first option", async () => {
  const r = await replay("codex-0.169.0/01-exec-escalation");
  const want = r.meta.prompts[0].prompt;
  expect(r.prompt).toMatchObject({
    source: "screen",
    agent: "codex",
    tool: "codex",
    title: null,
    question: want.question,
    options: want.options,
    body: want.body,
  });
  const session = await (await server.api(`/api/sessions/${r.prompt.sessionId}`)).json();
  expect(session).toMatchObject({ status: "waiting", pendingPrompts: 1 });

  const res = await post(`/api/prompts/${r.prompt.id}/approve`);
  expect(res.status).toBe(200);
  expect(await waitFor(r.key, { what: "the key the program read" })).toBe("1");
  expect(await r.pty.exited).toBe(0);
  const p = await get(r.prompt.id);
  expect(p).toMatchObject({ status: "approved", resolution: { decision: "allow", option: "1", via: "api" } });
  expect((await post(`/api/prompts/${p.id}/approve`)).status).toBe(409);
}, 30_000);

test("Gemini: reject answers with Esc; its message is typed into the agent once the dialog has gone, as one line", async () => {
  const r = await replay("gemini-cli-0.61.0/01-shell");
  expect(r.prompt).toMatchObject({ source: "screen", agent: "gemini", question: "Allow execution of [Shell]?" });
  expect(r.prompt.options.map((o) => o.label)).toEqual(["Allow once", "Allow for this session", "No, suggest changes (esc)"]);
  expect((await post(`/api/prompts/${r.prompt.id}/reject`, { message: "use ls\ninstead\x1b[A" })).status).toBe(200);
  expect(await waitFor(r.key, { what: "the key the program read" })).toStartWith("\x1b");
  await waitFor(() => r.key() === "\x1b" + "use ls instead [A\r", { what: "the message typed after the Esc", timeoutMs: 10_000 });
  expect(await r.pty.exited).toBe(0);
  expect(await get(r.prompt.id)).toMatchObject({ status: "denied", resolution: { decision: "deny", message: "use ls\ninstead\x1b[A" } });
}, 30_000);

test("Claude Code without hooks: approve with option 2 presses 2; a 'No' option and unknown options are handled", async () => {
  const r = await replay("claude-code-2.1.330/09-bash-echo-classic");
  expect(r.prompt).toMatchObject({
    source: "screen",
    agent: "claude",
    tool: "Bash command",
    title: "Bash command",
    body: ["echo hello > out.txt"],
  });
  expect((await post(`/api/prompts/${r.prompt.id}/approve`, { option: "7" })).status).toBe(400);
  expect((await get(r.prompt.id)).status).toBe("pending");
  expect((await post(`/api/prompts/${r.prompt.id}/approve`, { option: "2" })).status).toBe(200);
  expect(await waitFor(r.key, { what: "the key the program read" })).toBe("2");
  expect(await r.pty.exited).toBe(0);
  expect((await get(r.prompt.id)).status).toBe("approved");

  // Claude Code's "4. No" digit only moves the selection: a No option is answered with Esc.
  const no = await replay("claude-code-2.1.330/01-bash-echo");
  const res = await post(`/api/prompts/${no.prompt.id}/approve`, { option: "4" });
  expect(res.status).toBe(200);
  expect((await res.json()).status).toBe("denied");
  expect(await waitFor(no.key, { what: "the key the program read" })).toBe("\x1b");
  expect(await no.pty.exited).toBe(0);
}, 45_000);

test("an answer typed at the terminal: the dialog leaves the screen, the prompt is answered-locally, the phone gets 409", async () => {
  const r = await replay("claude-code-2.1.330/04-write-new-file");
  expect(r.prompt.question).toBe("Do you want to create new.txt?");
  r.pty.write("1");
  expect(await waitFor(r.key, { what: "the key the program read" })).toBe("1");
  const p = await waitFor(
    async () => {
      const x = await get(r.prompt.id);
      return x.status === "answered-locally" ? x : null;
    },
    { timeoutMs: 10_000, what: "answered-locally" },
  );
  expect(p.resolvedBy).toBe("terminal");
  expect((await post(`/api/prompts/${p.id}/approve`)).status).toBe(409);
  expect(await r.pty.exited).toBe(0);
  const session = await (await server.api(`/api/sessions/${p.sessionId}`)).json();
  expect(session.pendingPrompts).toBe(0);
}, 30_000);

test("a server restart while a screen prompt is pending keeps that one prompt, still answerable", async () => {
  const port = freePort();
  const first = await startTestServer({ port });
  const dev = await first.pairDevice();
  dirs.push(first.dataDir, dev.configDir);
  const r = await replay("codex-0.169.0/01-exec-escalation", { server: first, configDir: dev.configDir });
  await first.stop();
  const second = await startTestServer({ port, dataDir: first.dataDir });
  try {
    await waitFor(async () => (await (await second.api(`/api/sessions/${r.prompt.sessionId}`)).json()).status === "waiting", {
      timeoutMs: 20_000,
      what: "the session back, waiting",
    });
    await Bun.sleep(300); // the restarted server has read the screen again
    const pending = (await (await second.api("/api/prompts?status=pending")).json()) as Prompt[];
    expect(pending.map((p) => p.id)).toEqual([r.prompt.id]);
    expect((await second.api(`/api/prompts/${r.prompt.id}/approve`, { method: "POST", body: "{}" })).status).toBe(200);
    expect(await waitFor(r.key, { what: "the key the program read" })).toBe("1");
    expect(await r.pty.exited).toBe(0);
  } finally {
    await second.stop();
  }
}, 40_000);
