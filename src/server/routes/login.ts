import { LoginBody } from "../../protocol/api.ts";
import { actorOf } from "../auth.ts";
import { apiError, json, readBody } from "../http.ts";
import type { Route } from "../router.ts";

export const loginRoutes: Route[] = [
  {
    method: "POST",
    path: "/api/login",
    auth: "open",
    handler: async ({ req, app, ip }) => {
      const wait = app.limits.login.take(ip);
      if (wait > 0) return apiError(429, "rate_limited", "too many login attempts", { "Retry-After": String(wait) });
      const body = await readBody(req, LoginBody);
      if (!body.ok) return apiError(body.status ?? 400, "bad_request", body.error);
      const ua = req.headers.get("user-agent");
      if (!app.auth.checkToken(body.value.token)) {
        app.store.audit.append({ actor: "anonymous", ip, userAgent: ua, action: "login.failed" });
        return apiError(401, "unauthorized", "wrong token");
      }
      const { cookie, hash } = app.auth.startSession(app.isSecure(req), ua, ip);
      app.store.audit.append({ actor: actorOf({ kind: "browser", sessionHash: hash }), ip, userAgent: ua, action: "login" });
      return json({ ok: true }, 200, { "Set-Cookie": cookie });
    },
  },
  {
    method: "POST",
    path: "/api/logout",
    auth: "admin",
    handler: ({ req, app, principal, ip }) => {
      app.store.audit.append({ actor: actorOf(principal), ip, userAgent: req.headers.get("user-agent"), action: "logout" });
      return json({ ok: true }, 200, { "Set-Cookie": app.auth.endSession(principal, app.isSecure(req)) });
    },
  },
  { method: "GET", path: "/api/me", auth: "admin", handler: ({ principal }) => json({ ok: true, kind: principal?.kind }) },
];
