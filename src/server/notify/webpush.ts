/**
 * Web Push (RFC 8030) to every stored browser subscription. The `web-push` library encrypts the
 * payload (RFC 8291, aes128gcm) and signs the VAPID JWT (RFC 8292); we send with fetch so each
 * attempt has a timeout. A subscription the push service calls gone (404/410) is deleted.
 */
import webpush from "web-push";
import type { PushPayload } from "../../protocol/notify.ts";
import type { PushStore, PushSubscriptionRow } from "../../store/push.ts";
import { sha256hex } from "../secrets.ts";
import { type Channel, checkResponse, displayUrl } from "./channel.ts";
import type { Notice } from "./notice.ts";
import { type Delivery, PermanentError } from "./queue.ts";
import type { VapidKeys } from "./vapid.ts";

/** How long a push service keeps an undelivered message (a prompt older than this is stale anyway). */
const TTL_SECONDS = 15 * 60;

export class WebPushChannel implements Channel {
  readonly name = "webpush";
  readonly target = "browser subscriptions";
  /** End-to-end encrypted to the subscribed browsers only; no links are made while none is subscribed. */
  get carriesAnswers(): boolean {
    return this.store.subscriptionCount() > 0;
  }

  constructor(
    private store: PushStore,
    private keys: VapidKeys,
    private subject: string,
  ) {}

  deliveries(n: Notice): Delivery[] {
    const payload = JSON.stringify({ ...toPayload(n), ...(n.answers ? { answers: n.answers } : {}) });
    return this.store
      .subscriptions()
      .map((sub) => ({ target: displayUrl(sub.endpoint), run: (signal) => this.send(sub, payload, n, signal) }));
  }

  private async send(sub: PushSubscriptionRow, payload: string, n: Notice, signal: AbortSignal): Promise<void> {
    const req = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, payload, {
      vapidDetails: { subject: this.subject, publicKey: this.keys.publicKey, privateKey: this.keys.privateKey },
      TTL: TTL_SECONDS,
      urgency: n.kind === "prompt" || n.kind === "waiting" ? "high" : "normal",
      // RFC 8030 §5.4: a newer message with the same Topic replaces an undelivered older one.
      topic: sha256hex(n.tag).slice(0, 32),
    });
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const res = await fetch(req.endpoint, { method: "POST", headers, body: new Uint8Array(req.body), signal, redirect: "error" });
    if (res.status === 404 || res.status === 410) {
      await res.body?.cancel().catch(() => {});
      this.store.deleteSubscription(sub.endpoint);
      throw new PermanentError(`subscription gone (${res.status}); removed`);
    }
    await checkResponse(res, "push service");
  }
}

export function toPayload(n: Notice): PushPayload {
  return {
    kind: n.kind,
    title: n.title,
    body: n.body,
    tag: n.tag,
    promptId: n.promptId,
    sessionId: n.sessionId,
    url: n.url,
    actions: n.actions,
    ts: n.ts,
  };
}
