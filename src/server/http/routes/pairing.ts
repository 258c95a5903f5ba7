import { randomInt } from "node:crypto";
import { PairBody } from "../../../protocol/api.ts";
import { deviceKey } from "../../../protocol/handshake.ts";
import { audit } from "../audit-record.ts";
import { apiError, badRequest, json, rateLimited, readBody } from "../respond.ts";
import { qrSvg } from "../qr.ts";
import { clientKey } from "../request-guard.ts";
import type { Route } from "../router.ts";
import { randomToken, sha256hex, wrapKey } from "../../secrets.ts";

export const PAIRING_TTL_MS = 10 * 60 * 1000;
// Crockford-style alphabet without look-alikes (no I, L, O, U): 32 symbols, 5 bits each.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_SYMBOLS = 10; // 50 bits

function newPairingCode(): string {
  let s = "";
  for (let i = 0; i < CODE_SYMBOLS; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

/** Case, dashes and spaces do not matter when a person types the code. */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
}

/** The code's id on the admin's event stream: 48 bits of its hash, nothing a guesser could use. */
const pairingId = (hash: string) => hash.slice(0, 12);

export const pairingRoutes: Route[] = [
  {
    method: "POST",
    path: "/api/pairing-codes",
    auth: "admin",
    handler: async (ctx) => {
      const { req, app } = ctx;
      const code = newPairingCode();
      const expiresAt = Date.now() + PAIRING_TTL_MS;
      const hash = sha256hex(normalizeCode(code));
      app.store.credentials.addPairingCode(hash, expiresAt);
      audit(ctx, "pairing_code.create", { detail: { expiresAt } });
      const command = `claude-remote pair ${app.publicUrl(req)} ${code}`;
      const qr = await qrSvg(command);
      return json({ code, id: pairingId(hash), expiresAt, command, qrSvg: qr.svg, qrDataUrl: qr.dataUrl });
    },
  },
  {
    method: "POST",
    path: "/api/pair",
    auth: "open",
    handler: async (ctx) => {
      const { req, app, ip } = ctx;
      // Per IP first, and only an attempt its IP allowed is charged to the global budget, so a
      // flood from one address cannot lock everyone else out. The global budget bounds guesses
      // from many addresses: at most ~660 per 10-minute code lifetime against 2^50 codes.
      const waitIp = app.limits.pairIp.take(clientKey(ip));
      const wait = waitIp > 0 ? waitIp : app.limits.pairGlobal.take("global");
      if (wait > 0) return rateLimited(wait, "pairing attempts");
      const body = await readBody(req, PairBody);
      if (!body.ok) return badRequest(body);
      const hash = sha256hex(normalizeCode(body.value.code));
      if (!app.store.credentials.spendPairingCode(hash)) {
        audit(ctx, "pair.failed", { actor: "anonymous" });
        return apiError(401, "unauthorized", "unknown, used or expired pairing code");
      }
      const deviceId = `dev_${randomToken(12)}`;
      const secret = randomToken(32);
      const host = body.value.host ?? null;
      app.store.devices.add(deviceId, body.value.name, host, wrapKey(app.masterKey, deviceKey(secret)));
      audit(ctx, "pair", { actor: `device:${deviceId}`, target: deviceId, detail: { name: body.value.name, host } });
      app.events.publish("device", { id: deviceId, name: body.value.name, host, pairing: pairingId(hash) });
      return json({ deviceId, secret });
    },
  },
];
