import type { NotifyChannelName } from "../../protocol/notify.ts";
import type { Notice } from "./notice.ts";
import { type Delivery, PermanentError } from "./queue.ts";

/** A notification channel: turns one notice into the sends it takes (one per target). */
export interface Channel {
  readonly name: NotifyChannelName;
  /** Where it sends, for the status view (no secrets), or null if it is not configured. */
  readonly target: string | null;
  /** Whether its messages carry a prompt's answer links (answer buttons). */
  readonly carriesAnswers: boolean;
  deliveries(n: Notice): Delivery[];
}

/** Throws for a response that is not a success: 4xx (but 408/429) will not get better by retrying. */
export async function checkResponse(res: Response, what: string): Promise<void> {
  const text = res.ok ? "" : (await res.text().catch(() => "")).slice(0, 200);
  if (res.ok) {
    await res.body?.cancel().catch(() => {});
    return;
  }
  const msg = `${what} answered ${res.status}${text ? `: ${text.replace(/\s+/g, " ")}` : ""}`;
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw new PermanentError(msg);
  throw new Error(msg);
}

/** A URL without credentials, query or fragment, safe to show and log. */
export function displayUrl(u: string): string {
  try {
    const url = new URL(u);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return "(invalid url)";
  }
}
