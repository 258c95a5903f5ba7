/** A generic webhook: each notice as a JSON POST to CLAUDE_REMOTE_WEBHOOK_URL. */
import type { WebhookBody } from "../../protocol/notify.ts";
import { type Channel, checkResponse, displayUrl } from "./channel.ts";
import type { Notice } from "./notice.ts";
import type { Delivery } from "./queue.ts";
import { toPayload } from "./webpush.ts";

export class WebhookChannel implements Channel {
  readonly name = "webhook";
  readonly carriesAnswers = false;
  readonly target: string;

  constructor(private url: string) {
    this.target = displayUrl(url);
  }

  deliveries(n: Notice): Delivery[] {
    const body: WebhookBody = { ...toPayload(n), event: n.kind, source: "claude-remote", sessionName: n.sessionName, prompt: n.prompt };
    const text = JSON.stringify(body);
    return [{ target: this.target, run: (signal) => this.send(text, signal) }];
  }

  private async send(body: string, signal: AbortSignal): Promise<void> {
    const res = await fetch(this.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "User-Agent": "claude-remote" },
      body,
      signal,
      redirect: "error",
    });
    await checkResponse(res, "webhook");
  }
}
