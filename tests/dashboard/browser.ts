/** Real Chromium (playwright-core) at a phone viewport, logged in to a test server by the printed link. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "bun:test";
import { REPO, startTestServer, type TestServer } from "../support/server.ts";

export const PHONE = { width: 390, height: 844 };
/** Phone widths the layout is checked at: a small Android, an iPhone, a large phone. */
export const PHONE_WIDTHS = [360, 390, 430];
/** Every test run refreshes the screenshots of docs/screenshots (SCREENSHOTS_DIR puts them elsewhere). */
export const SCREENSHOTS = process.env.SCREENSHOTS_DIR || join(REPO, "docs/screenshots");

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export type Phone = { context: BrowserContext; page: Page; errors: string[] };

/** A fresh phone-sized page logged in through `<base>/#token=…`; collects page errors and CSP violations. */
export async function openPhone(
  browser: Browser,
  baseUrl: string,
  token: string,
  opts: { colorScheme?: "dark" | "light"; width?: number } = {},
): Promise<Phone> {
  const viewport = opts.width ? { width: opts.width, height: Math.round(opts.width * 2.16) } : PHONE;
  const context = await browser.newContext({
    viewport,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    colorScheme: opts.colorScheme ?? "dark",
  });
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
