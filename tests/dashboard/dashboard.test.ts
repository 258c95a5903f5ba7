/**
 * The phone dashboard in real Chromium at 390×844, against a real server and a real wrapped session
 * (tests/dashboard/fixtures/recorder.ts in a real PTY, recording its raw stdin bytes to a file).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { type OuterPty, spawnInPty } from "../support/pty.ts";
import { auditActions } from "../security/support.ts";
import { BUN, CLI, startTestServer, tempDir, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { launch, openPhone, PHONE, type Phone, screenshot, screenText } from "./browser.ts";

const RECORDER = join(import.meta.dir, "fixtures/recorder.ts");
let server: TestServer;
let browser: Browser;
let phone: Phone;
let pty: OuterPty;
let finished: OuterPty;
let bytesFile: string;
let sessionId: string;

async function serverLines(id: string): Promise<string[]> {
  return ((await (await server.api(`/api/sessions/${id}/screen`)).json()) as { lines: string[] }).lines;
}

beforeAll(async () => {
  server = await startTestServer();
  const dev = await server.pairDevice("laptop");
  const env = { CLAUDE_REMOTE_CONFIG_DIR: dev.configDir };
  // A finished session, so the list shows one of each.
  finished = spawnInPty([BUN, CLI, "exec", "--name", "tests", "--", "bash", "-c", "printf '\\e[32m12 pass\\e[0m\\n'; exit 3"], {
    env,
    cols: 60,
    rows: 12,
  });
  await finished.exited;
  bytesFile = join(tempDir("cr-dash-"), "stdin.bin");
  pty = spawnInPty([BUN, CLI, "exec", "--name", "recorder", "--", BUN, RECORDER, bytesFile], { env, cols: 72, rows: 24 });
  sessionId = await waitFor(
    async () => {
      const list = (await (await server.api("/api/sessions")).json()) as { id: string; name: string; status: string }[];
      return list.find((s) => s.name === "recorder" && s.status === "running")?.id;
    },
    { what: "the recorder session running" },
  );
  await waitFor(async () => (await serverLines(sessionId)).some((l) => l.includes("Press keys")), {
    what: "the recorder's banner on the server screen",
  });
  browser = await launch();
  phone = await openPhone(browser, server.url, server.token);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  pty?.proc.kill();
  finished?.proc.kill();
  await server?.stop();
});

test("login by the printed link sets the cookie and takes the token out of the address bar", async () => {
  const { page, context } = phone;
  await page.waitForSelector(".srow");
  expect(page.url()).not.toContain("token");
  expect(page.url().endsWith("#/")).toBe(true);
  const cookies = await context.cookies();
  expect(cookies.find((c) => c.name === "cr_session")?.httpOnly).toBe(true);
});

test("the list shows the running and the finished session with device, cwd, status and exit code", async () => {
  const { page } = phone;
  const row = page.locator(`.srow[data-id="${sessionId}"]`);
  await row.waitFor();
  const text = await row.innerText();
  expect(text).toContain("recorder");
  expect(text).toContain("running");
  expect(text).toContain("laptop");
  expect(text).toContain(process.cwd());
  await waitFor(async () => (await page.locator(".srow", { hasText: "tests" }).innerText()).includes("finished · exit 3"), {
    what: "finished session with exit code",
  });
  await screenshot(page, "sessions.png");
});

test("opening a session shows exactly the server's screen, with colours, and new output arrives without a reload", async () => {
  const { page, errors } = phone;
  const screenStream = page.waitForResponse((r) => r.url().includes("view=screen"));
  await page.locator(`.srow[data-id="${sessionId}"]`).click();
  await page.waitForSelector(".view[data-ready]");
  // Chromium's EventSource asked for gzip and got the screen stream compressed (flushed per event).
  expect((await screenStream).headers()["content-encoding"]).toBe("gzip");
  const expected = await serverLines(sessionId);
  expect(await screenText(page)).toEqual(expected);
  // Styles came through: bold cyan title, inverse run, 256-colour and truecolour runs, wide chars in 2-cell boxes.
  expect(await page.locator(".term .row span.b.f6").first().innerText()).toContain("recorder");
  expect(await page.locator(".term .row span.fi.gi").first().innerText()).toContain("inverse");
  expect(
    await page
      .locator(".term .row span", { hasText: "pink" })
      .last()
      .evaluate((e) => getComputedStyle(e).color),
  ).toBe("rgb(255, 105, 180)");
  expect(await page.locator(".term .w").count()).toBe(2);
  // The row fits the phone's width (fit-to-width font scaling; phone-fit.test.ts measures it at 80-200 columns).
  const fits = await page.evaluate(() => {
    const wrap = document.querySelector(".termwrap")!;
    return { wrap: wrap.clientWidth, scroll: wrap.scrollWidth };
  });
  expect(fits.scroll).toBeLessThanOrEqual(fits.wrap);

  const navigations: string[] = [];
  page.on("framenavigated", (f) => navigations.push(f.url()));
  pty.write("z"); // typed on the laptop's own keyboard
  await waitFor(async () => (await screenText(page)).includes('read 1: "z"'), { what: "new output on the page" });
  expect(navigations).toEqual([]);
  await waitFor(async () => JSON.stringify(await screenText(page)) === JSON.stringify(await serverLines(sessionId)), {
    what: "page and server screens equal",
  });
  expect(errors).toEqual([]);
}, 20_000);

test("typing hello + Enter in the text box and tapping Esc reach the PTY as exactly those bytes", async () => {
  const { page } = phone;
  const before = readFileSync(bytesFile).length;
  const box = page.getByLabel("text to send");
  await box.tap();
  await box.pressSequentially("hello");
  await box.press("Enter");
  await waitFor(() => readFileSync(bytesFile).length >= before + 6, { what: "hello\\r recorded" });
  expect(await box.inputValue()).toBe("");
  await page.getByRole("button", { name: "Escape", exact: true }).tap();
  await waitFor(() => readFileSync(bytesFile).length >= before + 7, { what: "Esc recorded" });
  await Bun.sleep(300); // nothing else may follow (e.g. a reply to the recorder's terminal queries)
  expect(readFileSync(bytesFile).subarray(before).toString("latin1")).toBe("hello\r\x1b");
  // Nothing but typed keys ever reached the program: the recorder's DA/DSR queries went unanswered.
  expect(readFileSync(bytesFile).toString("latin1")).toBe("z" + "hello\r\x1b");
  // Both went over the page's open viewer socket (one frame each), not a request per tap.
  const sent = (await auditActions(server)).filter((a) => a.action === "session.input" && a.target === sessionId).reverse();
  expect(sent.map((a) => a.detail)).toEqual([
    { text: "hello\r", via: "ws" },
    { keys: ["esc"], via: "ws" },
  ]);
  expect(sent.every((a) => a.actor.startsWith("admin:browser:"))).toBe(true);
});

test("Enter during IME composition is left to the IME: nothing is sent until the composed text is committed", async () => {
  const { page } = phone;
  const before = readFileSync(bytesFile).length;
  const box = page.getByLabel("text to send");
  await box.focus();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Input.imeSetComposition", { text: "にほ", selectionStart: 2, selectionEnd: 2 });
  await page.keyboard.press("Enter"); // an Enter while composing
  await Bun.sleep(300);
  expect(readFileSync(bytesFile).length).toBe(before);
  await cdp.send("Input.insertText", { text: "日本" }); // the IME commits
  await box.press("Enter");
  await waitFor(() => readFileSync(bytesFile).subarray(before).toString("utf8") === "日本\r", { what: "the committed text sent once" });
}, 20_000);

test("the page is served with a strict CSP and installs as a PWA (manifest + service worker)", async () => {
  const res = await fetch(server.url + "/");
  expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
  const { page, errors } = phone;
  const manifest = await (await fetch(server.url + "/manifest.webmanifest")).json();
  expect(manifest.display).toBe("standalone");
  await waitFor(() => page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => !!r?.active)), {
    what: "service worker active",
  });
  expect(errors).toEqual([]);
}, 20_000);

test("where WebSockets are blocked (a proxy that refuses the upgrade), typed text still lands, by POST", async () => {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  // the page's viewer socket goes to a path the server refuses, as a WebSocket-hostile proxy would
  await context.addInitScript(() => {
    const Real = window.WebSocket;
    const Blocked = function (url: string | URL, protocols?: string | string[]) {
      return new Real(String(url).replace("/ws/viewer", "/ws/blocked"), protocols);
    } as unknown as typeof WebSocket;
    Object.assign(Blocked, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3, prototype: Real.prototype });
    window.WebSocket = Blocked;
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${server.url}/#token=${encodeURIComponent(server.token)}`);
  await page.waitForSelector(".srow");
  await page.goto(`${server.url}/#/s/${sessionId}`);
  await page.waitForSelector(".view[data-ready]");
  const before = readFileSync(bytesFile).length;
  const box = page.getByLabel("text to send");
  await box.tap();
  await box.pressSequentially("post");
  await box.press("Enter");
  await waitFor(() => readFileSync(bytesFile).subarray(before).toString("latin1") === "post\r", { what: "post\\r recorded" });
  expect(await box.inputValue()).toBe("");
  const last = (await auditActions(server)).filter((a) => a.action === "session.input" && a.target === sessionId)[0];
  expect(last.detail).toEqual({ text: "post\r" }); // no `via: "ws"`: it went by POST /input
  expect(errors).toEqual([]);
  await context.close();
}, 30_000);
