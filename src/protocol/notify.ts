/**
 * Notifications: the Web Push payload the service worker receives (decrypted), the subscription a
 * browser posts, the webhook body, and the notifier status the dashboard shows.
 */
import { z } from "zod";

/**
 * What can notify. `resolved` replaces an earlier prompt notification (same tag). `cost`: a
 * session's cost passed CLAUDE_REMOTE_COST_ALERT_USD (sent by every channel once that is set).
 */
export const NotifyKind = z.enum(["prompt", "resolved", "waiting", "done", "exit", "cost"]);
export type NotifyKind = z.infer<typeof NotifyKind>;
/** The kinds a user switches per channel (`resolved` follows `prompt`). */
export const SWITCHABLE_KINDS = ["prompt", "waiting", "done", "exit"] as const;

export const NotifyChannelName = z.enum(["webpush", "ntfy", "webhook"]);
export type NotifyChannelName = z.infer<typeof NotifyChannelName>;

export const NotifyAction = z.object({ action: z.enum(["approve", "deny", "open"]), title: z.string() });

/**
 * One answer button of a prompt notification: POSTing `{option}` to `url` (an answer link, single
 * use, for this prompt and option only) answers the prompt with that option. Only sent when
 * PUBLIC_URL is set.
 */
export const AnswerLink = z.object({ option: z.string(), title: z.string(), url: z.string() });
export type AnswerLink = z.infer<typeof AnswerLink>;

/** `POST /api/prompts/:id/answer-link/:token`: the option the link answers (it must be the link's own). */
export const AnswerLinkBody = z.object({ option: z.string().min(1).max(32) }).strict();

/** What an answer link did: the option given, the prompt's status, and what became of the answer (`taken`, `not_taken`, or still `sent`). */
export const AnswerLinkResult = z.object({
  ok: z.literal(true),
  promptId: z.string(),
  option: z.string(),
  label: z.string(),
  status: z.string(),
  delivery: z.enum(["sent", "taken", "not_taken"]).nullable(),
});
export type AnswerLinkResult = z.infer<typeof AnswerLinkResult>;

/** The plaintext of a Web Push message (RFC 8291 encrypted on the wire). */
export const PushPayload = z.object({
  kind: NotifyKind,
  title: z.string(),
  body: z.string(),
  /** Same prompt → same tag, so a later notification replaces the earlier one. */
  tag: z.string(),
  promptId: z.string().optional(),
  sessionId: z.string(),
  /** Dashboard URL to open on click (same origin as the server). */
  url: z.string(),
  actions: z.array(NotifyAction),
  /** A prompt's choices as answer buttons (the service worker shows them if they fit `Notification.maxActions`). */
  answers: z.array(AnswerLink).optional(),
  ts: z.number(),
});
export type PushPayload = z.infer<typeof PushPayload>;

const b64url = z.string().regex(/^[A-Za-z0-9_-]+=*$/, "must be base64url");

/** `POST /api/push/subscriptions`: what `PushSubscription.toJSON()` gives, plus an optional label. */
export const PushSubscriptionBody = z.object({
  endpoint: z
    .url()
    .max(2048)
    .refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL"),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({ p256dh: b64url.min(80).max(100), auth: b64url.min(16).max(32) }),
  label: z.string().max(200).optional(),
});
export type PushSubscriptionBody = z.infer<typeof PushSubscriptionBody>;

/** `DELETE /api/push/subscriptions`: the endpoint to forget. */
export const PushUnsubscribeBody = z.object({ endpoint: z.string().min(1).max(2048) });

export const PushKeyResponse = z.object({ publicKey: z.string() });

/** The JSON a webhook receives. */
export const WebhookBody = PushPayload.extend({
  event: NotifyKind,
  source: z.literal("claude-remote"),
  sessionName: z.string(),
  prompt: z.object({ id: z.string(), sessionId: z.string(), tool: z.string(), detail: z.string(), status: z.string() }).optional(),
});
export type WebhookBody = z.infer<typeof WebhookBody>;

export const DeliveryFailure = z.object({
  id: z.number(),
  ts: z.number(),
  channel: NotifyChannelName,
  kind: NotifyKind,
  target: z.string(),
  attempts: z.number(),
  error: z.string(),
});
export type DeliveryFailure = z.infer<typeof DeliveryFailure>;

export const ChannelCounters = z.object({ sent: z.number(), failed: z.number(), retried: z.number(), dropped: z.number() });
export type ChannelCounters = z.infer<typeof ChannelCounters>;

/** `GET /api/notify/status`. */
export const NotifyStatus = z.object({
  channels: z.array(
    z.object({
      name: NotifyChannelName,
      enabled: z.boolean(),
      kinds: z.array(NotifyKind),
      target: z.string().nullable(),
      counters: ChannelCounters,
    }),
  ),
  queued: z.number(),
  inFlight: z.number(),
  subscriptions: z.number(),
  recentFailures: z.array(DeliveryFailure),
});
export type NotifyStatus = z.infer<typeof NotifyStatus>;
