/**
 * The real Claude Code (pinned 2.1.330) run through `claude-remote` in a real outer PTY, paired
 * with a real server, against the fake Messages API, in `--permission-mode manual`.
 */
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Prompt } from "../../src/protocol/prompts.ts";
import { detectDialog } from "../../src/agents/screen-dialogs.ts";
import { claudeBin, makeClaudeEnv } from "../support/claude-env.ts";
import { type FakeAnthropic, type Scenario, startFakeAnthropic } from "../support/fake-anthropic.ts";
import { type OuterPty, spawnInPty } from "../support/pty.ts";
import { BUN, CLI, type TestServer, startTestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

export type Env = { server: TestServer; fake: FakeAnthropic; configDir: string; stop(): Promise<void> };

export async function startEnv(scenarios: Record<string, Scenario>, opts: { serverEnv?: Record<string, string> } = {}): Promise<Env> {
  const server = await startTestServer({ env: opts.serverEnv });
  const fake = await startFakeAnthropic({ scenarios });
  const { configDir } = await server.pairDevice();
  return {
    server,
    fake,
    configDir,
    async stop() {
      await fake.stop();
      await server.stop();
      rmSync(server.dataDir, { recursive: true, force: true });
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}

export type ClaudeSession = {
  pty: OuterPty;
  cwd: string;
  /** claude's HOME (its transcripts are under .claude/projects) */
  home: string;
  sessionId: string;
  /** Types the prompt and presses Enter until the fake API has seen it. */
  submit(text: string): Promise<number>;
  /** The next prompt of this session created after `since`. */
  prompt(since: number, pred?: (p: Prompt) => boolean): Promise<Prompt>;
  promptById(id: string): Promise<Prompt>;
  waitStatus(id: string, status: string): Promise<Prompt>;
  /** The turn ended (Stop hook → session notice `done`) after `since`. */
  turnDone(since: number): Promise<void>;
  /** Waits for the dialog on the outer terminal, then ~400 ms (Claude drops keys right after drawing it). */
  dialogOnTerminal(): Promise<void>;
  /** Presses `key` in the outer terminal until the dialog leaves it. */
  answerAtTerminal(key: string): Promise<void>;
  stop(): Promise<void>;
};

/** `cwd`: run in this (existing) folder, e.g. a second session in the same project; `skip`: session ids that are not this one. */
export async function startClaude(
  env: Env,
  opts: {
    files?: Record<string, string>;
    extraEnv?: Record<string, string>;
    args?: string[];
    mode?: "manual" | "plan";
    cwd?: string;
    skip?: string[];
  } = {},
): Promise<ClaudeSession> {
  const mode = opts.mode ?? "manual";
  const cwd = opts.cwd ?? realpathSync(mkdtempSync(join(tmpdir(), "cr-prompts-proj-")));
  if (!opts.cwd) Bun.spawnSync(["git", "init", "-q"], { cwd });
  for (const [name, text] of Object.entries(opts.files ?? {})) writeFileSync(join(cwd, name), text);
  const claudeEnv = makeClaudeEnv({ cwd, baseUrl: env.fake.url, apiKey: env.fake.apiKey, extraEnv: opts.extraEnv });
  const pty = spawnInPty([BUN, CLI, "--permission-mode", mode, ...(opts.args ?? [])], {
    cwd,
    inheritEnv: false,
    env: { ...claudeEnv.env, CLAUDE_REMOTE_CONFIG_DIR: env.configDir, CLAUDE_REMOTE_BIN_CLAUDE: claudeBin() },
  });
  const api = env.server.api;
  const getJson = async (path: string) => (await api(path)).json() as Promise<any>;
  const screenText = async () => {
    await pty.screen.flush();
    return pty.screen.lines().join("\n");
  };
  const cleanup = async () => {
    pty.proc.kill(9);
    await pty.exited;
    rmSync(cwd, { recursive: true, force: true });
    rmSync(claudeEnv.home, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await screenText()).includes(`${mode} mode on`), {
      timeoutMs: 25_000,
      intervalMs: 100,
      what: () => `claude's input prompt:\n${pty.text().slice(-2000)}`,
    });
    const sessionId = await waitFor(
      async () =>
        ((await getJson("/api/sessions")) as { id: string; cwd: string }[]).find((s) => s.cwd === cwd && !opts.skip?.includes(s.id))?.id,
      { what: "the session on the server" },
    );

    const session: ClaudeSession = {
      pty,
      cwd,
      home: claudeEnv.home,
      sessionId,
      async submit(text) {
        const since = Date.now();
        const seen = () => env.fake.requests.some((r) => JSON.stringify(r.messages ?? []).includes(text));
        pty.write(text);
        await waitFor(async () => (await screenText()).includes(text), { timeoutMs: 10_000, what: `"${text}" echoed` });
        let lastEnter = 0;
        await waitFor(
          () => {
            if (seen()) return true;
            if (Date.now() - lastEnter > 2000) {
              pty.write("\r");
              lastEnter = Date.now();
            }
            return false;
          },
          { timeoutMs: 15_000, intervalMs: 100, what: `the API request for "${text}"` },
        );
        return since;
      },
      async prompt(since, pred = () => true) {
        return waitFor(
          async () => ((await getJson(`/api/prompts?session=${sessionId}`)) as Prompt[]).find((p) => p.createdAt >= since && pred(p)),
          { timeoutMs: 20_000, intervalMs: 100, what: "a prompt in GET /api/prompts" },
        );
      },
      async promptById(id) {
        return getJson(`/api/prompts/${id}`);
      },
      async waitStatus(id, status) {
        return waitFor(
          async () => {
            const p = (await getJson(`/api/prompts/${id}`)) as Prompt;
            return p.status === status ? p : null;
          },
          { timeoutMs: 15_000, intervalMs: 100, what: `prompt ${id} ${status}` },
        );
      },
      async turnDone(since) {
        await waitFor(
          async () => {
            const s = await getJson(`/api/sessions/${sessionId}`);
            return s.notice?.kind === "done" && s.notice.at >= since;
          },
          { timeoutMs: 20_000, intervalMs: 100, what: "the turn to finish (notice done)" },
        );
      },
      async dialogOnTerminal() {
        await waitFor(async () => (await pty.screen.flush(), detectDialog(pty.screen.lines())), {
          timeoutMs: 15_000,
          intervalMs: 50,
          what: "the dialog on the terminal",
        });
        await Bun.sleep(400);
      },
      async answerAtTerminal(key) {
        await session.dialogOnTerminal();
        let last = 0;
        await waitFor(
          async () => {
            await pty.screen.flush();
            if (!detectDialog(pty.screen.lines())) return true;
            if (Date.now() - last > 1500) {
              pty.write(key);
              last = Date.now();
            }
            return false;
          },
          { timeoutMs: 10_000, intervalMs: 50, what: "the dialog answered at the terminal" },
        );
      },
      stop: cleanup,
    };
    return session;
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** The first tool_result block of the API requests after `since` requests, once one arrives. */
export function toolResultAfter(fake: FakeAnthropic, fromIndex: number, toolUseIdHint?: string): any {
  for (const r of fake.requests.slice(fromIndex)) {
    const last = r.messages?.at(-1);
    const blocks = Array.isArray(last?.content) ? last.content : [];
    const hit = blocks.find((b: any) => b.type === "tool_result" && (!toolUseIdHint || b.tool_use_id === toolUseIdHint));
    if (hit) return hit;
  }
  return undefined;
}

export const post = (env: Env, path: string, body?: unknown) =>
  env.server.api(path, { method: "POST", ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

/** The dialog on the Claude terminal now, and a key pressed until the screen shows it took (a key pressed while the dialog settles is dropped). */
export function terminalKeys(c: ClaudeSession) {
  const now = async () => (await c.pty.screen.flush(), detectDialog(c.pty.screen.lines()));
  const press = async (key: string, shows: (d: ReturnType<typeof detectDialog>) => boolean, what: string) =>
    waitFor(
      async () => {
        if (shows(await now())) return true;
        c.pty.write(key);
        await Bun.sleep(500);
        return shows(await now());
      },
      { what },
    );
  return { now, press };
}
