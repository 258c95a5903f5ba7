/** A notification as the notifier builds it once and each channel renders it. */
import type { PushPayload } from "../../protocol/notify.ts";

export type PromptSummary = { id: string; sessionId: string; tool: string; detail: string; status: string };

export type Notice = PushPayload & {
  /** Set for prompt notices: what ntfy turns into one-time action buttons. */
  prompt?: PromptSummary;
  sessionName: string;
};

/** Shortens text for a notification line (phones show ~2 lines). */
export function short(s: string, max = 140): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > max ? one.slice(0, max - 1) + "…" : one;
}
