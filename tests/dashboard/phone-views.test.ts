/**
 * Every view of the dashboard at 360, 390 and 430 px in real Chromium: nothing sticks out sideways
 * (the page never scrolls horizontally). Screenshots of each view at each width go to docs/screenshots.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { type OuterPty, spawnInPty } from "../support/pty.ts";
import { BUN, CLI } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { openPhone, PHONE_WIDTHS, screenshot, serverAndBrowser } from "./browser.ts";

const ctx = serverAndBrowser();
let live: OuterPty;
let liveId: string;

beforeAll(async () => {
  const { configDir } = await ctx.server.pairDevice("a-laptop-with-a-rather-long-hostname.example.internal");
  const env = { CLAUDE_REMOTE_CONFIG_DIR: configDir };
  const done = spawnInPty(
    [BUN, CLI, "exec", "--name", "a session name long enough to need an ellipsis on a small phone", "--", "bash", "-c", "echo ok; exit 1"],
    { env, cols: 80, rows: 10 },
  );
  await done.exited;
  live = spawnInPty([BUN, CLI, "exec", "--name", "server", "--", BUN, join(import.meta.dir, "fixtures/ruler.ts")], {
    env,
    cols: 120,
    rows: 24,
  });
  liveId = await waitFor(
    async () =>
      ((await (await ctx.server.api("/api/sessions")).json()) as { id: string; name: string }[]).find((s) => s.name === "server")?.id,
    { what: "the live session" },
  );
}, 60_000);

afterAll(() => live?.proc.kill());

const VIEWS: [string, string, string][] = [
  ["sessions", "#/", ".srow"],
  ["session", "#/s/ID", ".view[data-ready]"],
  ["devices", "#/devices", "#notify-channels li"],
  ["pair", "#/pair", '[aria-label="pair command"]'],
  ["search", "#/search", "input"],
];

for (const width of PHONE_WIDTHS) {
  test(`at ${width} px no view overflows sideways`, async () => {
    const { page, context, errors } = await openPhone(ctx.browser, ctx.server.url, ctx.server.token, { width });
    try {
      await page.waitForSelector(".srow");
      for (const [name, hash, ready] of VIEWS) {
        await page.goto(`${ctx.server.url}/${hash.replace("ID", liveId)}`);
        await page.waitForSelector(ready);
        if (name === "session") await page.getByRole("button", { name: "session actions" }).click(); // the menu open too
        const over = await page.evaluate(() => {
          const w = document.documentElement.clientWidth;
          const out = Array.from(document.querySelectorAll("#app *")).filter((el) => {
            if ((el as HTMLElement).closest(".termwrap, pre, .diff")) return false; // these scroll inside their own box
            const r = el.getBoundingClientRect();
            return r.width > 0 && r.right > w + 0.5;
          });
          return { doc: document.documentElement.scrollWidth - w, out: out.slice(0, 5).map((el) => `${el.tagName}.${el.className}`) };
        });
        expect({ view: name, ...over }).toEqual({ view: name, doc: 0, out: [] });
        await screenshot(page, `${name}-${width}.png`);
      }
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
}
