/**
 * Resume an ended Claude Code session (its conversation id is the one the daemon gave it with
 * --session-id) and Continue in a folder (`claude --continue`): the model sees the earlier turn.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnInPty } from "../support/pty.ts";
import { BUN, CLI } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { type RemoteEnv, startRemoteEnv } from "./support.ts";

let env: RemoteEnv;
let first: string;
beforeAll(async () => {
  env = await startRemoteEnv({
    "desk-ask": [{ name: "Bash", input: { command: "echo asked > asked.txt", description: "Write asked.txt" } }],
  });
  await env.startDaemon();
});
afterAll(async () => {
  await env?.stop();
});

const asked = (text: string, also?: string) =>
  env.fake.requests.some((r) => {
    const m = JSON.stringify(r.messages ?? []);
    return m.includes(text) && (!also || m.includes(also));
  });

async function ended(id: string) {
  await waitFor(async () => (await env.screenText(id)).includes("Done."), { timeoutMs: 30_000, what: "the turn answered" });
  expect((await env.post(`/api/sessions/${id}/stop`, { graceMs: 2000 })).status).toBe(202);
  await waitFor(async () => (await env.get(`/api/sessions/${id}`)).endedAt !== null, { timeoutMs: 30_000, what: "the session ended" });
}

test("Resume: a new session continues the ended one's conversation", async () => {
  const res = await env.start({ folder: env.project, message: "remember the word pelican" });
  first = ((await res.json()) as { sessionId: string }).sessionId;
  await ended(first);
  expect((await env.post(`/api/sessions/${first}/resume`, {})).status).toBe(201);
  const again = (await env.get("/api/sessions")) as { id: string; command: string[]; endedAt: number | null }[];
  const resumed = again.find((s) => s.id !== first && s.endedAt === null)!;
  expect(resumed.command).toContain("--resume");
  await waitFor(async () => (await env.screenText(resumed.id)).includes("pelican"), {
    timeoutMs: 30_000,
    what: "the earlier turn on the resumed screen",
  });
  expect((await env.post(`/api/sessions/${resumed.id}/input`, { text: "and now the second" })).status).toBe(200);
  let last = 0;
  await waitFor(
    async () => {
      if (Date.now() - last > 2000) {
        await env.post(`/api/sessions/${resumed.id}/input`, { keys: ["enter"] });
        last = Date.now();
      }
      return asked("and now the second", "remember the word pelican");
    },
    { timeoutMs: 30_000, what: "one request with both turns" },
  );
  await ended(resumed.id);
  expect(((await env.get("/api/audit")) as { action: string; target: string }[]).some((a) => a.action === "session.resume")).toBe(true);
});

test("Resume of a running session is refused; Continue picks the folder's latest conversation", async () => {
  const res = await env.start({ folder: env.project, continue: true, message: "continue with the pelican" });
  expect(res.status).toBe(201);
  const id = ((await res.json()) as { sessionId: string }).sessionId;
  expect((await env.post(`/api/sessions/${id}/resume`, {})).status).toBe(409);
  await waitFor(() => asked("continue with the pelican", "remember the word pelican"), {
    timeoutMs: 30_000,
    what: "the continued conversation at the model",
  });
});

test("Resume of a session wrapped in a terminal: the conversation id its hooks reported", async () => {
  const pty = spawnInPty([BUN, CLI, "--permission-mode", "manual"], { cwd: env.project, env: env.env, inheritEnv: false });
  try {
    const id = await waitFor(
      async () =>
        ((await env.get("/api/sessions")) as { id: string; command: string[]; endedAt: number | null }[]).find(
          (s) =>
            s.endedAt === null &&
            !s.command.includes("--session-id") &&
            !s.command.includes("--resume") &&
            !s.command.includes("--continue"),
        )?.id,
      { timeoutMs: 30_000, what: "the wrapped session" },
    );
    await waitFor(async () => (await env.screenText(id)).includes("manual mode on"), { timeoutMs: 30_000, what: "claude ready" });
    pty.write("scenario desk-ask from the desk");
    await waitFor(async () => (await env.screenText(id)).includes("from the desk"), { timeoutMs: 15_000, what: "typed" });
    let last = 0;
    const prompt = await waitFor(
      async () => {
        if (Date.now() - last > 2000) pty.write("\r"), (last = Date.now());
        return ((await env.get(`/api/prompts?session=${id}`)) as { id: string; hookSessionId: string | null }[])[0];
      },
      { timeoutMs: 30_000, what: "the prompt with the hook's session id" },
    );
    expect(prompt.hookSessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await env.post(`/api/prompts/${prompt.id}/approve`)).status).toBe(200);
    await waitFor(async () => (await env.screenText(id)).includes("Done."), { timeoutMs: 30_000, what: "the turn done" });
    pty.proc.kill("SIGTERM");
    await waitFor(async () => (await env.get(`/api/sessions/${id}`)).endedAt !== null, {
      timeoutMs: 30_000,
      what: "the wrapped session ended",
    });

    const res = await env.post(`/api/sessions/${id}/resume`, { message: "back on the train" });
    expect(res.status).toBe(201);
    const resumed = ((await res.json()) as { sessionId: string }).sessionId;
    expect((await env.get(`/api/sessions/${resumed}`)).command).toEqual(expect.arrayContaining(["--resume", prompt.hookSessionId]));
    await waitFor(() => asked("back on the train", "from the desk"), {
      timeoutMs: 30_000,
      what: "both conversations' turns in one request",
    });
  } finally {
    pty.proc.kill(9);
  }
});
