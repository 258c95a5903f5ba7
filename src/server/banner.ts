/** Printed once, on the first start that generated the admin token. */
export function loginUrl(base: string, token: string): string {
  // The token rides in the fragment: it never reaches server logs or proxies, and the page removes it.
  return `${base.replace(/\/$/, "")}/#token=${encodeURIComponent(token)}`;
}

export function printLoginBanner(base: string, token: string): void {
  const url = loginUrl(base, token);
  process.stdout.write(`\nclaude-remote: open this link once to log in (it is not shown again):\n\n  ${url}\n\n`);
}
