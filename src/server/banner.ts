/**
 * The login link and its QR code: printed on the first start that generated the admin token, and
 * by `claude-remote login-link`. The link carries a one-time ticket (24 h), never the admin token.
 */
import { qrTerminal } from "./qr.ts";

export function loginUrl(base: string, ticket: string): string {
  // In the fragment: it never reaches server logs or proxies, and the page removes it at once.
  return `${base.replace(/\/$/, "")}/#login=${encodeURIComponent(ticket)}`;
}

export async function loginBanner(base: string, ticket: string): Promise<string> {
  const url = loginUrl(base, ticket);
  const qr = await qrTerminal(url);
  return [
    "",
    "claude-remote: open this link to log in. It works once, within 24 hours; `claude-remote login-link` prints a new one.",
    "(The admin token itself is in the data dir's admin-token file.)",
    "",
    `  ${url}`,
    "",
    "or scan it with your phone:",
    "",
    qr,
  ].join("\n");
}

export async function printLoginBanner(base: string, ticket: string): Promise<void> {
  process.stdout.write(`${await loginBanner(base, ticket)}\n`);
}
