/**
 * Login from a phone: the first-start banner (a one-time link + terminal QR, never the admin token),
 * `claude-remote login-link`, tickets that work once, the cookie's attributes, expiry, logout, limits.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import QRCode from "qrcode";
import { SESSION_TTL_MS } from "../../src/server/http/auth.ts";
import { sha256hex } from "../../src/server/secrets.ts";
import { SCHEMA_VERSION } from "../../src/store/migrations.ts";
import { BUN, CLI, type TestServer, freePort, spawnServerProcess, startTestServer, tempDir, waitForHealth } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { auditActions, login } from "./support.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { TRUST_PROXY: "true" } });
});
afterAll(() => server.stop());

async function collect(stream: ReadableStream<Uint8Array>, onText: (t: string) => void): Promise<void> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onText(decoder.decode(value, { stream: true }));
  }
}

const ticketIn = (text: string, base: string): string | undefined => {
  const m = new RegExp(`${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/#login=([A-Za-z0-9_-]+)`).exec(text);
  return m?.[1];
};
const loginWith = (url: string, body: unknown, ip?: string) =>
  fetch(`${url}/api/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(ip ? { "X-Forwarded-For": ip } : {}) },
    body: JSON.stringify(body),
  });

test("first start prints a one-time login link (not the admin token) and its QR code; later starts do not; login-link prints a new one", async () => {
  const dataDir = tempDir("cr-banner-");
  const port = freePort();
  const local = `http://127.0.0.1:${port}`;
  const env = {
    PORT: String(port),
    CLAUDE_REMOTE_DATA_DIR: dataDir,
    PUBLIC_URL: "https://remote.example.test",
    CLAUDE_REMOTE_ADMIN_TOKEN: "",
  };
  const first = spawnServerProcess(env);
  let out = "";
  let cliOut = "";
  const reader = collect(first.stdout, (t) => (out += t));
  try {
    await waitForHealth(local);
    const token = readFileSync(join(dataDir, "admin-token"), "utf8").trim();
    expect(token.length).toBeGreaterThanOrEqual(40);
    const ticket = await waitFor(() => out.includes("▀") && ticketIn(out, "https://remote.example.test"), {
      what: "banner with link and QR",
    });
    const url = `https://remote.example.test/#login=${ticket}`;
    const qr = await QRCode.toString(url, { type: "terminal", small: true, errorCorrectionLevel: "L" });
    expect(out).toContain(qr.trim()); // the QR printed is the QR of exactly that link
    expect(out).not.toContain(token);
    expect(out).not.toContain("#token=");
    // the link works once
    const ok = await loginWith(local, { ticket });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("set-cookie")).toMatch(/^__Host-cr_session=/); // PUBLIC_URL is https
    const again = await loginWith(local, { ticket });
    expect(again.status).toBe(401);
    expect(((await again.json()) as { detail: string }).detail).toBe("unknown, used or expired login link");

    // a new link from the command line, while the server runs
    const cli = Bun.spawnSync([BUN, CLI, "login-link"], { env: { ...process.env, ...env } });
    expect(cli.exitCode).toBe(0);
    const printed = (cliOut = cli.stdout.toString());
    const fresh = ticketIn(printed, "https://remote.example.test");
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(ticket);
    expect(printed).not.toContain(token);
    expect((await loginWith(local, { ticket: fresh })).status).toBe(200);
    expect((await loginWith(local, { ticket: fresh })).status).toBe(401);
  } finally {
    first.kill();
    await first.exited;
    await reader;
  }
  const second = spawnServerProcess(env);
  let out2 = "";
  const reader2 = collect(second.stdout, (t) => (out2 += t));
  try {
    await waitForHealth(local);
    await Bun.sleep(300);
  } finally {
    second.kill();
    await second.exited;
    await reader2;
  }
  expect(out2).not.toContain("#login=");
  // only hashes of tickets are kept; the command line's link is audited
  const db = new Database(join(dataDir, "claude-remote.db"));
  try {
    const rows = db.query("SELECT * FROM login_tickets").all() as Record<string, unknown>[];
    const tickets = [ticketIn(out, "https://remote.example.test")!, ticketIn(cliOut, "https://remote.example.test")!];
    expect(rows.map((r) => r.ticket_hash).sort()).toEqual(tickets.map((t) => sha256hex(t)).sort());
    for (const r of rows) for (const t of tickets) expect(Object.values(r)).not.toContain(t);
    expect(db.query("SELECT actor FROM audit WHERE action = 'login_link.create'").all()).toEqual([{ actor: "cli:login-link" }]);
    // a database at another schema version (a server not restarted after an upgrade) is left alone
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION - 1}`);
    const refused = Bun.spawnSync([BUN, CLI, "login-link"], { env: { ...process.env, ...env } });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr.toString()).toContain(`schema v${SCHEMA_VERSION - 1}`);
    expect((db.query("SELECT COUNT(*) AS n FROM login_tickets").get() as { n: number }).n).toBe(2);
  } finally {
    db.close();
  }
});

test("one ticket, two logins at the same instant: exactly one gets in", async () => {
  const ticket = server.app.auth.issueLoginTicket().ticket;
  const statuses = (
    await Promise.all([loginWith(server.url, { ticket }, "203.0.113.24"), loginWith(server.url, { ticket }, "203.0.113.24")])
  ).map((r) => r.status);
  expect(statuses.sort()).toEqual([200, 401]);
});

test("login bodies: an expired or unknown ticket is refused, both or neither of token and ticket is a named 400, and nothing is spent by a refusal", async () => {
  const expired = server.app.auth.issueLoginTicket(-1000).ticket;
  expect((await loginWith(server.url, { ticket: expired }, "203.0.113.21")).status).toBe(401);
  expect((await loginWith(server.url, { ticket: "never-issued-ticket" }, "203.0.113.21")).status).toBe(401);
  const valid = server.app.auth.issueLoginTicket().ticket;
  for (const body of [{ token: server.token, ticket: valid }, {}, { ticket: "" }]) {
    const res = await loginWith(server.url, body, "203.0.113.22");
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/token|ticket/);
  }
  expect((await loginWith(server.url, { ticket: valid }, "203.0.113.23")).status).toBe(200); // still unused after the refusals
  const audit = await auditActions(server);
  expect(audit.some((a) => a.action === "login" && a.detail?.via === "link")).toBe(true);
  expect(audit.some((a) => a.action === "login.failed" && a.detail?.via === "link")).toBe(true);
});

test("login over http sets an HttpOnly, SameSite=Strict cookie that is not Secure and works; Bearer keeps working", async () => {
  const { cookie, setCookie, auth } = await login(server);
  const attrs = setCookie.split(";").map((s) => s.trim());
  expect(cookie.startsWith("cr_session=")).toBe(true);
  expect(attrs).toContain("HttpOnly");
  expect(attrs).toContain("SameSite=Strict");
  expect(attrs).toContain("Path=/");
  expect(attrs).toContain(`Max-Age=${SESSION_TTL_MS / 1000}`);
  expect(attrs.some((a) => /^secure$/i.test(a))).toBe(false);
  expect(attrs.some((a) => /^domain=/i.test(a))).toBe(false);
  expect((await fetch(`${server.url}/api/me`, { headers: auth })).status).toBe(200);
  expect((await fetch(`${server.url}/api/me`, { headers: { Cookie: cookie } })).status).toBe(401); // the page key is needed too
  expect((await server.api("/api/me")).status).toBe(200);
});

test("behind an https proxy the cookie is __Host- prefixed and Secure, and a plain cookie is not accepted there", async () => {
  const https = { "X-Forwarded-Proto": "https" };
  const { cookie, setCookie, auth, pageKey } = await login(server, https);
  expect(cookie.startsWith("__Host-cr_session=")).toBe(true);
  const attrs = setCookie.split(";").map((s) => s.trim());
  expect(attrs).toContain("Secure");
  expect(attrs).toContain("Path=/");
  expect(attrs.some((a) => /^domain=/i.test(a))).toBe(false);
  expect((await fetch(`${server.url}/api/me`, { headers: { ...auth, ...https } })).status).toBe(200);
  // Over https too the cookie alone is not a login: the page key is needed beside it.
  expect((await fetch(`${server.url}/api/me`, { headers: { Cookie: cookie, ...https } })).status).toBe(401);
  // A cookie without the prefix could have been planted over plain http: not accepted over https.
  const plain = cookie.replace("__Host-cr_session=", "cr_session=");
  expect((await fetch(`${server.url}/api/me`, { headers: { ...auth, Cookie: plain, ...https } })).status).toBe(401);
  expect(pageKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
});

test("with an https PUBLIC_URL the cookie is Secure even on a proxy that does not say so", async () => {
  const s = await startTestServer({ env: { PUBLIC_URL: "https://remote.example.test" } });
  try {
    const { setCookie } = await login(s);
    expect(setCookie.startsWith("__Host-cr_session=")).toBe(true);
    expect(setCookie).toContain("Secure");
  } finally {
    await s.stop();
  }
});

test("sessions expire server-side; logout ends the session and clears the cookie", async () => {
  const { cookie, auth } = await login(server);
  const hash = new Bun.CryptoHasher("sha256").update(cookie.split("=")[1]).digest("hex");
  const row = server.app.store.db.query("SELECT expires_at FROM web_sessions WHERE token_hash = ?").get(hash) as { expires_at: number };
  expect(row.expires_at).toBeGreaterThan(Date.now() + SESSION_TTL_MS - 60_000);
  expect(row.expires_at).toBeLessThanOrEqual(Date.now() + SESSION_TTL_MS);

  expect((await fetch(`${server.url}/api/me`, { headers: auth })).status).toBe(200);
  const out = await fetch(`${server.url}/api/logout`, { method: "POST", headers: { ...auth, Origin: server.url } });
  expect(out.status).toBe(200);
  expect(out.headers.get("set-cookie")).toMatch(/^cr_session=; .*Max-Age=0/);
  expect((await fetch(`${server.url}/api/me`, { headers: auth })).status).toBe(401);
});

test("wrong tokens are refused and audited; the 11th try from one IP gets 429 + Retry-After, another IP still logs in", async () => {
  const ip = { "X-Forwarded-For": "198.51.100.7", "User-Agent": "attacker-agent/1.0" };
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 15; i++) {
    const res = await fetch(`${server.url}/api/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...ip },
      body: JSON.stringify({ token: `wrong-${i}` }),
    });
    statuses.push(res.status);
    if (res.status === 429) retryAfter = res.headers.get("retry-after");
  }
  expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
  expect(statuses.slice(10)).toEqual(Array(5).fill(429));
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  // The right token from that IP is still limited; from another IP it works.
  const again = await fetch(`${server.url}/api/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...ip },
    body: JSON.stringify({ token: server.token }),
  });
  expect(again.status).toBe(429);
  await login(server, { "X-Forwarded-For": "198.51.100.8", "User-Agent": "phone-browser/2.0" });

  const audit = await auditActions(server);
  const failed = audit.filter((a) => a.action === "login.failed" && a.ip === "198.51.100.7");
  expect(failed.length).toBe(10);
  expect(failed[0].userAgent).toBe("attacker-agent/1.0");
  expect(failed[0].actor).toBe("anonymous");
  const ok = audit.find((a) => a.action === "login" && a.ip === "198.51.100.8")!;
  expect(ok.userAgent).toBe("phone-browser/2.0");
  expect(ok.actor).toMatch(/^admin:browser:[0-9a-f]{12}$/);
  expect(Math.abs(ok.ts - Date.now())).toBeLessThan(60_000);
  expect(JSON.stringify(audit)).not.toContain(server.token);
});
