/**
 * The wrapper is SIGKILLed while its program shows a permission dialog: the server cannot tell a
 * dead wrapper from a sleeping laptop, so the session stays `disconnected` and its prompt pending.
 * The machine that ran it tells: `claude-remote deliver` (or the next wrapper start, which starts
 * one in the background) finds the live marker of a dead process and reports the session lost; the
 * session ends as `lost`, its prompt is cancelled with the reason, the marker is removed.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { markerPath } from "../../src/cli/live-marker.ts";
import type { Prompt } from "../../src/protocol/prompts.ts";
import { LOST_REASON } from "../../src/server/prompts/prompt-service.ts";
import { spawnInPty, type OuterPty } from "../support/pty.ts";
import { BUN, CLI, startTestServer, tempDir, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

const FIXTURES = resolve(import.meta.dir, "../../../shared/fixtures");
const REPLAY = join(import.meta.dir, "../prompts/fixtures/replay-dialog.ts");
const DIALOG = join(FIXTURES, "codex-0.169.0/01-exec-escalation");

let server: TestServer;
const terms: OuterPty[] = [];
const spools: string[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  for (const t of terms) t.proc.kill("SIGKILL");
  // a deliverer still running (the test failed before it was done) is stopped too
  for (const dir of spools.filter(existsSync))
    for (const f of readdirSync(dir).filter((f) => f.endsWith(".lock"))) {
      try {
        process.kill(Number(readFileSync(join(dir, f), "utf8")), "SIGKILL");
      } catch {}
    }
  await server.stop();
});

type Session = { id: string; name: string; status: string; exitCode: number | null; endedAt: number | null; pendingPrompts: number };
const sessionNamed = async (name: string) => ((await (await server.api("/api/sessions")).json()) as Session[]).find((s) => s.name === name);
const session = async (id: string) => (await (await server.api(`/api/sessions/${id}`)).json()) as Session;
const prompt = async (id: string) => (await (await server.api(`/api/prompts/${id}`)).json()) as Prompt;

/** A wrapper whose program shows a permission dialog (a screen prompt on the server), then SIGKILLed. */
async function killedWithPrompt(configDir: string, name: string): Promise<{ id: string; promptId: string; marker: string }> {
  const out = join(tempDir("cr-killed-"), "key");
  const term = spawnInPty([BUN, CLI, "exec", "--name", name, "--", BUN, REPLAY, `${DIALOG}.raw`, `${DIALOG}.json`, out], {
    cols: 120,
    rows: 40,
    env: { CLAUDE_REMOTE_CONFIG_DIR: configDir },
  });
  terms.push(term);
  const { id } = await waitFor(() => sessionNamed(name), { what: "the session" });
  const p = await waitFor(async () => ((await (await server.api(`/api/prompts?session=${id}&status=pending`)).json()) as Prompt[])[0], {
    timeoutMs: 20_000,
    what: "the dialog as a pending prompt",
  });
  const marker = markerPath(id, join(configDir, "spool"));
  expect(existsSync(marker)).toBe(true);

  term.proc.kill("SIGKILL");
  await term.exited;
  await waitFor(async () => (await session(id)).status === "disconnected", { what: "the session disconnected" });
  // what the server alone can do: nothing; the prompt waits for a wrapper that will never come back
  await Bun.sleep(500);
  expect(await session(id)).toMatchObject({ status: "disconnected", endedAt: null, pendingPrompts: 1 });
  expect((await prompt(p.id)).status).toBe("pending");
  expect(existsSync(marker)).toBe(true);
  return { id, promptId: p.id, marker };
}

async function expectLost(k: { id: string; promptId: string; marker: string }): Promise<void> {
  expect(await session(k.id)).toMatchObject({ status: "lost", exitCode: null, pendingPrompts: 0 });
  expect((await session(k.id)).endedAt).toBeNumber();
  expect(await prompt(k.promptId)).toMatchObject({ status: "cancelled", resolution: { via: "system", reason: LOST_REASON } });
  // The deliverer removes the marker once the server confirms (session.ended), a moment after the status flips.
  await waitFor(() => !existsSync(k.marker), { what: "the killed wrapper's live marker removed" });
}

test("SIGKILLed wrapper: `claude-remote deliver` reports its session lost; the pending prompt is cancelled with the reason", async () => {
  const { configDir } = await server.pairDevice("killed-deliver");
  spools.push(join(configDir, "spool"));
  const k = await killedWithPrompt(configDir, "killed-deliver");

  const deliver = Bun.spawn([BUN, CLI, "deliver"], {
    env: { ...process.env, CLAUDE_REMOTE_CONFIG_DIR: configDir },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, err] = await Promise.all([deliver.exited, new Response(deliver.stderr).text()]);
  expect(err).toContain(`reported session ${k.id} lost (its wrapper (pid`);
  expect(err).toContain("0 delivered, 1 reported lost, 0 left");
  expect(code).toBe(0);
  await expectLost(k);
}, 60_000);

test("SIGKILLed wrapper: the next wrapper start reports it in the background, and leaves its own live session alone", async () => {
  const { configDir } = await server.pairDevice("killed-restart");
  const spool = join(configDir, "spool");
  spools.push(spool);
  const k = await killedWithPrompt(configDir, "killed-restart");

  const go = join(tempDir("cr-killed-"), "go");
  const next = spawnInPty([BUN, CLI, "exec", "--name", "next", "--", "bash", "-c", `while [ ! -e ${go} ]; do sleep 0.05; done`], {
    env: { CLAUDE_REMOTE_CONFIG_DIR: configDir },
  });
  terms.push(next);
  await waitFor(async () => (await session(k.id)).status === "lost", { timeoutMs: 30_000, what: "the killed session reported lost" });
  await expectLost(k);
  const log = readFileSync(join(spool, "deliver.log"), "utf8");
  expect(log).toContain(`reported session ${k.id} lost`);
  const nextSession = (await sessionNamed("next"))!;
  expect(nextSession.status).toBe("running"); // its own marker names a live process
  expect(existsSync(markerPath(nextSession.id, spool))).toBe(true);

  Bun.spawnSync(["touch", go]);
  expect(await next.exited).toBe(0);
  expect(await session(nextSession.id)).toMatchObject({ status: "exited", exitCode: 0 });
  await waitFor(() => readdirSync(spool).every((f) => f === "deliver.log"), { what: () => `the spool dir emptied: ${readdirSync(spool)}` });
}, 60_000);
