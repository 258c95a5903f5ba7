import type { z } from "zod";
import { MAX_BODY_BYTES } from "../../protocol/api.ts";
import { type Parsed, parseJson, parseWith } from "../../protocol/common.ts";
import type { ApiErrorCode } from "../../protocol/codes.ts";

const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
};

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...SECURITY_HEADERS, ...headers },
  });
}

export function apiError(status: number, error: ApiErrorCode, detail?: string, headers: Record<string, string> = {}): Response {
  return json(detail === undefined ? { error } : { error, detail }, status, headers);
}

/** 429 with Retry-After, for every rate limit. */
export function rateLimited(wait: number, what = "requests"): Response {
  return apiError(429, "rate_limited", `too many ${what}; retry in ${wait}s`, { "Retry-After": String(wait) });
}

/** A client IP that holds its maximum of streams and sockets (CLAUDE_REMOTE_MAX_STREAMS_PER_IP). */
export function tooManyConnections(): Response {
  return apiError(
    429,
    "too_many_connections",
    "this client holds too many open streams and sockets; close some (CLAUDE_REMOTE_MAX_STREAMS_PER_IP)",
    { "Retry-After": "5" },
  );
}

/** 400 (413 for a body over its limit) saying what was wrong with a body or query that did not parse. */
export function badRequest(r: { error: string; status?: number }): Response {
  return apiError(r.status ?? 400, "bad_request", r.error);
}

/** Reads a JSON body no larger than `limit` bytes and validates it with `schema`. */
export async function readBody<T>(req: Request, schema: z.ZodType<T>, limit = MAX_BODY_BYTES): Promise<Parsed<T> & { status?: number }> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) return { ok: false, error: `body larger than ${limit} bytes`, status: 413 };
  const bytes = await readCapped(req, limit);
  if (bytes === null) return { ok: false, error: `body larger than ${limit} bytes`, status: 413 };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, error: "body is not valid UTF-8", status: 400 };
  }
  const parsed = parseJson(text.length ? text : "null");
  if (!parsed.ok) return { ...parsed, status: 400 };
  const r = parseWith(schema, parsed.value);
  return r.ok ? r : { ...r, status: 400 };
}

async function readCapped(req: Request, limit: number): Promise<Uint8Array | null> {
  if (!req.body) return new Uint8Array();
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const part of req.body as unknown as AsyncIterable<Uint8Array>) {
    total += part.byteLength;
    if (total > limit) return null;
    parts.push(part);
  }
  return Buffer.concat(parts);
}

/** A malformed %-escape in a cookie is kept as sent rather than thrown at every route. */
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function parseCookies(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = safeDecode(part.slice(i + 1).trim());
  }
  return out;
}
