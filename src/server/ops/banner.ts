/**
 * The login link and its QR code: printed on the first start that generated the admin token, and
 * by `claude-remote login-link`. The link carries a one-time ticket (24 h), never the admin token.
 * A QR code is printed only for an address a phone can open: on a loopback address the banner says
 * how to make the server reachable instead.
 */
import { qrTerminal } from "../http/qr.ts";

export function loginUrl(base: string, ticket: string): string {
  // In the fragment: it never reaches server logs or proxies, and the page removes it at once.
  return `${base.replace(/\/$/, "")}/#login=${encodeURIComponent(ticket)}`;
}

/** True for 127.0.0.0/8, ::1, localhost, 0.0.0.0: addresses that mean "this machine" to whoever opens them. */
export function isLoopbackUrl(base: string): boolean {
  let host: string;
  try {
    host = new URL(base).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return false;
  }
  return (
    host === "localhost" || host.endsWith(".localhost") || host === "::1" || host === "0.0.0.0" || host === "::" || /^127\./.test(host)
  );
}

/** What to do when the server's address is this machine only. */
const REACH_FROM_PHONE = [
  "Your phone cannot open this address: it is this machine's loopback. To use the dashboard from a phone, either",
  "  - on the same network: restart with HOST=0.0.0.0 PUBLIC_URL=http://<this machine's LAN IP>:<port> (plain HTTP: only on a network you trust), or",
  "  - over the internet with TLS: `docker compose --profile tls up -d` with DOMAIN set (Caddy; docs/SELF-HOSTING.md), and PUBLIC_URL=https://<DOMAIN>.",
  "Then run `claude-remote login-link` for a link (and QR code) with that address.",
].join("\n");

export async function loginBanner(base: string, ticket: string): Promise<string> {
  const url = loginUrl(base, ticket);
  const head = [
    "",
    "claude-remote: open this link to log in. It works once, within 24 hours; `claude-remote login-link` prints a new one.",
    "(The admin token itself is in the data dir's admin-token file.)",
    "",
    `  ${url}`,
    "",
  ];
  if (isLoopbackUrl(base)) return [...head, REACH_FROM_PHONE, ""].join("\n");
  return [...head, "or scan it with your phone:", "", await qrTerminal(url)].join("\n");
}

export async function printLoginBanner(base: string, ticket: string): Promise<void> {
  process.stdout.write(`${await loginBanner(base, ticket)}\n`);
}

/** A restarted server prints no link (the first start did): it says how to get one. */
export function restartBanner(base: string): string {
  return `claude-remote: dashboard at ${base}. To log in (a phone, a new browser), run \`claude-remote login-link\` for a one-time link.${isLoopbackUrl(base) ? `\n${REACH_FROM_PHONE}` : ""}\n`;
}
