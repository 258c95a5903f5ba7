/**
 * The light theme with a real Claude Code dialog (a PTY recording of 2.1.330 replayed under
 * claude-remote exec), in real Chromium at 390 px: the selected option keeps a contrast ratio of at
 * least 4.5:1 against what is drawn behind it, and Claude Code's ⏸ and ⎿ come from a font that has them.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { resolve, join } from "node:path";
import { type OuterPty, spawnInPty } from "../support/pty.ts";
import { BUN, CLI, tempDir } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { openPhone, screenshot, serverAndBrowser } from "./browser.ts";

// shared/ sits beside the checkout (CI, the main checkout); FIXTURES_DIR points elsewhere (a worktree)
const FIXTURES = join(process.env.FIXTURES_DIR ?? resolve(import.meta.dir, "../../../shared/fixtures"), "claude-code-2.1.330");
const REPLAY = join(import.meta.dir, "../prompts/fixtures/replay-dialog.ts");
const ctx = serverAndBrowser();
let pty: OuterPty;
let sessionId: string;

beforeAll(async () => {
  const { configDir } = await ctx.server.pairDevice("laptop");
  const f = "01-bash-echo";
  pty = spawnInPty(
    [
      BUN,
      CLI,
      "exec",
      "--name",
      "dialog",
      "--",
      BUN,
      REPLAY,
      join(FIXTURES, `${f}.raw`),
      join(FIXTURES, `${f}.json`),
      join(tempDir("cr-light-"), "key"),
    ],
    { cols: 100, rows: 30, env: { CLAUDE_REMOTE_CONFIG_DIR: configDir } },
  );
  sessionId = await waitFor(
    async () =>
      ((await (await ctx.server.api("/api/sessions")).json()) as { id: string; name: string }[]).find((s) => s.name === "dialog")?.id,
    { what: "the session" },
  );
  await waitFor(
    async () =>
      ((await (await ctx.server.api(`/api/sessions/${sessionId}/screen`)).json()) as { lines: string[] }).lines.some((l) =>
        l.includes("1. Yes"),
      ),
    { what: () => `the dialog on the server screen; pty:\n${pty.text().slice(-800)}` },
  );
}, 60_000);

afterAll(() => pty?.proc.kill());

/** WCAG 2 contrast ratio of two CSS rgb() colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = c
      .match(/[\d.]+/g)!
      .slice(0, 3)
      .map((v) => {
        const s = Number(v) / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

test("light theme: the selected option of Claude's dialog has a contrast of at least 4.5:1; ⏸ and ⎿ have a font", async () => {
  const { page, context } = await openPhone(ctx.browser, ctx.server.url, ctx.server.token, { colorScheme: "light" });
  try {
    await page.waitForSelector(".srow");
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(246, 247, 249)"); // the page is light
    await page.goto(`${ctx.server.url}/#/s/${sessionId}`);
    await page.waitForSelector(".view[data-ready]");
    const colours = await page.evaluate(() => {
      const row = Array.from(document.querySelectorAll(".term .screen .row")).find((r) => r.textContent?.includes("1. Yes"))!;
      const span = Array.from(row.querySelectorAll("span")).find((s) => s.textContent?.includes("Yes"))!;
      let bg = "rgba(0, 0, 0, 0)";
      for (let el: Element | null = span; el && /rgba\(0, 0, 0, 0\)|transparent/.test(bg); el = el.parentElement)
        bg = getComputedStyle(el).backgroundColor;
      return { fg: getComputedStyle(span).color, bg };
    });
    const ratio = contrast(colours.fg, colours.bg);
    console.log(`selected option ${colours.fg} on ${colours.bg}: ${ratio.toFixed(2)}:1`);
    expect(ratio).toBeGreaterThanOrEqual(4.5);

    const text = await page.locator(".term").innerText();
    expect(text).toContain("⎿"); // ⏸ is in the mode line, not drawn while the dialog is
    const faces = await page.evaluate(async () => (await document.fonts.load('16px "CR Glyphs"', "⏸⎿")).length);
    expect(faces).toBe(1);
    const res = await page.request.get(`${ctx.server.url}/fonts/claude-glyphs.woff2`);
    expect(res.status()).toBe(200);
    await screenshot(page, "session-light.png");
  } finally {
    await context.close();
  }
}, 60_000);
