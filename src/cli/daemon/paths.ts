/** Where background sessions live on this machine: `<config dir>/run/` (sockets, logs) and `<config dir>/sessions/` (records for Resume). */
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { configDir } from "../config.ts";

export function runDir(env = process.env): string {
  return join(configDir(env), "run");
}

export function ensurePrivateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

export function hostSocketPath(sessionId: string, env = process.env): string {
  return join(runDir(env), `${sessionId}.sock`);
}

export function hostLogPath(sessionId: string, env = process.env): string {
  return join(runDir(env), `${sessionId}.log`);
}

export function recordsDir(env = process.env): string {
  return join(configDir(env), "sessions");
}
