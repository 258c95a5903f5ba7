/** VAPID (RFC 8292) key pair: generated on first start, kept in the data dir as a 0600 file. */
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import webpush from "web-push";
import { z } from "zod";

export type VapidKeys = { publicKey: string; privateKey: string };

const VapidFile = z.object({ publicKey: z.string().regex(/^[A-Za-z0-9_-]{87}$/), privateKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

export function loadVapidKeys(dataDir: string): VapidKeys {
  const path = join(dataDir, "vapid.json");
  if (existsSync(path)) {
    const parsed = VapidFile.safeParse(JSON.parse(readFileSync(path, "utf8")));
    if (!parsed.success)
      throw new Error(`${path} does not hold a VAPID key pair; delete it to generate a new one (browsers must then subscribe again)`);
    return parsed.data;
  }
  const keys = webpush.generateVAPIDKeys();
  writeFileSync(path, JSON.stringify(keys) + "\n", { mode: 0o600 });
  chmodSync(path, 0o600);
  return keys;
}

/** The `sub` claim: the operator's contact. Push services refuse a missing or malformed one. */
export function vapidSubject(configured: string, publicUrl: string): string {
  if (configured) return configured;
  if (publicUrl.startsWith("https://")) return new URL(publicUrl).origin;
  return "mailto:claude-remote@localhost";
}
