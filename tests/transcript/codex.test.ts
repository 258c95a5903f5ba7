/**
 * Codex's token counts, read from its own session log (`$CODEX_HOME/sessions/…/rollout-*.jsonl`,
 * `token_count` events) the same incremental way as Claude's transcript. Codex is not installed
 * here: the log is constructed in the format codex-rs writes (protocol.rs: RolloutLine, EventMsg
 * `token_count` with `info.last_token_usage` / `total_token_usage`), fed once through the feed's
 * reader directly, and once end to end by a stand-in `codex` script that appends it in two parts
 * while `claude-remote exec -- codex` runs. A session without a transcript: time only, said so.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { appendFileSync, chmodSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { codexReader } from "../../src/agents/codex/rollout-entry.ts";
import { type FeedLink, TranscriptFeed } from "../../src/cli/transcript-feed.ts";
import type { ClientFrame } from "../../src/protocol/frames.ts";
import type { SessionUsage, TranscriptFrame } from "../../src/protocol/transcript.ts";
import { spawnInPty } from "../support/pty.ts";
import { BUN, CLI, type TestServer, startTestServer, tempDir } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { launch, openPhone } from "../dashboard/browser.ts";

const MODEL = "gpt-5-codex";
const usage = (input: number, cached: number, output: number, reasoning: number) => ({
  input_tokens: input,
  cached_input_tokens: cached,
  output_tokens: output,
  reasoning_output_tokens: reasoning,
  total_tokens: input + output,
});
const line = (at: string, type: string, payload: unknown) => `${JSON.stringify({ timestamp: `2026-12-07T${at}Z`, type, payload })}\n`;
const t1 = usage(5000, 3000, 200, 64);
const t2 = usage(11000, 7500, 500, 100); // the running total after the second response
const l2 = usage(6000, 4500, 300, 36);

function rollout(cwd: string): [string, string] {
  const part1 =
    line("12:00:00.000", "session_meta", {
      id: "0199a1b2-0000-7000-8000-000000000001",
      timestamp: "2026-12-07T12:00:00.000Z",
      cwd,
      originator: "codex_cli_rs",
      cli_version: "0.58.0",
      source: "cli",
      model_provider: "openai",
    }) +
    line("12:00:00.100", "turn_context", {
      cwd,
      approval_policy: "on-request",
      sandbox_policy: { mode: "workspace-write" },
      model: MODEL,
      effort: "medium",
      summary: "auto",
    }) +
    line("12:00:01.000", "event_msg", { type: "task_started", model_context_window: 272000 }) +
    line("12:00:01.010", "event_msg", { type: "user_message", message: "fix the failing test", images: [] }) +
    line("12:00:01.500", "event_msg", {
      type: "token_count",
      info: null,
      rate_limits: { primary: { used_percent: 7, window_minutes: 300, resets_at: 1765000000 } },
    }) +
    line("12:00:03.000", "response_item", { type: "message", role: "assistant", content: [{ type: "output_text", text: "Fixed." }] }) +
    line("12:00:03.100", "event_msg", {
      type: "token_count",
      info: { total_token_usage: t1, last_token_usage: t1, model_context_window: 272000 },
      rate_limits: null,
    }) +
    // the same count again (only the rate limits changed): not a second response
    line("12:00:03.200", "event_msg", {
      type: "token_count",
      info: { total_token_usage: t1, last_token_usage: t1, model_context_window: 272000 },
      rate_limits: { primary: { used_percent: 8 } },
    }) +
    line("12:00:03.300", "event_msg", { type: "agent_message", message: "Fixed." }) +
    line("12:00:03.400", "event_msg", { type: "turn_complete", turn_id: "1", last_agent_message: "Fixed.", duration_ms: 2400 });
  const part2 =
    line("12:01:00.000", "event_msg", { type: "user_message", message: "now the docs", images: [] }) +
    "{ not json\n" +
    line("12:01:02.000", "event_msg", {
      type: "token_count",
      info: { total_token_usage: t2, last_token_usage: l2, model_context_window: 272000 },
      rate_limits: null,
    }) +
    line("12:01:02.100", "event_msg", { type: "task_complete", turn_id: "2", last_agent_message: "Done.", duration_ms: 2100 });
  return [part1, part2];
}
// what the figures must say: input uncached, cached as cache reads, output as Codex counts it
const WANT = { input: 5000 - 3000 + (6000 - 4500), cacheRead: 3000 + 4500, output: 200 + 300, cacheWrite: 0, responses: 2 };

test("the Codex reader: responses (a repeated count once), turns, turn times, the model", () => {
  const dir = tempDir("cr-codex-unit-");
  const file = join(dir, "rollout-2026-12-07T12-00-00-0199a1b2.jsonl");
  const [part1, part2] = rollout(dir);
  writeFileSync(file, part1);
  const sent: TranscriptFrame[] = [];
  const link: FeedLink = {
    connected: true,
    sendControl: (f: ClientFrame) => void (f.type === "transcript" && sent.push(f)),
    onReadyAgain: () => {},
    onTranscriptAck: () => {},
    hold: () => {},
  };
  const feed = new TranscriptFeed("session-codex-1", { pollMs: 1e9, reader: codexReader });
  feed.attach(link);
  feed.watch(file);
  feed.poll();
  appendFileSync(file, part2);
  feed.poll();
  feed.stop();
  const entries = sent.flatMap((f) => f.entries);
  expect(entries.map((e) => e.kind)).toEqual(["user", "assistant", "assistant", "turn_end", "user", "assistant", "turn_end"]);
  expect(new Set(entries.filter((e) => e.kind === "assistant").map((e) => e.uuid)).size).toBe(2); // the repeat has the same uuid: stored once
  expect(entries.find((e) => e.kind === "assistant")).toMatchObject({
    model: MODEL,
    usage: { input: 2000, cacheRead: 3000, output: 200, cacheWrite: 0 },
  });
  expect(entries.filter((e) => e.kind === "turn_end").map((e) => e.durationMs)).toEqual([2400, 2100]);
  expect(sent.flatMap((f) => f.partial)).toEqual([expect.stringContaining("1 malformed line")]);
});

let server: TestServer;
let browser: Browser | null = null;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test("claude-remote exec -- codex: the figures come from Codex's log; a session without one is time only, and the dashboard says so", async () => {
  const { configDir } = await server.pairDevice();
  const cwd = realpathSync(tempDir("cr-codex-proj-"));
  const codexHome = tempDir("cr-codex-home-");
  const now = new Date();
  const day = join(
    codexHome,
    "sessions",
    String(now.getUTCFullYear()),
    String(now.getUTCMonth() + 1).padStart(2, "0"),
    String(now.getUTCDate()).padStart(2, "0"),
  );
  mkdirSync(day, { recursive: true });
  const [part1, part2] = rollout(cwd);
  const bin = tempDir("cr-codex-bin-");
  writeFileSync(join(bin, "part1"), part1);
  writeFileSync(join(bin, "part2"), part2);
  const go = join(bin, "go");
  // the stand-in: writes its log as Codex does (appended while it runs), then exits
  const log = join(day, "rollout-2026-12-07T12-00-00-0199a1b2-0000-7000-8000-000000000001.jsonl");
  writeFileSync(
    join(bin, "codex"),
    `#!/bin/bash\ncat ${bin}/part1 >> ${log}\necho codex working\nwhile [ ! -e ${go} ]; do sleep 0.05; done\ncat ${bin}/part2 >> ${log}\necho codex done\n`,
  );
  chmodSync(join(bin, "codex"), 0o755);
  const env = { CLAUDE_REMOTE_CONFIG_DIR: configDir, CODEX_HOME: codexHome };
  const usageOf = async (id: string) => (await (await server.api(`/api/sessions/${id}/usage`)).json()) as SessionUsage;

  const term = spawnInPty([BUN, CLI, "exec", "--name", "codex-run", "--", join(bin, "codex")], { cwd, env });
  const id = await waitFor(
    async () =>
      ((await (await server.api("/api/sessions")).json()) as { id: string; name: string }[]).find((s) => s.name === "codex-run")?.id,
    { what: "the codex session" },
  );
  // the first part arrives while the program runs (incremental, not at exit)
  await waitFor(async () => (await usageOf(id)).total.responses === 1, { timeoutMs: 15_000, what: "the first response's counts" });
  await Bun.write(go, "");
  expect(await term.exited).toBe(0);
  const u = await waitFor(
    async () => {
      const x = await usageOf(id);
      return x.turns === 2 && x.total.responses === 2 ? x : undefined;
    },
    { timeoutMs: 15_000, what: "both turns in the figures" },
  );
  expect(u.transcript).toBe(true);
  expect(u.total).toMatchObject({ ...WANT, costUsd: null, costSource: "unknown", unknownModels: [MODEL] }); // no GPT prices in the table: unknown, not guessed
  expect(u.models).toEqual([MODEL]);
  expect(u.activeMs).toBe(2400 + 2100);
  expect(u.partial).toEqual([expect.stringContaining("1 malformed line")]);

  const plain = spawnInPty([BUN, CLI, "exec", "--name", "plain-run", "--", "bash", "-c", "echo hi"], { cwd, env });
  expect(await plain.exited).toBe(0);
  const plainId = await waitFor(
    async () =>
      ((await (await server.api("/api/sessions")).json()) as { id: string; name: string; status: string }[]).find(
        (s) => s.name === "plain-run" && s.status === "exited",
      )?.id,
    { what: "the plain session" },
  );
  expect(await usageOf(plainId)).toMatchObject({ transcript: false, turns: 0, total: { responses: 0 } });

  browser = await launch();
  const { page, errors } = await openPhone(browser, server.url, server.token);
  await waitFor(
    async () =>
      /^[\d.]+k tokens · cost unknown · 2 turns/.test((await page.textContent(`.srow[data-id="${id}"] .l4`).catch(() => "")) ?? ""),
    { what: "the codex session's usage line" },
  );
  expect(await page.textContent(`.srow[data-id="${plainId}"] .l4`)).toContain("time only: no transcript, so no tokens or cost");
  expect(errors).toEqual([]);
}, 60_000);
