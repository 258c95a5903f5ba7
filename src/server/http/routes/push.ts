/**
 * Notifications: the VAPID public key, browsers' Web Push subscriptions and the notifier's status.
 * (A notification's answer buttons are answer links: answer-link.ts.)
 */
import { PushSubscriptionBody, PushUnsubscribeBody } from "../../../protocol/notify.ts";
import { audit } from "../audit-record.ts";
import { apiError, badRequest, json, readBody } from "../respond.ts";
import { displayUrl } from "../../notify/channel.ts";
import type { Ctx, Route } from "../router.ts";

/** Subscriptions kept at most (each is one push per notification). */
const MAX_SUBSCRIPTIONS = 50;

async function subscribe(ctx: Ctx): Promise<Response> {
  const body = await readBody(ctx.req, PushSubscriptionBody, 8 * 1024);
  if (!body.ok) return badRequest(body);
  const push = ctx.app.notifier.pushStore;
  const known = push.subscriptions().some((s) => s.endpoint === body.value.endpoint);
  if (!known && push.subscriptionCount() >= MAX_SUBSCRIPTIONS)
    return apiError(409, "too_many_subscriptions", `at most ${MAX_SUBSCRIPTIONS} browsers; remove one first`);
  const userAgent = ctx.req.headers.get("user-agent")?.slice(0, 300) ?? null;
  push.upsertSubscription({
    endpoint: body.value.endpoint,
    p256dh: body.value.keys.p256dh,
    auth: body.value.keys.auth,
    label: body.value.label ?? null,
    userAgent,
  });
  audit(ctx, "push.subscribe", { target: displayUrl(body.value.endpoint) });
  return json({ ok: true }, known ? 200 : 201);
}

async function unsubscribe(ctx: Ctx): Promise<Response> {
  const body = await readBody(ctx.req, PushUnsubscribeBody, 8 * 1024);
  if (!body.ok) return badRequest(body);
  if (!ctx.app.notifier.pushStore.deleteSubscription(body.value.endpoint)) return apiError(404, "not_found", "no such subscription");
  audit(ctx, "push.unsubscribe", { target: displayUrl(body.value.endpoint) });
  return json({ ok: true });
}

export const pushRoutes: Route[] = [
  { method: "GET", path: "/api/push/key", auth: "admin", handler: ({ app }) => json({ publicKey: app.notifier.publicKey }) },
  {
    method: "GET",
    path: "/api/push/subscriptions",
    auth: "admin",
    handler: ({ app }) =>
      json(
        app.notifier.pushStore.subscriptions().map((s) => ({ endpoint: displayUrl(s.endpoint), label: s.label, createdAt: s.createdAt })),
      ),
  },
  { method: "POST", path: "/api/push/subscriptions", auth: "admin", handler: subscribe },
  { method: "DELETE", path: "/api/push/subscriptions", auth: "admin", handler: unsubscribe },
  { method: "GET", path: "/api/notify/status", auth: "admin", handler: ({ app }) => json(app.notifier.status()) },
];
