/**
 * Checks every request passes before a route sees it: the Host header (DNS rebinding), the Origin
 * (cross-site requests and WebSocket hijacking), fetch metadata for cookie-carrying requests, and
 * which client it is (for rate limits).
 */
import type { Server } from "bun";
import type { ServerConfig } from "../config.ts";

function hostnameOf(hostHeader: string): string | null {
  try {
    return new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** The request's URL, or null when Bun cannot make one (a malformed Host header or target). */
export function requestUrl(req: Request): URL | null {
  try {
    return new URL(req.url);
  } catch {
    return null;
  }
}

function isLoopbackBind(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function isLoopbackName(hostname: string): boolean {
  return hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * Bound to loopback, a request must name a loopback host (or PUBLIC_URL's host). A DNS-rebinding
 * page reaches 127.0.0.1 under its own name, so its Host header gives it away. Bound to a public
 * address the server cannot know every name it is reached by; Origin and credentials guard it then.
 */
export function hostAllowed(req: Request, config: ServerConfig): boolean {
  if (!isLoopbackBind(config.host)) return true;
  const header = req.headers.get("host");
  const hostname = header ? hostnameOf(header) : null;
  if (!hostname) return false;
  if (isLoopbackName(hostname)) return true;
  return config.publicUrl !== "" && new URL(config.publicUrl).hostname.toLowerCase() === hostname;
}

/** scheme://host[:port] this request was addressed to (X-Forwarded-Proto honoured only behind a trusted proxy). */
export function requestOrigin(req: Request, config: ServerConfig): string {
  const url = new URL(req.url);
  const proto = config.trustProxy ? req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() : null;
  return `${proto ? `${proto}:` : url.protocol}//${req.headers.get("host") ?? url.host}`;
}

/** Requests without Origin (scripts, the CLI) pass; a browser's Origin must be this server's. */
export function originAllowed(req: Request, config: ServerConfig): boolean {
  const origin = req.headers.get("origin");
  if (origin === null) return true;
  const allowed = new Set([requestOrigin(req, config).toLowerCase()]);
  if (config.publicUrl) allowed.add(new URL(config.publicUrl).origin.toLowerCase());
  return allowed.has(origin.toLowerCase());
}

/**
 * A request carrying the session cookie must come from our own pages. SameSite=Strict does not
 * stop a page on another port of the same host (same site, other origin), so Origin and
 * Sec-Fetch-Site are checked on every method, GETs included.
 */
export function browserRequestAllowed(req: Request, config: ServerConfig): boolean {
  if (!originAllowed(req, config)) return false;
  const site = req.headers.get("sec-fetch-site");
  return site === null || site === "same-origin" || site === "none";
}

export function clientIp(req: Request, srv: Server<unknown>, config: ServerConfig): string {
  if (config.trustProxy) {
    const fwd = req.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
    if (fwd) return fwd;
  }
  return srv.requestIP(req)?.address ?? "unknown";
}

/** The key rate limits count under: the IP, or its /64 for IPv6 (one host usually owns the whole /64). */
export function clientKey(ip: string): string {
  if (!ip.includes(":")) return ip;
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1];
  const [left, right] = ip.replace(/%.*$/, "").split("::");
  const l = left ? left.split(":") : [];
  const r = right ? right.split(":") : [];
  const groups = right === undefined ? l : [...l, ...Array(Math.max(0, 8 - l.length - r.length)).fill("0"), ...r];
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(":")}::/64`;
}
