/** A notification as the notifier builds it once and each channel renders it. */
import type { AnswerLink, PushPayload } from "../../protocol/notify.ts";

export type PromptSummary = { id: string; sessionId: string; tool: string; detail: string; status: string };

export type Notice = PushPayload & {
  /** Set for prompt notices: what ntfy turns into one-time action buttons. */
  prompt?: PromptSummary;
  sessionName: string;
  /** A pending prompt's choices that fit on a notification button (keys of the prompt's options). */
  choices?: { key: string; label: string }[];
  /** Their answer links, made by the notifier when a channel carries them (Web Push to a subscribed browser, ntfy with one-tap buttons). */
  answers?: AnswerLink[];
};

/** The longest label an answer button takes; a longer choice is left to the dashboard. */
export const BUTTON_LABEL_MAX = 24;
/** ntfy shows at most three buttons; browsers often two (`Notification.maxActions`). */
export const MAX_ANSWER_BUTTONS = 3;

/** Shortens text for a notification line (phones show ~2 lines). */
export function short(s: string, max = 140): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > max ? one.slice(0, max - 1) + "…" : one;
}
