/**
 * The transcript is untrusted and can go wrong under a running session: cut mid-line, truncated,
 * replaced by garbage, grown by 50 MB, deleted. The real Claude Code keeps working through
 * `claude-remote`, the wrapper and server too, and the figures and the conversation say "partial"
 * and why.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { appendFileSync, openSync, closeSync, renameSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from "node:fs";
import type { Scenario } from "../support/fake-anthropic.ts";
import { waitFor } from "../support/wait.ts";
import { type ClaudeSession, type Env, startClaude, startEnv } from "../prompts/support.ts";
import { transcriptFiles } from "./support.ts";

const SCENARIOS: Record<string, Scenario> = Object.fromEntries(
  ["b-one", "b-two", "b-three", "b-four", "b-five", "b-six"].map((k) => [k, [{ text: `answer to ${k}` }]]),
);

let env: Env;
let c: ClaudeSession;
let file: string;

async function usage(): Promise<any> {
  const r = await env.server.api(`/api/sessions/${c.sessionId}/usage`);
  expect(r.status).toBe(200);
  return r.json();
}

async function turn(key: string): Promise<void> {
  await c.turnDone(await c.submit(`scenario ${key}`));
  const health = await env.server.api("/api/sessions");
  expect(health.status).toBe(200);
}

async function partialSays(re: RegExp): Promise<void> {
  let seen: string[] = [];
  await waitFor(async () => (seen = (await usage()).partial).some((p: string) => re.test(p)), {
    timeoutMs: 15_000,
    what: () => `a partial reason matching ${re}: ${JSON.stringify(seen)}`,
  });
}

beforeAll(async () => {
  env = await startEnv(SCENARIOS);
  c = await startClaude(env);
  await turn("b-one");
  file = await waitFor(() => transcriptFiles(c.home)[0], { what: "the transcript file" });
  await waitFor(async () => (await usage()).total.responses >= 1, { what: "the first response counted" });
  expect((await usage()).partial).toEqual([]);
}, 90_000);

afterAll(async () => {
  await c?.stop();
  await env?.stop();
});

test("a line cut in the middle: the session goes on, the next line is reported malformed", async () => {
  appendFileSync(file, '{"type":"user","uuid":"cut-in-the-mid');
  await turn("b-two");
  await partialSays(/malformed line/);
}, 60_000);

test("truncated mid-line, then replaced by garbage: read again from the start, reported", async () => {
  truncateSync(file, Math.floor(statSync(file).size / 2));
  await turn("b-three");
  await partialSays(/truncated/);
  const tmp = `${file}.garbage`;
  writeFileSync(tmp, '\u0000\u0001 not json at all\n<<<>>>\n{"half": \n'.repeat(1000));
  renameSync(tmp, file);
  await turn("b-four");
  await partialSays(/replaced/);
}, 90_000);

test("grown by 50 MB of garbage (one line over the line limit): skipped in bounded reads, reported", async () => {
  const fd = openSync(file, "a");
  const line = Buffer.alloc(1024 * 1024, "x");
  for (let i = 0; i < 44; i++) {
    writeSync(fd, line);
    writeSync(fd, "\n");
  }
  writeSync(fd, Buffer.alloc(6 * 1024 * 1024, "y")); // one line over 4 MiB
  writeSync(fd, "\n");
  closeSync(fd);
  await turn("b-five");
  await partialSays(/over 4 MiB was skipped/);
  await partialSays(/malformed lines/);
  // what Claude wrote after the garbage is still read
  await waitFor(
    async () => {
      const page = await (await env.server.api(`/api/sessions/${c.sessionId}/conversation?limit=500`)).json();
      return page.items.some((i: any) => i.blocks.some((b: any) => b.type === "text" && b.text === "answer to b-five"));
    },
    { timeoutMs: 20_000, what: "the answer written after 50 MB of garbage" },
  );
}, 120_000);

test("deleted while the session runs: reported; the session, wrapper and server keep working", async () => {
  rmSync(file);
  await turn("b-six");
  await partialSays(/deleted|replaced/);
  const page = await (await env.server.api(`/api/sessions/${c.sessionId}/conversation`)).json();
  expect(page.partial.length).toBeGreaterThan(0);
  // the session is alive end to end: typed input from the API reaches claude's screen
  const typed = await env.server.api(`/api/sessions/${c.sessionId}/input`, {
    method: "POST",
    body: JSON.stringify({ text: "still here" }),
  });
  expect(typed.status).toBe(200);
  await waitFor(async () => (await c.pty.screen.flush(), c.pty.screen.lines().join("\n").includes("still here")), {
    what: "input typed from the API on claude's screen",
  });
}, 60_000);
