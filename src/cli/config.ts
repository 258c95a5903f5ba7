/** The wrapper's device credentials: `$CLAUDE_REMOTE_CONFIG_DIR/config.json`, mode 0600. */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";

export const DeviceConfig = z.object({ server: z.url(), deviceId: z.string().min(1), secret: z.string().min(16) });
export type DeviceConfig = z.infer<typeof DeviceConfig>;

export function configDir(env = process.env): string {
  return env.CLAUDE_REMOTE_CONFIG_DIR || join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "claude-remote");
}

export function configPath(env = process.env): string {
  return join(configDir(env), "config.json");
}

/** The paired device, or a reason it cannot be used. */
export function readDeviceConfig(env = process.env): { ok: true; config: DeviceConfig } | { ok: false; reason: string } {
  const path = configPath(env);
  if (!existsSync(path)) return { ok: false, reason: "this machine is not paired (run `claude-remote pair <server-url> <code>`)" };
  try {
    const r = DeviceConfig.safeParse(JSON.parse(readFileSync(path, "utf8")));
    if (!r.success) return { ok: false, reason: `${path} is not a valid config` };
    const config = { ...r.data, server: env.CLAUDE_REMOTE_SERVER || r.data.server };
    return { ok: true, config };
  } catch (e) {
    return { ok: false, reason: `cannot read ${path}: ${(e as Error).message}` };
  }
}

export function writeDeviceConfig(config: DeviceConfig, env = process.env): string {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = configPath(env);
  writeFileSync(path, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
