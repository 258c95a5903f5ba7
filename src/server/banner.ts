/** Printed once, on the first start that generated the admin token: the login link and its QR code. */
import { qrTerminal } from "./qr.ts";

export function loginUrl(base: string, token: string): string {
  // The token rides in the fragment: it never reaches server logs or proxies, and the page removes it.
  return `${base.replace(/\/$/, "")}/#token=${encodeURIComponent(token)}`;
}

export async function loginBanner(base: string, token: string): Promise<string> {
  const url = loginUrl(base, token);
  const qr = await qrTerminal(url);
  return [
    "",
    "claude-remote: open this link once to log in (it is not shown again; the token is also in the data dir's admin-token file):",
    "",
    `  ${url}`,
    "",
    "or scan it with your phone:",
    "",
    qr,
  ].join("\n");
}

export async function printLoginBanner(base: string, token: string): Promise<void> {
  process.stdout.write(`${await loginBanner(base, token)}\n`);
}
