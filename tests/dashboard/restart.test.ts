/**
 * Killing the server (-9) and starting it again on the same port and data dir: an open session page
 * shows an offline banner, then recovers by itself (no reload) and shows each line exactly once,
 * including output produced while the server was down.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { type OuterPty, spawnInPty } from "../support/pty.ts";
import { BUN, CLI, freePort, spawnServerProcess, tempDir, waitForHealth } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { launch, openPhone, type Phone, screenText } from "./browser.ts";

const TOKEN = "restart-test-admin-token-0123456789";
const port = freePort();
const url = `http://127.0.0.1:${port}`;
const dataDir = tempDir("cr-restart-");
const env = { PORT: String(port), CLAUDE_REMOTE_DATA_DIR: dataDir, CLAUDE_REMOTE_ADMIN_TOKEN: TOKEN };
let server: ReturnType<typeof spawnServerProcess>;
let pty: OuterPty;
let browser: Browser;
let phone: Phone;
let sessionId: string;

const api = (path: string, init: RequestInit = {}) =>
  fetch(url + path, { ...init, headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" } });
const serverLines = async () => ((await (await api(`/api/sessions/${sessionId}/screen`)).json()) as { lines: string[] }).lines;
const count = (lines: string[], s: string) => lines.filter((l) => l === s).length;

beforeAll(async () => {
  server = spawnServerProcess(env);
  await waitForHealth(url);
  const { code } = (await (await api("/api/pairing-codes", { method: "POST" })).json()) as { code: string };
  const paired = (await (
    await fetch(url + "/api/pair", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code, name: "laptop" }),
    })
  ).json()) as { deviceId: string; secret: string };
  const configDir = tempDir("cr-config-");
  await Bun.write(join(configDir, "config.json"), JSON.stringify({ server: url, ...paired }));
  pty = spawnInPty(
    [BUN, CLI, "exec", "--name", "echo", "--", "bash", "-c", 'stty -echo; echo ready; while IFS= read -r l; do echo "got:$l"; done'],
    { env: { CLAUDE_REMOTE_CONFIG_DIR: configDir }, cols: 60, rows: 16 },
  );
  sessionId = await waitFor(
    async () => ((await (await api("/api/sessions")).json()) as { id: string; status: string }[]).find((s) => s.status === "running")?.id,
    { what: "running session" },
  );
  browser = await launch();
  phone = await openPhone(browser, url, TOKEN);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  pty?.proc.kill();
  server?.kill(9);
  await server?.exited;
});

test("after kill -9 and a restart the page recovers without reload and duplicates nothing", async () => {
  const { page, errors } = phone;
  await page.goto(`${url}/#/s/${sessionId}`);
  await page.waitForSelector(".view[data-ready]");
  pty.write("one\r");
  await waitFor(async () => count(await screenText(page), "got:one") === 1, { what: "got:one on the page" });
  const navigations: string[] = [];
  page.on("framenavigated", (f) => navigations.push(f.url()));

  server.kill(9);
  await server.exited;
  await page.locator("#offline").waitFor({ state: "visible", timeout: 15_000 });
  pty.write("during\r"); // produced while the server is down: the wrapper keeps it and resends

  server = spawnServerProcess(env);
  await waitForHealth(url);
  await waitFor(async () => ((await (await api(`/api/sessions/${sessionId}`)).json()) as { status: string }).status === "running", {
    what: "the wrapper back online",
    timeoutMs: 20_000,
  });
  await page.locator("#offline").waitFor({ state: "hidden", timeout: 15_000 });
  pty.write("two\r");
  await waitFor(async () => count(await screenText(page), "got:two") === 1, { what: "got:two on the page", timeoutMs: 15_000 });
  await waitFor(async () => JSON.stringify(await screenText(page)) === JSON.stringify(await serverLines()), {
    what: "page equals the server screen",
  });
  const lines = await screenText(page);
  for (const l of ["ready", "got:one", "got:during", "got:two"]) expect(count(lines, l)).toBe(1);
  expect(navigations).toEqual([]);
  // The list recovered too: the session is there once, running.
  await page.goto(`${url}/#/`);
  await waitFor(async () => (await page.locator(".srow").count()) === 1 && (await page.locator(".srow").innerText()).includes("running"), {
    what: "the list after restart",
  });
  expect(errors).toEqual([]);
}, 90_000);
