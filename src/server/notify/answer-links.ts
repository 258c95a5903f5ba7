/**
 * Answer links: the capability behind a notification's answer buttons. Each (prompt, option) gets
 * its own random token; only its sha256 is stored (AnswerLinkStore). The link answers that prompt
 * with that option, once, through `POST /api/prompts/:id/answer-link/:token` (routes/answer-link.ts),
 * until the prompt is answered or ends, or ANSWER_LINK_TTL_MS passes.
 */
import type { AnswerLink } from "../../protocol/notify.ts";
import type { AnswerLinkStore } from "../../store/answer-links.ts";
import { randomToken, sha256hex } from "../secrets.ts";

/** How long a link works at most (a prompt still pending after this is answered in the dashboard). */
const ANSWER_LINK_TTL_MS = 30 * 60 * 1000;
/** Live links kept per session: a few pending prompts' worth; the oldest go first. */
const MAX_LINKS_PER_SESSION = 30;

function answerLinkPath(promptId: string, token: string): string {
  return `/api/prompts/${encodeURIComponent(promptId)}/answer-link/${token}`;
}

/** Makes (and stores the hashes of) one link per choice; `base` is the notifier's base URL (PUBLIC_URL, else the listening URL). */
export function mintAnswerLinks(
  store: AnswerLinkStore,
  base: string,
  p: { promptId: string; sessionId: string; choices: { key: string; label: string }[] },
): AnswerLink[] {
  const links = p.choices.map((c) => ({ ...c, token: randomToken(32) }));
  store.add(
    links.map((l) => ({ promptId: p.promptId, sessionId: p.sessionId, option: l.key, label: l.label, tokenHash: sha256hex(l.token) })),
    Date.now() + ANSWER_LINK_TTL_MS,
    MAX_LINKS_PER_SESSION,
  );
  const root = base.replace(/\/$/, "");
  return links.map((l) => ({ option: l.key, title: l.label, url: `${root}${answerLinkPath(p.promptId, l.token)}` }));
}
