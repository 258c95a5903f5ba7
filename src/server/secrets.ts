/** Small crypto helpers on node:crypto (built into Bun). Nothing hand-rolled. */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export function sha256hex(s: string | Uint8Array): string {
  return createHash("sha256").update(s).digest("hex");
}

/** Constant-time string comparison (length leaks, content does not). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

/** AES-256-GCM with the data dir's master key: a leaked database alone holds no usable device key. */
export function wrapKey(master: Uint8Array, key: Uint8Array): Uint8Array {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", master, iv);
  const body = Buffer.concat([c.update(key), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]);
}

export function unwrapKey(master: Uint8Array, wrapped: Uint8Array): Buffer {
  const buf = Buffer.from(wrapped);
  const d = createDecipheriv("aes-256-gcm", master, buf.subarray(0, 12));
  d.setAuthTag(buf.subarray(12, 28));
  return Buffer.concat([d.update(buf.subarray(28)), d.final()]);
}
