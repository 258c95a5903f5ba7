/**
 * `<data dir>/server.json`: where the running server listens ({pid, url}), written by `serve` at
 * start and removed at shutdown, so `claude-remote login-link` finds the port without being told.
 * A file whose process is gone (a killed server) is ignored.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { parseJson } from "../../protocol/common.ts";

const FILE = "server.json";
const ServerInfo = z.object({ pid: z.number().int(), url: z.string().url() });

export function writeServerInfo(dataDir: string, url: string): void {
  writeFileSync(join(dataDir, FILE), JSON.stringify({ pid: process.pid, url }), { mode: 0o600 });
}

export function removeServerInfo(dataDir: string): void {
  rmSync(join(dataDir, FILE), { force: true });
}

/** The running server's URL, or null (no file, a bad one, or its process is gone). */
export function runningServerUrl(dataDir: string): string | null {
  const path = join(dataDir, FILE);
  if (!existsSync(path)) return null;
  const json = parseJson(readFileSync(path, "utf8"));
  const info = json.ok ? ServerInfo.safeParse(json.value) : null;
  if (!info?.success) return null;
  try {
    process.kill(info.data.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return null;
  }
  return info.data.url;
}
