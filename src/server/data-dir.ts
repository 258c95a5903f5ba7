/** Secrets the server keeps as files in its data dir (mode 0600), outside the database. */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { randomToken } from "./secrets.ts";

function writeSecret(path: string, content: string | Uint8Array): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** The data dir holds the database (terminal output), keys and the admin token: owner only. */
export function ensureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Files the server creates later (the database, its -wal/-shm) are owner-only too.
  process.umask(0o077);
}

/** 32-byte key that wraps device keys stored in the database. */
export function loadMasterKey(dir: string): Uint8Array {
  const path = join(dir, "master.key");
  if (!existsSync(path)) writeSecret(path, randomBytes(32));
  const key = readFileSync(path);
  if (key.length !== 32) throw new Error(`${path} must hold 32 bytes`);
  return key;
}

/** The admin token: from the environment, or generated once and kept in `admin-token`. */
export function loadAdminToken(dir: string, fromEnv: string): { token: string; generated: boolean } {
  if (fromEnv) return { token: fromEnv, generated: false };
  const path = join(dir, "admin-token");
  if (existsSync(path)) return { token: readFileSync(path, "utf8").trim(), generated: false };
  const token = randomToken(32);
  writeSecret(path, token + "\n");
  return { token, generated: true };
}
