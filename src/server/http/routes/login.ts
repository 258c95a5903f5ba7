import { LoginBody } from "../../../protocol/api.ts";
import { audit } from "../audit-record.ts";
import { actorOf } from "../auth.ts";
import { apiError, badRequest, json, rateLimited, readBody } from "../respond.ts";
import { loginUrl } from "../../ops/banner.ts";
import { qrSvg } from "../qr.ts";
import { clientKey } from "../request-guard.ts";
import type { Route } from "../router.ts";

/** A link shown on a screen is used at once, unlike one printed in a log at first start. */
const LOGIN_LINK_TTL_MS = 10 * 60 * 1000;

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
      if (!body.ok) return badRequest(body);
      const { token, ticket } = body.value;
      const via = ticket !== undefined ? "link" : "token";
      if (ticket !== undefined ? !app.auth.redeemLoginTicket(ticket) : !app.auth.checkToken(token!)) {
        audit(ctx, "login.failed", { actor: "anonymous", detail: { via } });
        return apiError(401, "unauthorized", via === "link" ? "unknown, used or expired login link" : "wrong token");
      }
      const { cookie, hash, pageKey, expiresAt } = app.auth.startSession(app.isSecure(req), req.headers.get("user-agent"), ip);
      audit(ctx, "login", { actor: actorOf({ kind: "browser", sessionHash: hash }), detail: { expiresAt, via } });
      // The page key goes in the body, never in a cookie: the page keeps it in its own origin's storage.
      return json({ ok: true, expiresAt, pageKey }, 200, { "Set-Cookie": cookie });
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
  {
    // A logged-in dashboard shows this as a QR code to log in another phone: it works once, for 10 minutes.
    method: "POST",
    path: "/api/login-links",
    auth: "admin",
    handler: async (ctx) => {
      const { req, app } = ctx;
      const { ticket, expiresAt } = app.auth.issueLoginTicket(LOGIN_LINK_TTL_MS);
      audit(ctx, "login_link.create", { detail: { expiresAt } });
      const url = loginUrl(app.publicUrl(req), ticket);
      const qr = await qrSvg(url);
      return json({ url, expiresAt, qrSvg: qr.svg, qrDataUrl: qr.dataUrl });
    },
  },
];
