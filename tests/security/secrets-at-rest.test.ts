/**
 * A stolen database (or backup) holds no usable secret: after logins, pairings, code creation and a
 * live device connection, neither the SQLite file nor its WAL contains the admin token, a device
 * secret or key, a pairing code or a session cookie in clear. Secret files are private to the user.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { deviceKey } from "../../src/protocol/handshake.ts";
import { BUN, CLI, type TestServer, startTestServer, tempDir } from "../support/server.ts";
import { helloFor, login, rawSocket } from "./support.ts";

let server: TestServer;
beforeAll(async () => {
  // No token in the environment: the server generates and keeps one, as on a first start.
  server = await startTestServer({ dataDir: join(tempDir("cr-rest-"), "data"), env: { CLAUDE_REMOTE_ADMIN_TOKEN: "" } });
});
afterAll(() => server.stop());

function dbBytes(): Buffer {
  const base = join(server.dataDir, "claude-remote.db");
  return Buffer.concat([base, `${base}-wal`, `${base}-shm`].filter(existsSync).map((p) => readFileSync(p)));
}

function forms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("hex")])];
}

test("the database and its WAL hold no admin token, device secret or key, pairing code or cookie in clear", async () => {
  const token = readFileSync(join(server.dataDir, "admin-token"), "utf8").trim();
  expect(token).toBe(server.token);

  // A real `claude-remote pair` with a code from the API.
  const { code } = (await (await server.api("/api/pairing-codes", { method: "POST" })).json()) as { code: string };
  const configDir = tempDir("cr-secret-config-");
  const p = Bun.spawn([BUN, CLI, "pair", server.url, code], {
    env: { ...process.env, CLAUDE_REMOTE_CONFIG_DIR: configDir },
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(await p.exited).toBe(0);
  const configPath = join(configDir, "config.json");
  const creds = JSON.parse(readFileSync(configPath, "utf8")) as { deviceId: string; secret: string };
  expect(statSync(configPath).mode & 0o777).toBe(0o600);

  // A code that stays unused, a second device, two browser logins, one of them logged out, a live handshake.
  const unused = ((await (await server.api("/api/pairing-codes", { method: "POST" })).json()) as { code: string }).code;
  const other = await server.pairDevice("other");
  const a = await login(server);
  const b = await login(server);
  await fetch(`${server.url}/api/logout`, { method: "POST", headers: { ...b.auth, Origin: server.url } });
  const ws = rawSocket(server.url, (c) => helloFor(creds, c.nonce));
  await ws.waitFor("welcome");
  ws.ws.close();
  await fetch(`${server.url}/api/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: `${token.slice(0, -1)}x` }),
  });

  const cookieValue = (c: string) => decodeURIComponent(c.slice(c.indexOf("=") + 1));
  const secrets: Record<string, string[]> = {
    "admin token": forms(token),
    "device secret (CLI pair)": forms(creds.secret),
    "device secret (2nd)": forms(other.secret),
    "device key": [deviceKey(creds.secret).toString("hex"), deviceKey(creds.secret).toString("base64")],
    "used pairing code": [...forms(code), code.replace("-", "")],
    "unused pairing code": [...forms(unused), unused.replace("-", "")],
    "session cookie": forms(cookieValue(a.cookie)),
    "page key": forms(a.pageKey),
    "logged-out cookie": forms(cookieValue(b.cookie)),
    "master key": [readFileSync(join(server.dataDir, "master.key")).toString("hex")],
  };
  const bytes = dbBytes();
  expect(bytes.length).toBeGreaterThan(4096);
  const raw = [readFileSync(join(server.dataDir, "master.key")), deviceKey(creds.secret), deviceKey(other.secret)];
  const found = Object.entries(secrets).flatMap(([what, xs]) =>
    xs.filter((x) => bytes.includes(Buffer.from(x))).map((x) => `${what}: ${x}`),
  );
  expect(found).toEqual([]);
  for (const k of raw) expect(bytes.includes(k)).toBe(false);
  // The check can fail: the device's id and name, which are not secret, are in there.
  expect(bytes.includes(Buffer.from(creds.deviceId))).toBe(true);
});

test("the data dir and its secret files are private to the server's user", () => {
  expect(statSync(server.dataDir).mode & 0o777).toBe(0o700);
  expect(statSync(join(server.dataDir, "admin-token")).mode & 0o777).toBe(0o600);
  expect(statSync(join(server.dataDir, "master.key")).mode & 0o777).toBe(0o600);
});
