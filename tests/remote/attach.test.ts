/**
 * `claude-remote attach` in a real PTY: the session's current screen, typed keys reach the agent,
 * the phone's input shows up too, Ctrl-] detaches and leaves it running, and the attach exits with
 * the session's exit code when it ends. `claude-remote ls` lists it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnInPty } from "../support/pty.ts";
import { BUN, CLI } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { type RemoteEnv, startRemoteEnv } from "./support.ts";

let env: RemoteEnv;
let id: string;
beforeAll(async () => {
  env = await startRemoteEnv({
    "desk-bash": [{ name: "Bash", input: { command: "echo desk > desk.txt", description: "Write desk.txt" } }],
  });
  await env.startDaemon();
  const res = await env.start({ folder: env.project, message: "first words from the train", permissionMode: "manual" });
  id = ((await res.json()) as { sessionId: string }).sessionId;
  await waitFor(async () => (await env.screenText(id)).includes("manual mode on"), { timeoutMs: 30_000, what: "claude ready" });
});
afterAll(async () => {
  await env?.stop();
});

/** At the session's own size (the daemon's default), so only the host's snapshot can show what was drawn before. */
function attach() {
  return spawnInPty([BUN, CLI, "attach", id.slice(0, 8)], { env: env.env, inheritEnv: false, cols: 120, rows: 40 });
}

async function outerText(pty: ReturnType<typeof attach>): Promise<string> {
  await pty.screen.flush();
  return pty.screen.lines().join("\n");
}

test("ls lists the background session", async () => {
  const r = Bun.spawnSync([BUN, CLI, "ls"], { env: env.env });
  const out = r.stdout.toString();
  expect(r.exitCode).toBe(0);
  expect(out).toContain(id);
  expect(out).toContain("background");
  expect(out).toContain(env.project);
});

test("attach shows the current screen; desk keys and phone input both reach the agent; Ctrl-] detaches", async () => {
  const pty = attach();
  try {
    await waitFor(async () => (await outerText(pty)).includes("first words from the train"), {
      timeoutMs: 15_000,
      what: () => `the current screen in the attached terminal:\n${pty.text().slice(-1500)}`,
    });
    await waitFor(async () => (await outerText(pty)).includes("manual mode on"), { timeoutMs: 15_000, what: "the input box" });
    pty.write("typed at the desk");
    await waitFor(async () => (await env.screenText(id)).includes("typed at the desk"), {
      timeoutMs: 15_000,
      what: "desk keys on the server's screen",
    });
    await waitFor(async () => (await outerText(pty)).includes("typed at the desk"), {
      timeoutMs: 15_000,
      what: "desk keys echoed locally",
    });
    expect((await env.post(`/api/sessions/${id}/input`, { text: " and the phone" })).status).toBe(200);
    await waitFor(async () => (await outerText(pty)).includes("typed at the desk and the phone"), {
      timeoutMs: 15_000,
      what: "phone input in the attached terminal",
    });
    // a resized terminal resizes the session
    pty.resize(110, 32);
    await waitFor(async () => (await env.get(`/api/sessions/${id}`)).cols === 110, {
      what: "the session resized to the attached terminal",
    });
    pty.write("\x1d");
    expect(await pty.exited).toBe(0);
    expect(pty.text()).toContain("detached");
  } finally {
    pty.proc.kill(9);
  }
  expect((await env.get(`/api/sessions/${id}`)).status).toBe("running");
  const audit = (await env.get("/api/audit")) as { action: string; target: string; detail: any }[];
  expect(audit.find((a) => a.action === "session.attach" && a.target === id)?.detail.who).toBeTruthy();
  await waitFor(async () => ((await env.get("/api/audit")) as { action: string }[]).some((a) => a.action === "session.detach"), {
    what: "the detach audited",
  });
});

test("a prompt answered in the attached terminal wins; the phone's later answer gets 409", async () => {
  const pty = attach();
  try {
    await waitFor(async () => (await outerText(pty)).includes("manual mode on"), { timeoutMs: 15_000, what: "the screen" });
    // ^C clears the input box; under load Claude Code can drop it while redrawing for the new size,
    // so it is sent again, but seldom: two ^C within a second on an empty box would exit Claude.
    let sentAt = 0;
    await waitFor(
      async () => {
        if (Date.now() - sentAt > 5000) {
          pty.write("\x03");
          sentAt = Date.now();
        }
        return !(await env.screenText(id)).includes("typed at the desk and the phone");
      },
      { timeoutMs: 20_000, what: "the input cleared" },
    );
    pty.write("scenario desk-bash");
    await waitFor(async () => (await outerText(pty)).includes("scenario desk-bash"), { timeoutMs: 15_000, what: "the typed prompt" });
    let last = 0;
    const prompt = await waitFor(
      async () => {
        if (Date.now() - last > 2000) {
          pty.write("\r");
          last = Date.now();
        }
        return ((await env.get(`/api/prompts?session=${id}`)) as { id: string; status: string; tool: string }[]).find(
          (p) => p.status === "pending" && p.tool === "Bash",
        );
      },
      { timeoutMs: 30_000, what: "the Bash prompt" },
    );
    await waitFor(async () => (await outerText(pty)).includes("Do you want to proceed?"), {
      timeoutMs: 15_000,
      what: "the dialog in the attached terminal",
    });
    await Bun.sleep(400); // Claude Code drops keys right after drawing a dialog
    pty.write("1");
    await waitFor(async () => (await env.get(`/api/prompts/${prompt.id}`)).status === "answered-locally", {
      timeoutMs: 20_000,
      what: "the prompt answered locally",
    });
    expect((await env.post(`/api/prompts/${prompt.id}/approve`)).status).toBe(409);
    await waitFor(async () => await Bun.file(`${env.project}/desk.txt`).exists(), { timeoutMs: 15_000, what: "desk.txt" });
    pty.write("\x1d");
    expect(await pty.exited).toBe(0);
  } finally {
    pty.proc.kill(9);
  }
});

test("two terminals attached; the session ends: attach exits with its exit code", async () => {
  const a = attach();
  const b = attach();
  try {
    for (const p of [a, b])
      await waitFor(async () => (await outerText(p)).includes("manual mode on"), { timeoutMs: 15_000, what: "the screen in both" });
    a.write("\x03"); // clears the input box, if anything was left in it
    await Bun.sleep(500);
    b.write("/exit");
    await waitFor(async () => (await outerText(a)).includes("/exit"), { timeoutMs: 15_000, what: "b's keys shown in a" });
    let last = 0;
    await waitFor(
      async () => {
        if (Date.now() - last > 1500) {
          b.write("\r");
          last = Date.now();
        }
        return (await env.get(`/api/sessions/${id}`)).endedAt !== null;
      },
      { timeoutMs: 30_000, what: "the session ending on /exit" },
    );
    const s = await waitFor(
      async () => {
        const s = await env.get(`/api/sessions/${id}`);
        return s.status === "exited" ? s : null;
      },
      { timeoutMs: 30_000, what: "the session exited" },
    );
    expect(await a.exited).toBe(s.exitCode);
    expect(await b.exited).toBe(s.exitCode);
  } finally {
    a.proc.kill(9);
    b.proc.kill(9);
  }
});

test("attach to a session that is not running here says so and exits 1", async () => {
  const r = Bun.spawnSync([BUN, CLI, "attach", "nope"], { env: env.env });
  expect(r.exitCode).toBe(1);
  expect(r.stderr.toString()).toContain("no background sessions run on this machine");
});
