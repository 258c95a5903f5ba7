/** Real Chromium (playwright-core) at a phone viewport, logged in to a test server by the printed link. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "bun:test";
import { REPO, startTestServer, type TestServer } from "../support/server.ts";

export const PHONE = { width: 390, height: 844 };
/** The README's screenshots are refreshed with UPDATE_SCREENSHOTS=1; otherwise they go to tests/artifacts (ignored). */
export const SCREENSHOTS = join(REPO, process.env.UPDATE_SCREENSHOTS === "1" ? "docs/screenshots" : "tests/artifacts/screenshots");

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
}

export type Phone = { context: BrowserContext; page: Page; errors: string[] };

/** A fresh phone-sized page logged in through `<base>/#token=…`; collects page errors and CSP violations. */
export async function openPhone(browser: Browser, baseUrl: string, token: string, opts: { colorScheme?: "dark" | "light" } = {}): Promise<Phone> {
  const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme: opts.colorScheme ?? "dark" });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused to/.test(m.text())) errors.push(`csp: ${m.text()}`);
  });
  await page.goto(`${baseUrl}/#token=${encodeURIComponent(token)}`);
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, name) });
}

/** The text rows of the live screen as the page shows them (trailing spaces trimmed). */
export function screenText(page: Page): Promise<string[]> {
  return page.$$eval(".term .screen .row", (rows) => rows.map((r) => (r.textContent ?? "").replace(/ +$/, "")));
}

/** A test server and a browser for one test file: started before its tests, stopped after them. */
export function serverAndBrowser(): { server: TestServer; browser: Browser } {
  const ctx = {} as { server: TestServer; browser: Browser };
  beforeAll(async () => {
    ctx.server = await startTestServer();
    ctx.browser = await launch();
  });
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.server?.stop();
  });
  return ctx;
}
