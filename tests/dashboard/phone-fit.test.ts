/**
 * "Fit width" at phone widths, in real Chromium: every column of 80-, 120- and 200-column sessions
 * is on screen without sideways scrolling, A+/A− step between fit and larger sizes, and the chosen
 * size survives a reload.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { type OuterPty, spawnInPty } from "../support/pty.ts";
import { BUN, CLI, startTestServer, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { launch, openPhone, PHONE_WIDTHS, screenshot } from "./browser.ts";

const RULER = join(import.meta.dir, "fixtures/ruler.ts");
const COLS = [80, 120, 200];
let server: TestServer;
let browser: Browser;
const ptys: OuterPty[] = [];
const ids = new Map<number, string>();

beforeAll(async () => {
  server = await startTestServer();
  const dev = await server.pairDevice("laptop");
  for (const cols of COLS) {
    ptys.push(
      spawnInPty([BUN, CLI, "exec", "--name", `ruler-${cols}`, "--", BUN, RULER], {
        env: { CLAUDE_REMOTE_CONFIG_DIR: dev.configDir },
        cols,
        rows: 20,
      }),
    );
    const id = await waitFor(
      async () => {
        const list = (await (await server.api("/api/sessions")).json()) as { id: string; name: string }[];
        return list.find((s) => s.name === `ruler-${cols}`)?.id;
      },
      { what: `the ${cols}-column session` },
    );
    await waitFor(
      async () =>
        ((await (await server.api(`/api/sessions/${id}/screen`)).json()) as { lines: string[] }).lines.some((l) => l.endsWith(">")),
      { what: "the ruler on the server screen" },
    );
    ids.set(cols, id);
  }
  browser = await launch();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const p of ptys) p.proc.kill();
  await server?.stop();
});

/** How the ruler row sits in the terminal's box: overflow of the scroller, and where its last character ends. */
function measure(page: Page) {
  return page.evaluate(() => {
    const wrap = document.querySelector(".termwrap") as HTMLElement;
    const row = Array.from(document.querySelectorAll(".term .screen .row")).find((r) => r.textContent?.startsWith("<")) as HTMLElement;
    const text = Array.from(row.querySelectorAll("span"))
      .map((s) => s.firstChild)
      .filter(Boolean)
      .pop() as Text;
    const range = document.createRange();
    range.setStart(text, text.length - 1);
    range.setEnd(text, text.length);
    const last = range.getBoundingClientRect();
    const box = wrap.getBoundingClientRect();
    return {
      overflow: wrap.scrollWidth - wrap.clientWidth,
      lastRight: last.right,
      boxRight: box.left + wrap.clientWidth,
      lastChar: row.textContent?.trimEnd().slice(-1),
      fontPx: parseFloat((document.querySelector(".term") as HTMLElement).style.fontSize),
      docOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    };
  });
}

async function openSession(page: Page, id: string) {
  await page.goto(page.url().replace(/#.*$/, `#/s/${id}`));
  await page.waitForSelector(".view[data-ready]");
  await page.waitForFunction(() => Array.from(document.querySelectorAll(".term .screen .row")).some((r) => r.textContent?.startsWith("<")));
}

for (const width of PHONE_WIDTHS) {
  test(`fit width at ${width} px shows every column of 80-, 120- and 200-column sessions without sideways overflow`, async () => {
    const { page, context } = await openPhone(browser, server.url, server.token, { width });
    try {
      await page.waitForSelector(".srow");
      for (const cols of COLS) {
        await openSession(page, ids.get(cols)!);
        const m = await measure(page);
        expect(m.lastChar).toBe(">");
        expect(m.overflow).toBeLessThanOrEqual(0);
        expect(m.docOverflow).toBeLessThanOrEqual(0);
        expect(m.lastRight).toBeLessThanOrEqual(m.boxRight);
        // nothing is wasted either: the row fills most of the width
        expect(m.lastRight).toBeGreaterThan(m.boxRight * 0.9);
        console.log(
          `fit ${width} px, ${cols} cols: ${m.fontPx} px font, last column ends at ${m.lastRight.toFixed(1)} of ${m.boxRight.toFixed(1)}`,
        );
      }
      await screenshot(page, `session-fit-${width}.png`);
    } finally {
      await context.close();
    }
  });
}

test("A+ and A− step between fit and larger sizes; the size survives a reload; the cursor's row stays in view", async () => {
  const { page, context } = await openPhone(browser, server.url, server.token, { width: 390 });
  try {
    await page.waitForSelector(".srow");
    await openSession(page, ids.get(120)!);
    const fit = await measure(page);
    expect(await page.locator(".view").getAttribute("data-size")).toBe("fit");
    await page.getByRole("button", { name: "larger text" }).click();
    const one = await measure(page);
    expect(one.fontPx).toBeGreaterThan(fit.fontPx);
    await page.getByRole("button", { name: "larger text" }).click();
    const two = await measure(page);
    expect(two.fontPx).toBeGreaterThan(one.fontPx);
    expect(two.overflow).toBeGreaterThan(0); // larger than fit: the row scrolls sideways
    const size = await page.locator(".view").getAttribute("data-size");
    expect(Number(size)).toBe(two.fontPx);
    // the bottom of the screen (where the input and dialogs are) is in view
    const inView = () =>
      page.evaluate(() => {
        const wrap = document.querySelector(".termwrap") as HTMLElement;
        const rows = document.querySelectorAll(".term .screen .row");
        const r = rows[rows.length - 1].getBoundingClientRect();
        const b = wrap.getBoundingClientRect();
        return r.bottom <= b.bottom + 1 && r.top >= b.top - 1;
      });
    expect(await inView()).toBe(true);

    await page.reload();
    await page.waitForSelector(".view[data-ready]");
    expect(await page.locator(".view").getAttribute("data-size")).toBe(size);
    expect((await measure(page)).fontPx).toBe(two.fontPx);
    expect(await inView()).toBe(true);

    await page.getByRole("button", { name: "smaller text" }).click();
    await page.getByRole("button", { name: "smaller text" }).click();
    expect(await page.locator(".view").getAttribute("data-size")).toBe("fit");
    expect((await measure(page)).overflow).toBeLessThanOrEqual(0);
    expect(await page.getByRole("button", { name: "smaller text" }).isDisabled()).toBe(true);
  } finally {
    await context.close();
  }
});

test("spreading two fingers on the screen steps the text size up, pinching steps it back to fit", async () => {
  const { page, context } = await openPhone(browser, server.url, server.token, { width: 390 });
  try {
    await page.waitForSelector(".srow");
    await page.evaluate(() => localStorage.removeItem("cr.textSize"));
    await openSession(page, ids.get(120)!);
    expect(await page.locator(".view").getAttribute("data-size")).toBe("fit");
    const box = (await page.locator(".termwrap").boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const cdp = await context.newCDPSession(page);
    const pinch = async (from: number, to: number) => {
      const pts = (d: number) => [
        { x: cx - d, y: cy, id: 1 },
        { x: cx + d, y: cy, id: 2 },
      ];
      await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: pts(from) });
      for (let i = 1; i <= 8; i++)
        await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: pts(from + ((to - from) * i) / 8) });
      await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    };
    await pinch(40, 120);
    await waitFor(async () => (await page.locator(".view").getAttribute("data-size")) !== "fit", { what: "a larger size after spreading" });
    await pinch(120, 40);
    await waitFor(async () => (await page.locator(".view").getAttribute("data-size")) === "fit", { what: "fit again after pinching" });
  } finally {
    await context.close();
  }
});
