/**
 * Approval cards with the real Claude Code (pinned 2.1.330) through `claude-remote`, against the
 * fake Messages API, in a real PTY: a Bash prompt shows as a card with its command and tapping Yes
 * runs it; a prompt answered at the terminal flips its card to "Answered at terminal".
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { claudeBin, makeClaudeEnv } from "../support/claude-env.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic.ts";
import { type OuterPty, spawnInPty } from "../support/pty.ts";
import { BUN, CLI, startTestServer, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { launch, openPhone, type Phone, screenshot } from "./browser.ts";

type Prompt = { id: string; sessionId: string; tool: string; input: Record<string, unknown>; status: string };

let server: TestServer;
let fake: FakeAnthropic;
let browser: Browser;
let phone: Phone;
let claude: OuterPty;
let cwd: string;
let sessionId: string;

const pending = async () => (await (await server.api("/api/prompts?status=pending")).json()) as Prompt[];

/** Types a request into Claude Code and presses Enter until the fake API has seen it. */
async function ask(text: string) {
  claude.write(text);
  await waitFor(() => claude.screen.lines().some((l) => l.includes(text)), { timeoutMs: 10_000, what: `"${text}" typed` });
  let last = 0;
  await waitFor(
    () => {
      if (fake.requests.some((r) => JSON.stringify(r.messages ?? []).includes(text))) return true;
      if (Date.now() - last > 2000) claude.write("\r"), (last = Date.now());
      return false;
    },
    { timeoutMs: 15_000, intervalMs: 100, what: `"${text}" sent to the model` },
  );
}

beforeAll(async () => {
  server = await startTestServer();
  const dev = await server.pairDevice("laptop");
  fake = await startFakeAnthropic();
  cwd = realpathSync(mkdtempSync(join(tmpdir(), "cr-cards-proj-")));
  writeFileSync(join(cwd, "hello.txt"), "hello world\n");
  Bun.spawnSync(["git", "init", "-q"], { cwd });
  const { env } = makeClaudeEnv({ cwd, baseUrl: fake.url, apiKey: fake.apiKey });
  claude = spawnInPty([BUN, CLI, "--permission-mode", "manual"], {
    cwd,
    cols: 100,
    rows: 30,
    env: { ...env, CLAUDE_REMOTE_CONFIG_DIR: dev.configDir, CLAUDE_REMOTE_BIN_CLAUDE: claudeBin() },
  });
  await waitFor(() => claude.screen.lines().some((l) => l.includes("manual mode on")), {
    timeoutMs: 30_000,
    intervalMs: 100,
    what: "claude's input box",
  });
  sessionId = await waitFor(async () => ((await (await server.api("/api/sessions")).json()) as { id: string; status: string }[])[0]?.id, {
    what: "the session",
  });
  browser = await launch();
  phone = await openPhone(browser, server.url, server.token);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  claude?.proc.kill();
  await claude?.exited;
  await fake?.stop();
  await server?.stop();
});

test("a Bash prompt appears as a card with its command (list and session); tapping Yes runs it", async () => {
  const { page, errors } = phone;
  await page.waitForSelector(".srow");
  await ask("scenario bash-echo");
  const card = page.locator(".cards .card").first();
  await card.waitFor({ timeout: 20_000 });
  expect(await card.locator(".tool").innerText()).toBe("Bash");
  expect(await card.locator(".code").innerText()).toBe("echo hello > out.txt");
  expect(await page.locator(`.srow[data-id="${sessionId}"] .badge`).innerText()).toBe("1");
  await screenshot(page, "card.png");

  await page.goto(`${server.url}/#/s/${sessionId}`);
  await page.waitForSelector(".view[data-ready]");
  const onSession = page.locator(".scards .card");
  await onSession.waitFor();
  await waitFor(async () => (await page.locator(".term").innerText()).includes("Do you want to proceed?"), {
    timeoutMs: 15_000,
    what: "the dialog on the page's screen",
  });
  await screenshot(page, "session.png");
  await onSession.getByRole("button", { name: /^1?\s*Yes$/ }).tap();
  await waitFor(() => existsSync(join(cwd, "out.txt")), { timeoutMs: 20_000, what: "the tool to run" });
  await waitFor(async () => (await onSession.getAttribute("data-status")) === "approved", { what: "card approved" });
  expect(await onSession.locator("button:not([disabled])").count()).toBe(0);
  expect(errors).toEqual([]);
}, 60_000);

test("a prompt answered at the terminal flips its card at once; its buttons no longer work", async () => {
  const { page } = phone;
  await page.goto(`${server.url}/#/`);
  await ask("scenario write-new-file");
  const p = await waitFor(async () => (await pending()).find((x) => x.tool === "Write"), { timeoutMs: 20_000, what: "the Write prompt" });
  const card = page.locator(`.card[data-id="${p.id}"]`);
  await card.waitFor();
  expect(await card.locator(".diff .add").first().innerText()).toBe("+ new file");
  await waitFor(() => claude.screen.lines().some((l) => l.includes("Do you want to")), { timeoutMs: 15_000, what: "the local dialog" });
  // The user answers on the laptop. Claude Code ignores keys that arrive just as a dialog is drawn: press again until it goes.
  let pressed = 0;
  await waitFor(
    () => {
      if (!claude.screen.lines().some((l) => l.includes("Do you want to create"))) return true;
      if (Date.now() - pressed > 1500) claude.write("1"), (pressed = Date.now());
      return false;
    },
    { timeoutMs: 15_000, intervalMs: 100, what: "the local dialog answered" },
  );
  await waitFor(async () => (await card.getAttribute("data-status")) === "answered-locally", {
    timeoutMs: 15_000,
    what: () => `card flipped (prompt ${p.id}; screen:\n${claude.screen.lines().join("\n")})`,
  });
  expect(await card.locator(".status").innerText()).toContain("Answered at terminal");
  expect(await card.locator("button:not([disabled])").count()).toBe(0);
  const late = await server.api(`/api/prompts/${p.id}/approve`, { method: "POST", body: "{}" });
  expect(late.status).toBe(409);
}, 60_000);
