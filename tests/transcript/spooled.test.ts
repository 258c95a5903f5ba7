/**
 * The real Claude Code through `claude-remote`: the server goes away mid-session and is still away
 * when Claude exits. The transcript frames it never acknowledged go to the spool with the output,
 * and the background deliverer sends them (with their own seqs) once the server is back: the
 * conversation is complete, not cut where the server left.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ConversationItem, SessionUsage } from "../../src/protocol/transcript.ts";
import { type TestServer, startTestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { type ClaudeSession, type Env, startClaude, startEnv } from "../prompts/support.ts";
import { transcriptFiles } from "./support.ts";

const SECOND = "The second answer, written while the server was away.";
let env: Env;
let c: ClaudeSession;
let restarted: TestServer | null = null;

afterAll(async () => {
  // a deliverer still running (the test failed before delivery) is stopped by its pid in the lock
  const spool = env ? join(env.configDir, "spool") : "";
  for (const f of spool && existsSync(spool) ? readdirSync(spool) : [])
    if (f.endsWith(".lock")) {
      try {
        process.kill(Number(readFileSync(join(spool, f), "utf8")), "SIGKILL");
      } catch {}
    }
  await c?.stop();
  await env?.stop();
  await restarted?.stop();
});

test("transcript frames unacked at exit are spooled and delivered: the conversation is complete", async () => {
  env = await startEnv({ "t-one": [{ text: "The first answer." }], "t-two": [{ text: SECOND }] });
  c = await startClaude(env);
  await c.turnDone(await c.submit("scenario t-one"));
  const api = (p: string) => env.server.api(p);
  const texts = async () =>
    ((await (await api(`/api/sessions/${c.sessionId}/conversation?limit=500`)).json()) as { items: ConversationItem[] }).items.flatMap(
      (i) => i.blocks.map((b) => (b.type === "text" ? b.text : "")),
    );
  await waitFor(async () => (await texts()).includes("The first answer."), { what: "the first answer stored" });

  const { dataDir, url } = env.server;
  await env.server.stop();
  await c.submit("scenario t-two");
  // Claude wrote the turn to its transcript (its end too) while the server was down
  await waitFor(
    () =>
      transcriptFiles(c.home).some((f) => readFileSync(f, "utf8").includes(SECOND) && readFileSync(f, "utf8").includes("turn_duration")),
    { timeoutMs: 20_000, what: "the second turn in the transcript file" },
  );
  // Ctrl-C twice: Claude exits on its own, the wrapper finishes (server unreachable) and spools;
  // no Ctrl-C after Claude is gone (the terminal is cooked again: it would kill the wrapper)
  c.pty.write("\x03");
  await waitFor(() => c.pty.text().includes("again") && c.pty.text().includes("to exit"), { what: "Claude's exit hint" });
  c.pty.write("\x03");
  await c.pty.exited;
  expect(c.pty.text()).toMatch(/the server does not have [^\n]*transcript frames/);

  restarted = await startTestServer({ dataDir, port: Number(new URL(url).port) });
  env.server = restarted;
  const items = await waitFor(
    async () => {
      const s = (await (await api(`/api/sessions/${c.sessionId}`)).json()) as { status: string };
      const page = (await (await api(`/api/sessions/${c.sessionId}/conversation?limit=500`)).json()) as { items: ConversationItem[] };
      return s.status === "exited" && page.items.some((i) => i.blocks.some((b) => b.type === "text" && b.text === SECOND))
        ? page.items
        : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: "the deliverer's session exit and the second turn" },
  );

  const main = items.filter((i) => i.agentId === null);
  const order = main.flatMap((i) => i.blocks.filter((b) => b.type === "text").map((b) => `${i.kind}:${(b as { text: string }).text}`));
  expect(order).toEqual(["user:scenario t-one", "assistant:The first answer.", "user:scenario t-two", `assistant:${SECOND}`]);
  const u = (await (await api(`/api/sessions/${c.sessionId}/usage`)).json()) as SessionUsage;
  expect(u.turns).toBe(2);
  expect(u.total.responses).toBe(env.fake.responses.length);
  expect(u.partial).toEqual([]);
  await waitFor(() => readdirSync(join(env.configDir, "spool")).every((f) => !f.endsWith(".spool") && !f.endsWith(".lock")), {
    what: "the spool emptied",
  });
}, 150_000);
