/** Checks before any route: Host (DNS rebinding), body size, per-IP API rate limit, malformed paths and cookies. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type TestServer, startTestServer } from "../support/server.ts";
import { clientKey } from "../../src/server/http/request-guard.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { TRUST_PROXY: "true", PUBLIC_URL: "https://remote.example.test" } });
});
afterAll(() => server.stop());

test("bound to loopback, a request naming a foreign host (a DNS-rebinding page) is refused; loopback names and PUBLIC_URL pass", async () => {
  for (const host of ["evil.example:7200", "attacker.test", "192.168.1.5", "localhost.evil.example"]) {
    const res = await fetch(`${server.url}/api/sessions`, { headers: { Host: host, Authorization: `Bearer ${server.token}` } });
    expect({ host, status: res.status }).toEqual({ host, status: 403 });
    expect(((await res.json()) as { error: string }).error).toBe("forbidden_host");
  }
  const ws = await fetch(`${server.url}/ws`, { headers: { Host: "evil.example", Connection: "Upgrade", Upgrade: "websocket" } });
  expect(ws.status).toBe(403);
  for (const host of ["127.0.0.1", "localhost:1234", "[::1]:80", "remote.example.test", "app.localhost"]) {
    const res = await fetch(`${server.url}/api/me`, { headers: { Host: host, Authorization: `Bearer ${server.token}` } });
    expect({ host, status: res.status }).toEqual({ host, status: 200 });
  }
});

test("bodies over the cap get 413, on routes that read them and on those that do not", async () => {
  const big = await server.api("/api/pairing-codes", { method: "POST", body: "x".repeat(2 * 1024 * 1024) });
  expect(big.status).toBe(413);
  const login = await fetch(`${server.url}/api/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": "198.51.100.50" },
    body: JSON.stringify({ token: "a".repeat(100_000) }),
  });
  expect(login.status).toBe(413);
  expect(((await login.json()) as { error: string }).error).toBe("bad_request");
});

test("the API is rate-limited per client IP with 429 and Retry-After; other clients are unaffected", async () => {
  const ip = { "X-Forwarded-For": "203.0.113.200" };
  let first429: Response | null = null;
  let ok = 0;
  for (let i = 0; i < 800 && !first429; i++) {
    const res = await server.api("/api/me", { headers: ip });
    if (res.status === 429) first429 = res;
    else {
      expect(res.status).toBe(200);
      ok++;
      await res.body?.cancel();
    }
  }
  expect(first429).not.toBeNull();
  expect(ok).toBeGreaterThanOrEqual(600);
  expect(Number(first429!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  expect((await server.api("/api/me", { headers: { "X-Forwarded-For": "203.0.113.201" } })).status).toBe(200);
  // An IPv6 client counts as its /64: rotating addresses inside it does not buy more requests.
  expect(clientKey("2001:db8:1:2::1")).toBe(clientKey("2001:db8:1:2:ffff:eeee:dddd:1"));
  expect(clientKey("2001:db8:1:2::1")).not.toBe(clientKey("2001:db8:1:3::1"));
  expect(clientKey("::ffff:10.0.0.1")).toBe("10.0.0.1");
});

test("malformed percent-encoding in a path or cookie is a 400 or a plain 401, never a 500", async () => {
  for (const path of ["/api/sessions/%E0%A4%A", "/api/devices/%", "/%E0%A4%A.js"]) {
    const res = await server.api(path, { method: path.startsWith("/api/devices") ? "DELETE" : "GET" });
    expect({ path, status: res.status }).toEqual({ path, status: 400 });
  }
  const res = await fetch(`${server.url}/api/me`, { headers: { Cookie: "cr_session=%E0%A4%A; x=%" } });
  expect(res.status).toBe(401);
});
