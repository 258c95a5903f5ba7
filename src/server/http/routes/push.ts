/**
 * Notifications: the VAPID public key, browsers' Web Push subscriptions, the notifier's status,
 * and the one-time action URLs behind ntfy's Approve / Deny buttons (the token is the credential).
 */
import { PushSubscriptionBody, PushUnsubscribeBody } from "../../../protocol/notify.ts";
import { audit } from "../audit-record.ts";
import { apiError, badRequest, json, readBody } from "../respond.ts";
import { displayUrl } from "../../notify/channel.ts";
import type { Ctx, Route } from "../router.ts";
import { sha256hex } from "../../secrets.ts";

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

const REFUSED = {
  unknown: "unknown action token",
  wrong_prompt: "this action token is for another prompt",
  used: "this action was already used",
  expired: "this action token has expired",
} as const;

/** `POST /api/actions/:token?prompt=<id>`: one press of an Approve / Deny button in a notification. */
function action(ctx: Ctx): Response {
  const promptId = ctx.url.searchParams.get("prompt") ?? "";
  const token = ctx.params.token;
  if (!promptId || !/^[A-Za-z0-9_-]{20,100}$/.test(token))
    return apiError(400, "bad_request", "expected /api/actions/<token>?prompt=<prompt id>");
  const push = ctx.app.notifier.pushStore;
  const hash = sha256hex(token);
  const actor = `action-token:${hash.slice(0, 12)}`;
  // Check, resolve and spend in one synchronous run: no second press can slip in between.
  const check = push.checkActionToken(hash, promptId);
  if (!check.ok) {
    audit(ctx, "prompt.action_refused", { actor, target: promptId, detail: { reason: check.reason } });
    return apiError(check.reason === "unknown" || check.reason === "wrong_prompt" ? 403 : 410, "forbidden", REFUSED[check.reason]);
  }
  const outcome = ctx.app.notifier.prompts.resolve(promptId, check.decision, { actor, ip: ctx.ip });
  // A wrapper that is offline right now leaves the prompt pending: the button may be pressed again.
  if (outcome !== "not_connected") push.spendActionToken(hash, promptId);
  audit(ctx, `prompt.${check.decision}`, { actor, target: promptId, detail: { via: "notification action", outcome } });
  if (outcome === "ok") return json({ ok: true, promptId, decision: check.decision });
  if (outcome === "not_found") return apiError(404, "not_found", "no such prompt");
  if (outcome === "not_connected") return apiError(409, "not_connected", "the session's wrapper is not connected; try again when it is");
  return apiError(409, "conflict", "the prompt was already answered");
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
  { method: "POST", path: "/api/actions/:token", auth: "open", handler: action },
];
