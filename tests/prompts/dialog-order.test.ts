/**
 * A dialog leaving the screen answers only the prompt whose dialog it was. In process (real Store,
 * Hub, PromptService, the wrapper's HookPrompts), with the screen fed through the hub as the
 * wrapper would: the order of output and prompt frames is set by the test, so the race that a
 * loaded machine produces by chance (the first call's dialog still on the lagging screen when the
 * second call's prompt arrives) happens every time.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HookPrompts, type PromptLink } from "../../src/agents/claude/hook-prompts.ts";
import type { ClientFrame } from "../../src/protocol/frames.ts";
import type { PromptAnswer } from "../../src/protocol/prompts.ts";
import { type DeviceConn, Hub } from "../../src/server/ingest/hub.ts";
import { Logger } from "../../src/server/log.ts";
import { PromptService } from "../../src/server/prompts/prompt-service.ts";
import { EventLog } from "../../src/server/viewers/event-log.ts";
import { Store } from "../../src/store/index.ts";
import { waitFor } from "../support/wait.ts";

const SESSION = "sess-order1";
const by = { actor: "admin:token", ip: "127.0.0.1" };
const RULE = "─".repeat(80);
const DASH = "╌".repeat(80);

let store: Store;
let hub: Hub;
let service: PromptService;
let conn: DeviceConn;
let wrapper: HookPrompts;
let seq = 0;

/** Claude Code's Bash dialog for `command`, drawn on a cleared screen (as 2.1.330 draws it, 80 columns). */
function dialog(command: string): string {
  const rows = [
    "",
    `● ${command}`,
    "",
    RULE,
    " Bash command",
    ` ${command}`,
    DASH,
    ` ${command}`,
    DASH,
    " Do you want to proceed?",
    " ❯ 1. Yes",
    "   2. Yes, and always allow access to /tmp/p from this project",
    "   3. No",
    "",
    " Esc to cancel · Tab to amend",
  ];
  return `\x1b[2J\x1b[H${rows.join("\r\n")}`;
}
const NO_DIALOG = "\x1b[2J\x1b[H\r\n● ran it\r\n";

function draw(text: string): void {
  expect(hub.output(conn, SESSION, ++seq, new TextEncoder().encode(text))).toBeNull();
}

/** What the service's watch has on screen now (its private state: the point of these tests is its order). */
function watched(): string | null {
  const st = (service as unknown as { sessions: Map<string, { watch: { current: { body: string[] } | null } | null }> }).sessions.get(
    SESSION,
  );
  return st?.watch?.current?.body[0] ?? null;
}

function link(): PromptLink {
  let onAnswer = (_f: PromptAnswer) => {};
  conn.send = (f) => {
    if (f.type === "prompt.answer") onAnswer(f);
  };
  return {
    sendControl(f: ClientFrame) {
      if (f.type === "prompt.open") service.opened(conn, f);
      else if (f.type === "prompt.closed") service.closed(conn, f);
      else if (f.type === "prompt.taken") service.taken(conn, f);
    },
    onReadyAgain: () => {},
    onPromptAnswer: (fn) => (onAnswer = fn),
  };
}

function ask(command: string) {
  const payload = {
    hook_event_name: "PermissionRequest",
    session_id: "cc-1",
    tool_name: "Bash",
    tool_input: { command, description: "d" },
  };
  void wrapper.permission(payload, new AbortController().signal);
  return waitFor(
    () => service.list({ session: SESSION }).find((p) => (p.input as { command: string }).command === command && p.status === "pending"),
    {
      what: `the prompt for ${command}`,
    },
  );
}

beforeEach(async () => {
  store = Store.open(join(mkdtempSync(join(tmpdir(), "order-")), "db.sqlite"));
  store.devices.add("dev-a", "laptop", null, new Uint8Array(32));
  const events = new EventLog();
  const log = new Logger("error");
  hub = new Hub(store, events, log, { viewerQueueBytes: 1 << 20, scrollback: 100, durably: (send) => send() });
  service = new PromptService(store, hub, events, log);
  conn = { deviceId: "dev-a", send: () => {}, close: () => {} };
  seq = 0;
  wrapper = new HookPrompts(SESSION, 60_000);
  wrapper.attach(link());
  hub.open(conn, {
    sessionId: SESSION,
    name: "b",
    command: ["claude"],
    cwd: "/tmp",
    cols: 80,
    rows: 24,
    startedAt: Date.now(),
    hooks: true,
  });
  await service.sessionOpened(SESSION, true);
});
afterEach(() => {
  service.stop();
  hub.shutdown();
  store.close();
});

for (const second of ["echo two > two.txt", "echo one > one.txt"]) {
  test(`the first call's dialog, still on the lagging screen when the next prompt (${second}) opens, does not answer it`, async () => {
    const first = await ask("echo one > one.txt");
    expect(service.approve(first.id, undefined, by)).toMatchObject({ ok: true }); // answered before its dialog was read
    draw(dialog("echo one > one.txt"));
    await waitFor(() => watched() === "echo one > one.txt", { what: "the first dialog on the watched screen" });
    // Claude Code takes the answer, erases the dialog, runs the tool and asks for the next call: the
    // erase is sent before the next prompt, but the server's screen has not parsed it yet.
    wrapper.event({
      hook_event_name: "PreToolUse",
      session_id: "cc-1",
      tool_name: "Bash",
      tool_input: { command: second },
      tool_use_id: "t2",
    });
    draw(NO_DIALOG);
    const next = await ask(second);
    await waitFor(() => watched() === null, { what: "the first dialog gone from the watched screen" });
    expect(service.get(next.id)).toMatchObject({ status: "pending", title: null });
    expect(service.get(first.id)).toMatchObject({ status: "approved" });

    draw(dialog(second)); // its own dialog: claimed, and its leaving answers it
    await waitFor(() => service.get(next.id)?.title === "Bash command", { what: "the second dialog claimed" });
    draw(NO_DIALOG);
    await waitFor(() => service.get(next.id)?.status === "answered-locally", { what: "the second prompt answered at the terminal" });
  });
}

test("a stale dialog read after a prompt opened is not that prompt's unless it shows its command", async () => {
  const first = await ask("echo one > one.txt");
  service.approve(first.id, undefined, by);
  const next = await ask("echo two > two.txt");
  draw(dialog("echo one > one.txt")); // the first call's frames, parsed late
  await waitFor(() => watched() === "echo one > one.txt", { what: "the stale dialog on the watched screen" });
  expect(service.get(next.id)).toMatchObject({ status: "pending", title: null });
  draw(NO_DIALOG);
  await waitFor(() => watched() === null, { what: "the stale dialog gone" });
  expect(service.get(next.id)?.status).toBe("pending");
});

test("a dialog drawn before its prompt arrives is still claimed by it", async () => {
  draw(dialog("echo early > e.txt"));
  await waitFor(() => watched() === "echo early > e.txt", { what: "the dialog on the watched screen" });
  const p = await ask("echo early > e.txt");
  await waitFor(() => service.get(p.id)?.title === "Bash command", { what: "the dialog claimed" });
  expect(service.get(p.id)?.options.map((o) => o.label)).toEqual(["Yes", "Yes, and always allow access to /tmp/p from this project", "No"]);
});
