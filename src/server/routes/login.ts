import { LoginBody } from "../../protocol/api.ts";
import { audit } from "../audit.ts";
import { actorOf } from "../auth.ts";
import { apiError, json, rateLimited, readBody } from "../http.ts";
import { clientKey } from "../request-guard.ts";
import type { Route } from "../router.ts";

export const loginRoutes: Route[] = [
  {
    method: "POST",
    path: "/api/login",
    auth: "open",
    handler: async (ctx) => {
      const { req, app, ip } = ctx;
      const wait = app.limits.login.take(clientKey(ip));
      if (wait > 0) return rateLimited(wait, "login attempts");
      const body = await readBody(req, LoginBody);
      if (!body.ok) return apiError(body.status ?? 400, "bad_request", body.error);
      if (!app.auth.checkToken(body.value.token)) {
        audit(ctx, "login.failed", { actor: "anonymous" });
        return apiError(401, "unauthorized", "wrong token");
      }
      const { cookie, hash, expiresAt } = app.auth.startSession(app.isSecure(req), req.headers.get("user-agent"), ip);
      audit(ctx, "login", { actor: actorOf({ kind: "browser", sessionHash: hash }), detail: { expiresAt } });
      return json({ ok: true, expiresAt }, 200, { "Set-Cookie": cookie });
    },
  },
  {
    method: "POST",
    path: "/api/logout",
    auth: "admin",
    handler: (ctx) => {
      audit(ctx, "logout");
      if (ctx.principal?.kind === "browser") ctx.app.viewers.closeLogin(ctx.principal.sessionHash);
      return json({ ok: true }, 200, { "Set-Cookie": ctx.app.auth.endSession(ctx.principal, ctx.app.isSecure(ctx.req)) });
    },
  },
  { method: "GET", path: "/api/me", auth: "admin", handler: ({ principal }) => json({ ok: true, kind: principal?.kind }) },
];
