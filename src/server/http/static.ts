/** Serves the dashboard from public/ with a strict CSP; nothing outside that folder. */
import { normalize, resolve, sep } from "node:path";

const ROOT = resolve(import.meta.dir, "../../../public");

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join("; ");

export async function serveStatic(pathname: string): Promise<Response | null> {
  const rel = pathname === "/" ? "index.html" : decodeURIComponent(pathname).replace(/^\/+/, "");
  const path = resolve(ROOT, normalize(rel));
  if (path !== ROOT && !path.startsWith(ROOT + sep)) return null;
  const file = Bun.file(path);
  if (!(await file.exists())) return null;
  return new Response(file, {
    headers: {
      "Content-Security-Policy": CSP,
      "X-Content-Type-Options": "nosniff",
      "X-Frame-Options": "DENY",
      "Referrer-Policy": "no-referrer",
      "Cache-Control": rel === "sw.js" || rel === "index.html" ? "no-cache" : "public, max-age=300",
    },
  });
}
