/**
 * "Add device" in real Chromium at 390 px: the page says what to install and the one command to
 * run, and flips to "paired: <name>" as soon as the real `claude-remote pair` runs with that command.
 * Devices shows the notification channels in words. Screenshots of both views.
 */
import { expect, test } from "bun:test";
import { hostname } from "node:os";
import { BUN, CLI, tempDir } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { openPhone, screenshot, serverAndBrowser } from "./browser.ts";

const ctx = serverAndBrowser();

test("Add device shows the install step and the command; it flips to 'paired: <name>' when claude-remote pair runs", async () => {
  const { page, context } = await openPhone(ctx.browser, ctx.server.url, ctx.server.token);
  try {
    await page.waitForSelector(".srow, .empty");
    await page.goto(`${ctx.server.url}/#/pair`);
    const cmd = page.locator('[aria-label="pair command"]');
    await cmd.waitFor();
    const command = await cmd.innerText();
    expect(command).toMatch(new RegExp(`^claude-remote pair ${ctx.server.url} [0-9A-Z]{5}-[0-9A-Z]{5}$`));
    expect(await page.locator(".form").innerText()).toContain("npm install -g --install-links --allow-scripts=bun .");
    expect(await page.locator("img.qr").count()).toBe(0); // nothing on the laptop could scan it
    await screenshot(page, "pair.png");

    const [, url, code] = command.split(" ").slice(1);
    const configDir = tempDir("cr-pair-cli-");
    const run = Bun.spawn([BUN, CLI, "pair", url!, code!], {
      env: { ...process.env, CLAUDE_REMOTE_CONFIG_DIR: configDir },
      stdout: "pipe",
      stderr: "pipe",
    }); // async: the server runs in this process
    expect(await run.exited).toBe(0);
    const paired = page.locator(".paired");
    await paired.waitFor({ timeout: 10_000 });
    expect(await paired.innerText()).toBe(`paired: ${hostname()} (${hostname()})`);
    expect(await page.locator(".pair-code").count()).toBe(0); // the code and its countdown are gone
    await screenshot(page, "paired.png");

    // a pairing by another page's code does not flip this one
    await page.goto(`${ctx.server.url}/#/devices`);
    await page.goto(`${ctx.server.url}/#/pair`);
    await page.locator('[aria-label="pair command"]').waitFor();
    await ctx.server.pairDevice("someone-else");
    await Bun.sleep(500); // the event has long arrived (the flip above took one round trip)
    expect(await page.locator(".paired").count()).toBe(0);
  } finally {
    await context.close();
  }
}, 60_000);

test("Devices lists the notification channels in words, one per line", async () => {
  const { page, context } = await openPhone(ctx.browser, ctx.server.url, ctx.server.token);
  try {
    await page.waitForSelector(".srow, .empty");
    await page.goto(`${ctx.server.url}/#/devices`);
    const lines = page.locator("#notify-channels li");
    await waitFor(async () => (await lines.count()) > 1, { what: "the channel lines" });
    const text = await page.locator("#notify-channels").innerText();
    expect(text).toContain("Web Push: prompts, waiting agents, finished turns, exits, cost alerts · 0 sent, 0 failed");
    expect(text).toContain("Browsers subscribed: 0");
    expect(text).not.toContain("webpush:");
    await screenshot(page, "devices.png");
  } finally {
    await context.close();
  }
}, 30_000);
