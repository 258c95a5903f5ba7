import { randomInt } from "node:crypto";
import { PairBody } from "../../protocol/api.ts";
import { actorOf } from "../auth.ts";
import { apiError, json, readBody } from "../http.ts";
import type { Route } from "../router.ts";
import { deviceKey } from "../../protocol/handshake.ts";
import { randomToken, sha256hex, wrapKey } from "../secrets.ts";

export const PAIRING_TTL_MS = 10 * 60 * 1000;
// Crockford-style alphabet without look-alikes (no I, L, O, U): 32 symbols, 5 bits each.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_SYMBOLS = 10; // 50 bits

export function newPairingCode(): string {
  let s = "";
  for (let i = 0; i < CODE_SYMBOLS; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

/** Case, dashes and spaces do not matter when a person types the code. */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
}

export const pairingRoutes: Route[] = [
  {
    method: "POST",
    path: "/api/pairing-codes",
    auth: "admin",
    handler: ({ req, app, principal, ip }) => {
      const code = newPairingCode();
      const expiresAt = Date.now() + PAIRING_TTL_MS;
      app.store.credentials.addPairingCode(sha256hex(normalizeCode(code)), expiresAt);
      app.store.audit.append({ actor: actorOf(principal), ip, userAgent: req.headers.get("user-agent"), action: "pairing_code.create", detail: { expiresAt } });
      return json({ code, expiresAt, command: `claude-remote pair ${app.publicUrl(req)} ${code}` });
    },
  },
  {
    method: "POST",
    path: "/api/pair",
    auth: "open",
    handler: async ({ req, app, ip }) => {
      const wait = Math.max(app.limits.pairIp.take(ip), app.limits.pairGlobal.take("global"));
      if (wait > 0) return apiError(429, "rate_limited", "too many pairing attempts", { "Retry-After": String(wait) });
      const body = await readBody(req, PairBody);
      if (!body.ok) return apiError(body.status ?? 400, "bad_request", body.error);
      const ua = req.headers.get("user-agent");
      if (!app.store.credentials.spendPairingCode(sha256hex(normalizeCode(body.value.code)))) {
        app.store.audit.append({ actor: "anonymous", ip, userAgent: ua, action: "pair.failed" });
        return apiError(401, "unauthorized", "unknown, used or expired pairing code");
      }
      const deviceId = `dev_${randomToken(12)}`;
      const secret = randomToken(32);
      app.store.devices.add(deviceId, body.value.name, body.value.host ?? null, wrapKey(app.masterKey, deviceKey(secret)));
      app.store.audit.append({ actor: `device:${deviceId}`, ip, userAgent: ua, action: "pair", target: deviceId, detail: { name: body.value.name, host: body.value.host ?? null } });
      app.events.publish("device", { id: deviceId, name: body.value.name });
      return json({ deviceId, secret });
    },
  },
];
