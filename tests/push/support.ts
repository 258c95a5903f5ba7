/**
 * The test plays the push service and the browser: a local receiver records what the server
 * POSTs; a P-256 key pair + auth secret stand in for the browser's subscription keys, and
 * `decryptPush` undoes RFC 8291 aes128gcm with them. `verifyVapid` checks the RFC 8292 JWT.
 */
import { createDecipheriv, createECDH, hkdfSync, randomBytes } from "node:crypto";
import type { BrowserContext, Worker } from "playwright-core";
import { waitFor } from "../support/wait.ts";

export type Received = { path: string; headers: Headers; body: Buffer; at: number };

export type Receiver = {
  url: string;
  received: Received[];
  /** How the next requests are answered: a status, or "hang" (never answers). */
  mode: number | "hang";
  stop(): void;
};

export function startReceiver(mode: number | "hang" = 201): Receiver {
  const received: Received[] = [];
  const hanging: (() => void)[] = [];
  const r: Receiver = {
    url: "",
    received,
    mode,
    stop: () => {
      for (const h of hanging) h();
      server.stop(true);
    },
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(req) {
      const body = Buffer.from(await req.arrayBuffer());
      received.push({ path: new URL(req.url).pathname + new URL(req.url).search, headers: req.headers, body, at: Date.now() });
      if (r.mode === "hang") return new Promise<Response>((resolve) => hanging.push(() => resolve(new Response("late", { status: 503 }))));
      return new Response(r.mode >= 400 ? "nope" : "", { status: r.mode });
    },
  });
  r.url = `http://127.0.0.1:${server.port}`;
  return r;
}

export type BrowserKeys = { p256dh: string; auth: string; ecdh: ReturnType<typeof createECDH>; authSecret: Buffer };

export function browserKeys(): BrowserKeys {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const authSecret = randomBytes(16);
  return { ecdh, authSecret, p256dh: ecdh.getPublicKey().toString("base64url"), auth: authSecret.toString("base64url") };
}

/** RFC 8291 §3.4 + RFC 8188: one aes128gcm record, as a browser decrypts it. */
export function decryptPush(body: Buffer, keys: BrowserKeys): string {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20];
  const serverPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  if (ciphertext.length > rs) throw new Error("expected a single record");
  const ecdhSecret = keys.ecdh.computeSecret(serverPublic);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), keys.ecdh.getPublicKey(), serverPublic]);
  const ikm = Buffer.from(hkdfSync("sha256", ecdhSecret, keys.authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  const d = createDecipheriv("aes-128-gcm", cek, nonce);
  d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.length - 16)), d.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error("last record must end with the 0x02 delimiter");
  return padded.subarray(0, end).toString("utf8");
}

/** Checks `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292): ES256 over the header and claims. */
export async function verifyVapid(
  authorization: string | null,
  publicKey: string,
  audience: string,
): Promise<{ aud: string; exp: number; sub: string }> {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization ?? "");
  if (!m) throw new Error(`not a vapid Authorization header: ${authorization}`);
  const [, jwt, k] = m;
  if (k !== publicKey) throw new Error("k is not the server's VAPID public key");
  const [h, p, s] = jwt.split(".");
  const header = JSON.parse(Buffer.from(h, "base64url").toString());
  if (header.alg !== "ES256") throw new Error(`alg ${header.alg}`);
  const key = await crypto.subtle.importKey("raw", Buffer.from(publicKey, "base64url"), { name: "ECDSA", namedCurve: "P-256" }, false, [
    "verify",
  ]);
  const ok = await crypto.subtle.verify(
    { name: "ECDSA", hash: "SHA-256" },
    key,
    Buffer.from(s, "base64url"),
    new TextEncoder().encode(`${h}.${p}`),
  );
  if (!ok) throw new Error("VAPID JWT signature does not verify against the server's public key");
  const claims = JSON.parse(Buffer.from(p, "base64url").toString());
  if (claims.aud !== audience) throw new Error(`aud ${claims.aud} != ${audience}`);
  const now = Date.now() / 1000;
  if (!(claims.exp > now && claims.exp <= now + 24 * 3600)) throw new Error(`exp ${claims.exp} not within 24h`);
  if (!/^(mailto:|https:)/.test(claims.sub)) throw new Error(`sub ${claims.sub}`);
  return claims;
}

/**
 * Runs the service worker's own `push` handler with `data`, as a push service delivery would (a
 * PushEvent dispatched inside the worker; playwright evaluates there), until `shown()` finds the
 * notification. One dispatch is not always enough: about one run in four on a loaded machine the
 * notification of a push handled right after the page started never appeared (DevTools'
 * ServiceWorker.deliverPushMessage did the same, and its late copies replaced later notifications),
 * while one handled a moment later always did. So it is repeated every 2 s: one payload, one tag,
 * so a repeat replaces rather than adds. A synthetic event cannot extend its lifetime (`waitUntil`
 * throws after the handler has called showNotification), which the test does not need.
 */
export async function pushUntilShown<T>(worker: Worker, data: string, shown: () => Promise<T | undefined>, what: string): Promise<T> {
  let sentAt = 0;
  return waitFor(
    async () => {
      if (Date.now() - sentAt > 2000) {
        sentAt = Date.now();
        await worker.evaluate((text: string) => {
          const scope = self as unknown as { dispatchEvent(e: Event): boolean; PushEvent: new (t: string, i: object) => Event };
          try {
            scope.dispatchEvent(new scope.PushEvent("push", { data: text }));
          } catch {}
        }, data);
      }
      return shown();
    },
    { what, timeoutMs: 30_000 },
  );
}

/** The context's service worker for `/sw.js` (it starts with the first page of the origin). */
export function dashboardWorker(context: BrowserContext): Promise<Worker> {
  return waitFor(() => context.serviceWorkers().find((w) => w.url().endsWith("/sw.js")), { what: "the service worker", timeoutMs: 30_000 });
}
