/**
 * Every route in ROUTES (so a new one cannot slip by) refuses a caller without credentials, with a
 * wrong token, with an expired or logged-out browser session. The open routes are listed here by hand.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ROUTES } from "../../src/server/app.ts";
import { type TestServer, startTestServer } from "../support/server.ts";
import { fillPath, login } from "./support.ts";

// POST /api/prompts/:id/answer-link/:token: a notification's answer button; the single-use token for that prompt and option is.
const OPEN = ["GET /health", "GET /ready", "POST /api/login", "POST /api/pair", "POST /api/prompts/:id/answer-link/:token"].sort();

let server: TestServer;
let expiredCookie: Record<string, string>;
let loggedOutCookie: Record<string, string>;
let liveCookie: string;

beforeAll(async () => {
  server = await startTestServer();
  expiredCookie = (await login(server)).auth;
  server.app.store.db.query("UPDATE web_sessions SET expires_at = ?").run(Date.now() - 1000);
  loggedOutCookie = (await login(server)).auth;
  liveCookie = (await login(server)).cookie;
  expect((await fetch(`${server.url}/api/me`, { headers: loggedOutCookie })).status).toBe(200);
  const out = await fetch(`${server.url}/api/logout`, { method: "POST", headers: { ...loggedOutCookie, Origin: server.url } });
  expect(out.status).toBe(200);
  expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
});
afterAll(() => server.stop());

const adminRoutes = ROUTES.filter((r) => r.auth === "admin");

test("the open routes are exactly the ones the design allows", () => {
  expect(
    ROUTES.filter((r) => r.auth === "open")
      .map((r) => `${r.method} ${r.path}`)
      .sort(),
  ).toEqual(OPEN);
  expect(adminRoutes.length).toBeGreaterThan(10);
  expect(adminRoutes.some((r) => r.path === "/events")).toBe(true);
});

const badCredentials: [string, () => Record<string, string>][] = [
  ["no credentials", () => ({})],
  ["a wrong Bearer token", () => ({ Authorization: "Bearer not-the-admin-token-0123456789" })],
  ["a Bearer token of the right length but wrong", () => ({ Authorization: `Bearer ${"x".repeat(server.token.length)}` })],
  ["Basic auth with the right token", () => ({ Authorization: `Basic ${btoa(`admin:${server.token}`)}` })],
  ["an expired session cookie (with its page key)", () => expiredCookie],
  ["a logged-out session cookie (with its page key)", () => loggedOutCookie],
  ["a live session cookie without its page key", () => ({ Cookie: liveCookie, Origin: server.url })],
  ["a forged session cookie", () => ({ Cookie: "cr_session=forged-value; __Host-cr_session=forged%zz" })],
];

for (const route of adminRoutes) {
  for (const path of route.path === "/events" ? ["/events", "/events?session=no-such-session-0000"] : [fillPath(route.path)]) {
    test(`${route.method} ${path}: refused with 401 for every bad credential, served with the right one`, async () => {
      for (const [what, headers] of badCredentials) {
        const res = await fetch(server.url + path, {
          method: route.method,
          headers: { "Content-Type": "application/json", ...headers() },
          body: route.method === "GET" ? undefined : "{}",
        });
        expect({ what, status: res.status }).toEqual({ what, status: 401 });
        expect(res.headers.get("www-authenticate")).toBe("Bearer");
        expect(res.headers.get("access-control-allow-origin")).toBeNull();
        expect(((await res.json()) as { error: string }).error).toBe("unauthorized");
      }
      // The same request with the admin token is not refused for auth (so the check above can fail).
      const ok = await server.api(path, { method: route.method, body: route.method === "GET" ? undefined : "{}" });
      expect(ok.status).not.toBe(401);
      expect(ok.status).toBeLessThan(500);
      await ok.body?.cancel();
    });
  }
}

test("open routes answer without credentials and never with CORS headers", async () => {
  for (const r of ROUTES.filter((r) => r.auth === "open")) {
    const res = await fetch(server.url + r.path, {
      method: r.method,
      headers: { "Content-Type": "application/json", Origin: server.url },
      body: r.method === "GET" ? undefined : "{}",
    });
    expect(res.status).not.toBe(401);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  }
});

test("a CORS preflight from another origin gets no Access-Control-* headers", async () => {
  for (const path of ["/api/sessions", "/api/login", "/api/pair", "/events", "/api/devices/x"]) {
    const res = await fetch(server.url + path, {
      method: "OPTIONS",
      headers: {
        Origin: "http://evil.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization",
      },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    const cors: string[] = [];
    res.headers.forEach((_, k) => k.startsWith("access-control-") && cors.push(k));
    expect(cors).toEqual([]);
  }
});

test("/ws without a device handshake gets nothing but the challenge, then is closed", async () => {
  const ws = new WebSocket(server.url.replace("http", "ws") + "/ws");
  const frames: string[] = [];
  ws.onmessage = (e) => frames.push(String(e.data));
  const closed = new Promise<number>((r) => (ws.onclose = (e) => r(e.code)));
  await new Promise((r) => (ws.onopen = r));
  ws.send(
    JSON.stringify({
      type: "session.open",
      sessionId: "abcdefgh1234",
      name: "x",
      command: ["x"],
      cwd: "/",
      cols: 80,
      rows: 24,
      startedAt: 0,
    }),
  );
  expect(await closed).toBe(4001);
  expect(frames.map((f) => JSON.parse(f).type)).toEqual(["challenge", "error"]);
});
