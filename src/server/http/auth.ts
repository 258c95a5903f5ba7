/**
 * Who is calling: the admin (Bearer token or browser session cookie). Devices authenticate on the
 * WebSocket instead (device-socket.ts).
 */
import type { CredentialStore } from "../../store/credentials.ts";
import type { Store } from "../../store/index.ts";
import { parseCookies } from "./respond.ts";
import { createHmac } from "node:crypto";
import { PAGE_KEY_HEADER } from "../../protocol/api.ts";
import { randomToken, safeEqual, sha256hex } from "../secrets.ts";

export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;
/** A printed login link works once, within this time. */
const LOGIN_TICKET_TTL_MS = 24 * 3600 * 1000;

export type Principal = { kind: "token" } | { kind: "browser"; sessionHash: string };

function cookieName(secure: boolean): string {
  // __Host- binds the cookie to this exact host over https; it is not allowed without Secure.
  return secure ? "__Host-cr_session" : "cr_session";
}

export class Auth {
  private adminHash: string;
  private pageKeySecret: Buffer;
  /** `masterKey`: page keys are derived from it, so only this server can make or check one. */
  constructor(
    private store: Store,
    adminToken: string,
    masterKey: Uint8Array,
  ) {
    this.adminHash = sha256hex(adminToken);
    this.pageKeySecret = createHmac("sha256", masterKey).update("claude-remote/page-key/v1").digest();
  }

  /**
   * The page key of a browser login: what the dashboard keeps in its origin's storage and sends
   * beside the cookie. Derived, not stored: it dies with the login, and a stolen cookie does not
   * give it (the cookie's hash is the input, the server's secret the key).
   */
  pageKeyFor(sessionHash: string): string {
    return createHmac("sha256", this.pageKeySecret).update(sessionHash).digest("base64url");
  }

  checkToken(token: string): boolean {
    return safeEqual(sha256hex(token), this.adminHash);
  }

  /** A one-time login ticket for a printed link (only its hash is stored). */
  issueLoginTicket(ttlMs = LOGIN_TICKET_TTL_MS): { ticket: string; expiresAt: number } {
    return issueLoginTicket(this.store.credentials, ttlMs);
  }

  /** True once for a valid ticket; it is spent by this call. */
  redeemLoginTicket(ticket: string): boolean {
    return this.store.credentials.spendLoginTicket(sha256hex(ticket));
  }

  /**
   * Bearer token, else the session cookie with its page key (the `x-cr-page-key` header, or
   * `queryKey`, which callers take from the URL only where a browser cannot set headers). Over
   * https only the `__Host-` cookie counts: a plain cookie could have been planted by anyone on the
   * network path over http (cookie tossing).
   */
  authenticate(req: Request, secure: boolean, queryKey: string | null = null): Principal | null {
    const header = req.headers.get("authorization");
    if (header !== null) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      return m && this.checkToken(m[1]) ? { kind: "token" } : null;
    }
    const cookies = parseCookies(req.headers.get("cookie"));
    const value = secure ? cookies[cookieName(true)] : (cookies[cookieName(false)] ?? cookies[cookieName(true)]);
    if (!value || value.length > 256) return null;
    const hash = sha256hex(value);
    const key = req.headers.get(PAGE_KEY_HEADER) ?? queryKey;
    if (!key || key.length > 128 || !safeEqual(key, this.pageKeyFor(hash))) return null;
    return this.store.credentials.webSessionValid(hash) ? { kind: "browser", sessionHash: hash } : null;
  }

  /** Starts a browser session; returns the Set-Cookie header value. */
  startSession(
    secure: boolean,
    userAgent: string | null,
    ip: string | null,
  ): { cookie: string; hash: string; pageKey: string; expiresAt: number } {
    this.store.credentials.purgeExpired();
    const value = randomToken(32);
    const hash = sha256hex(value);
    const expiresAt = Date.now() + SESSION_TTL_MS;
    this.store.credentials.addWebSession(hash, expiresAt, userAgent?.slice(0, 512) ?? null, ip);
    const attrs = [`${cookieName(secure)}=${value}`, "Path=/", "HttpOnly", "SameSite=Strict", `Max-Age=${SESSION_TTL_MS / 1000}`];
    if (secure) attrs.push("Secure");
    return { cookie: attrs.join("; "), hash, pageKey: this.pageKeyFor(hash), expiresAt };
  }

  endSession(principal: Principal | null, secure: boolean): string {
    if (principal?.kind === "browser") this.store.credentials.deleteWebSession(principal.sessionHash);
    const attrs = [`${cookieName(secure)}=`, "Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=0"];
    if (secure) attrs.push("Secure");
    return attrs.join("; ");
  }
}

export function actorOf(p: Principal | null): string {
  if (!p) return "anonymous";
  return p.kind === "token" ? "admin:token" : `admin:browser:${p.sessionHash.slice(0, 12)}`;
}

/** Also used by `claude-remote login-link`, which opens the database without a running server. */
export function issueLoginTicket(credentials: CredentialStore, ttlMs = LOGIN_TICKET_TTL_MS): { ticket: string; expiresAt: number } {
  const ticket = randomToken(32);
  const expiresAt = Date.now() + ttlMs;
  credentials.addLoginTicket(sha256hex(ticket), expiresAt);
  return { ticket, expiresAt };
}
