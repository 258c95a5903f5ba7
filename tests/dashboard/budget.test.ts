/** The dashboard shell stays small enough for a slow mobile link (the budget is explained in public/index.html). */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { REPO } from "../support/server.ts";

const PUBLIC = join(REPO, "public");
const BUDGET_BYTES = 100 * 1024;

test("index.html + app.css + js/*.js stay under the 100 KB budget, and every module is preloaded and cached by the service worker", () => {
  const js = readdirSync(join(PUBLIC, "js")).filter((f) => f.endsWith(".js"));
  const files = ["index.html", "app.css", ...js.map((f) => `js/${f}`)];
  const total = files.reduce((n, f) => n + statSync(join(PUBLIC, f)).size, 0);
  const gzipped = gzipSync(Buffer.concat(files.map((f) => readFileSync(join(PUBLIC, f))))).length;
  console.log(`dashboard shell: ${files.length} files, ${total} bytes, ${gzipped} gzipped`);
  expect(total).toBeLessThan(BUDGET_BYTES);
  const html = readFileSync(join(PUBLIC, "index.html"), "utf8");
  const sw = readFileSync(join(PUBLIC, "sw.js"), "utf8");
  for (const f of js) {
    if (f !== "app.js") expect(html).toContain(`<link rel="modulepreload" href="/js/${f}">`);
    expect(sw).toContain(`'/js/${f}'`);
  }
  // No inline script or style (the CSP forbids them) and nothing from another origin.
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toMatch(/\sstyle=|<style/);
  expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
});
