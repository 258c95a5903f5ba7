/**
 * ntfy (https://ntfy.sh or self-hosted): JSON publish to the server with the topic from
 * CLAUDE_REMOTE_NTFY_URL. By default a prompt's only button opens the dashboard: a topic is public
 * unless protected, and whoever reads it could press a one-tap Approve. With
 * CLAUDE_REMOTE_NTFY_ACTIONS=approve, a prompt whose choices fit on buttons (a question's "Crimson" /
 * "Teal", a permission's "Yes" / "No") also gets them: http actions POSTing to its answer links
 * (answer-links.ts: one-time, one prompt and one option each, only their hashes stored). The admin
 * token never leaves the server.
 */
import { type Channel, checkResponse, displayUrl } from "./channel.ts";
import type { Notice } from "./notice.ts";
import type { Delivery } from "./queue.ts";

const PRIORITY = { prompt: 4, waiting: 4, done: 3, exit: 3, resolved: 2, cost: 4 } as const;
const TAGS = {
  prompt: ["lock"],
  waiting: ["hourglass"],
  done: ["white_check_mark"],
  exit: ["checkered_flag"],
  resolved: ["heavy_check_mark"],
  cost: ["moneybag"],
} as const;

type NtfyAction =
  | { action: "http"; label: string; url: string; method: "POST"; headers?: Record<string, string>; body?: string; clear: boolean }
  | { action: "view"; label: string; url: string; clear: boolean };

export class NtfyChannel implements Channel {
  readonly name = "ntfy";
  readonly target: string;
  readonly carriesAnswers: boolean;
  private publishUrl: string;
  private topic: string;

  /** `oneTap`: add a prompt's answer buttons (CLAUDE_REMOTE_NTFY_ACTIONS=approve). */
  constructor(
    topicUrl: string,
    private token: string,
    private oneTap = false,
  ) {
    const u = new URL(topicUrl);
    const parts = u.pathname.split("/");
    this.topic = decodeURIComponent(parts.pop() ?? "");
    if (!this.topic) throw new Error("CLAUDE_REMOTE_NTFY_URL must end with the topic, e.g. https://ntfy.sh/my-topic");
    u.pathname = parts.join("/") || "/";
    u.search = "";
    this.publishUrl = u.toString();
    this.target = displayUrl(topicUrl);
    this.carriesAnswers = oneTap;
  }

  deliveries(n: Notice): Delivery[] {
    // Built once per notice (its answer links were minted by the notifier): a retry carries the same buttons.
    const body = JSON.stringify({
      topic: this.topic,
      title: n.title,
      message: n.body || n.title,
      tags: TAGS[n.kind],
      priority: PRIORITY[n.kind],
      click: n.url,
      actions: this.actions(n),
    });
    return [{ target: this.target, run: (signal) => this.send(body, signal) }];
  }

  private actions(n: Notice): NtfyAction[] {
    const open: NtfyAction = { action: "view", label: "Open", url: n.url, clear: false };
    if (n.kind !== "prompt" || !this.oneTap || !n.answers?.length) return [open];
    // Each of the prompt's own choices POSTs its option to its answer link (ntfy shows at most three buttons).
    const buttons: NtfyAction[] = n.answers.map((a) => ({
      action: "http",
      label: a.title,
      url: a.url,
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ option: a.option }),
      clear: true,
    }));
    return buttons.length < 3 ? [...buttons, open] : buttons;
  }

  private async send(body: string, signal: AbortSignal): Promise<void> {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const res = await fetch(this.publishUrl, { method: "POST", headers, body, signal, redirect: "error" });
    await checkResponse(res, "ntfy");
  }
}
