/**
 * The one-time login link in a real browser: opening it logs the phone in and removes the ticket
 * from the address bar; the same link on a second phone shows the login form with a message that
 * says what happened, and the first phone stays logged in when it opens the link again. A logged-in
 * phone can show a new link as a QR code for another phone.
 */
import { expect, test } from "bun:test";
import { loginUrl } from "../../src/server/ops/banner.ts";
import { openPhone, PHONE, screenshot, serverAndBrowser } from "./browser.ts";

const ctx = serverAndBrowser();

async function phoneAt(url: string) {
  const context = await ctx.browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  return { context, page, errors };
}

test("a login link works once: the first phone is logged in with the ticket gone from the URL; a second phone is told the link was used", async () => {
  const link = loginUrl(ctx.server.url, ctx.server.app.auth.issueLoginTicket().ticket);
  const first = await phoneAt(link);
  await first.page.locator("#tabs").waitFor({ state: "visible" });
  expect(new URL(first.page.url()).hash).toBe("#/");
  expect(await first.page.locator("form.form").count()).toBe(0);
  const cookies = await first.context.cookies();
  expect(cookies.map((c) => c.name)).toContain("cr_session");

  const second = await phoneAt(link);
  const alert = second.page.locator("form.form .error");
  await alert.waitFor();
  expect(await alert.innerText()).toContain("already used or has expired");
  expect(await second.page.locator("#tabs").isVisible()).toBe(false);

  // the first phone opening its (now used) link again stays logged in
  await first.page.goto(link);
  await first.page.reload();
  await first.page.locator("#tabs").waitFor({ state: "visible" });
  expect(await first.page.locator("form.form").count()).toBe(0);
  expect([...first.errors, ...second.errors]).toEqual([]);
  await first.context.close();
  await second.context.close();
}, 60_000);

test("a logged-in phone shows a login link for another phone (Devices, Log in a phone); the other phone opens it and is in", async () => {
  const a = await openPhone(ctx.browser, ctx.server.url, ctx.server.token);
  await a.page.goto(`${ctx.server.url}/#/devices`);
  await a.page.getByRole("button", { name: "Log in a phone" }).tap();
  const shown = a.page.locator('[aria-label="login link URL"]');
  await shown.waitFor();
  const url = await shown.innerText();
  expect(url).toStartWith(`${ctx.server.url}/#login=`);
  expect(await a.page.locator('img.qr[alt="QR code of the login link"]').count()).toBe(1);
  await screenshot(a.page, "login-link.png");
  const b = await phoneAt(url);
  await b.page.locator("#tabs").waitFor({ state: "visible" });
  expect(await b.page.locator("form.form").count()).toBe(0);
  const audit = (await (await ctx.server.api("/api/audit?limit=50")).json()) as { action: string }[];
  expect(audit.map((e) => e.action)).toContain("login_link.create");
  expect([...a.errors, ...b.errors]).toEqual([]);
  await a.context.close();
  await b.context.close();
}, 60_000);
