// The dashboard's search box (real Chromium): type a word, get the session that printed it, open it.
import { expect, test } from "bun:test";
import { openPhone, serverAndBrowser } from "../dashboard/browser.ts";
import { connectDevice } from "../support/device-client.ts";
import { waitFor } from "../support/wait.ts";

const ctx = serverAndBrowser();

test("search box finds the session that printed a word and links to it", async () => {
  const { server, browser } = ctx;
  const dev = await server.pairDevice();
  const c = await connectDevice(server.url, dev);
  for (const [id, text] of [
    ["ui-search-quokka", "a \x1b[1mquokka\x1b[0m <b>smiles</b>\r\n"],
    ["ui-search-other", "nothing to see\r\n"],
  ]) {
    await c.openSession(id, { name: id });
    c.output(id, 1, text);
  }
  await server.app.indexer.catchUp();
  await waitFor(async () => ((await (await server.api("/api/search?q=quokka")).json()) as unknown[]).length === 1, { what: "indexed" });

  const { page, errors, context } = await openPhone(browser, server.url, server.token);
  try {
    await page.locator('#tabs a[href="#/search"]').click();
    const box = page.getByRole("searchbox");
    await box.fill("quokka");
    const hit = page.locator('a.srow[data-id="ui-search-quokka"]');
    await hit.waitFor({ timeout: 15_000 });
    expect(await page.locator("a.srow").count()).toBe(1);
    expect(await hit.locator("mark").textContent()).toBe("quokka");
    expect(await hit.textContent()).toContain("<b>smiles</b>"); // output is shown as text, not markup
    await hit.click();
    await page.waitForURL(/#\/s\/ui-search-quokka$/);
    await box.waitFor({ state: "detached" });
    expect(errors).toEqual([]);
  } finally {
    await context.close();
    c.ws.close();
  }
});
