/** Pairing codes: one-time, short-lived, 50 bits, stored hashed, and guessing is rate-limited per IP and globally. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { PAIRING_TTL_MS, normalizeCode } from "../../src/server/http/routes/pairing.ts";
import { type TestServer, startTestServer } from "../support/server.ts";
import { auditActions } from "./support.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { TRUST_PROXY: "true" } });
});
afterAll(() => server.stop());

async function newCode(): Promise<{ code: string; expiresAt: number; command: string; qrSvg: string; qrDataUrl: string }> {
  const res = await server.api("/api/pairing-codes", { method: "POST" });
  expect(res.status).toBe(200);
  return (await res.json()) as never;
}

function pair(code: string, ip: string, name = "laptop") {
  return fetch(`${server.url}/api/pair`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": ip },
    body: JSON.stringify({ code, name, host: "build-box" }),
  });
}

/** Like a patient client: on 429, waits Retry-After (a few times at most) and tries again. */
async function pairPatiently(code: string, ip: string): Promise<Response> {
  for (let i = 0; ; i++) {
    const res = await pair(code, ip);
    if (res.status !== 429 || i === 3) return res;
    await Bun.sleep(Number(res.headers.get("retry-after")) * 1000 + 100);
  }
}

/** A code of the right shape that was never issued. */
function wrongCode(i: number): string {
  const s = (i.toString(32).toUpperCase() + "ZZZZZZZZZZ").slice(0, 10).replace(/[ILOU]/g, "Z");
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

test("a code is 10 symbols of a 32-letter alphabet (50 bits), lives at most 10 minutes, and comes with the command and its QR", async () => {
  const before = Date.now();
  const c = await newCode();
  expect(c.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
  expect(PAIRING_TTL_MS).toBeLessThanOrEqual(10 * 60 * 1000);
  expect(c.expiresAt - before).toBeLessThanOrEqual(10 * 60 * 1000 + 1000);
  expect(c.expiresAt).toBeGreaterThan(Date.now());
  expect(c.command).toBe(`claude-remote pair ${server.url} ${c.code}`);
  expect(c.qrSvg.startsWith("<svg")).toBe(true);
  expect(c.qrSvg).not.toContain("<script");
  expect(c.qrDataUrl).toBe(`data:image/svg+xml;base64,${Buffer.from(c.qrSvg).toString("base64")}`);
  // Only the hash is kept.
  const rows = server.app.store.db.query("SELECT * FROM pairing_codes").all() as Record<string, unknown>[];
  expect(JSON.stringify(rows)).not.toContain(c.code);
  expect(JSON.stringify(rows)).not.toContain(normalizeCode(c.code));
  const codes = new Set((await Promise.all(Array.from({ length: 5 }, newCode))).map((x) => x.code));
  expect(codes.size).toBe(5);
});

test("200 wrong codes from one IP are rate-limited; the right code then works once for the right client, and never again", async () => {
  const { code } = await newCode();
  const statuses: number[] = [];
  let retryAfter = "";
  for (let i = 0; i < 200; i++) {
    const res = await pair(wrongCode(i), "203.0.113.66");
    statuses.push(res.status);
    if (res.status === 429) retryAfter = res.headers.get("retry-after") ?? "";
    await res.body?.cancel();
  }
  expect(statuses.filter((s) => s === 401).length).toBe(10);
  expect(statuses.filter((s) => s === 429).length).toBe(190);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  // The attacker's IP stays limited even with the right code.
  expect((await pair(code, "203.0.113.66")).status).toBe(429);

  const ok = await pair(code.toLowerCase().replace("-", " "), "192.0.2.10", "right-laptop");
  expect(ok.status).toBe(200);
  const creds = (await ok.json()) as { deviceId: string; secret: string };
  expect(creds.deviceId).toMatch(/^dev_/);
  expect(creds.secret.length).toBeGreaterThanOrEqual(40);

  expect((await pair(code, "192.0.2.10")).status).toBe(401);
  expect((await pair(code, "192.0.2.11")).status).toBe(401);

  const devices = (await (await server.api("/api/devices")).json()) as { id: string; name: string; host: string }[];
  expect(devices.filter((d) => d.name === "right-laptop").map((d) => d.id)).toEqual([creds.deviceId]);
  const audit = await auditActions(server);
  expect(audit.filter((a) => a.action === "pair.failed" && a.ip === "203.0.113.66").length).toBe(10);
  expect(audit.filter((a) => a.action === "pair" && a.target === creds.deviceId).length).toBe(1);
});

test("guesses spread over many IPs hit the global budget; the right client gets in after Retry-After", async () => {
  const { code } = await newCode();
  const statuses: number[] = [];
  for (let i = 0; i < 200; i++) {
    const res = await pair(wrongCode(1000 + i), `10.9.${i >> 8}.${i & 255}`);
    statuses.push(res.status);
    await res.body?.cancel();
  }
  // At most the global burst (60) plus its refill got through to a code lookup.
  expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(70);
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(130);
  expect((await pairPatiently(code, "192.0.2.20")).status).toBe(200);
  expect((await pairPatiently(code, "192.0.2.20")).status).toBe(401);
});

test("an expired code is refused", async () => {
  const { code } = await newCode();
  server.app.store.db.query("UPDATE pairing_codes SET expires_at = ? WHERE used_at IS NULL").run(Date.now() - 1);
  expect((await pairPatiently(code, "192.0.2.30")).status).toBe(401);
});
