/**
 * `POST /api/prompts/:id/answer-link/:token {option}`: a notification's answer button. The token
 * is the credential (no cookie, no page key: ntfy's app has neither): it answers this prompt with
 * this option, once. The answer goes through the prompt service like the dashboard's approve, and
 * the reply says what became of it (`taken`, `not_taken`), waiting a few seconds to know.
 */
import type { ApiErrorCode } from "../../../protocol/codes.ts";
import { AnswerLinkBody, type AnswerLinkResult } from "../../../protocol/notify.ts";
import type { Prompt } from "../../../protocol/prompts.ts";
import { PromptId } from "../../../protocol/prompts.ts";
import { TAKEN_WAIT_MS } from "../../prompts/prompt-service.ts";
import { sha256hex } from "../../secrets.ts";
import { audit } from "../audit-record.ts";
import { clientKey } from "../request-guard.ts";
import { apiError, json, rateLimited, readBody } from "../respond.ts";
import type { Ctx, Route } from "../router.ts";

/** Keys that mean the same whatever the dialog on screen draws (prompt-answers.ts). */
const ALIASES = new Set(["once", "no"]);
/** How long the reply waits for the agent to take the answer (a little past the not-taken timer). */
const SETTLE_MS = TAKEN_WAIT_MS + 1500;

async function answerLink(ctx: Ctx): Promise<Response> {
  const wait = ctx.app.limits.answerLink.take(clientKey(ctx.ip));
  if (wait > 0) return rateLimited(wait);
  const { id, token } = ctx.params;
  if (!PromptId.safeParse(id).success || !/^[A-Za-z0-9_-]{43}$/.test(token))
    return apiError(400, "bad_request", "expected /api/prompts/<prompt id>/answer-link/<43-character token>");
  const body = await readBody(ctx.req, AnswerLinkBody, 1024);
  if (!body.ok) return apiError(body.status ?? 400, "bad_request", `${body.error} (expected {"option": "<the link's option>"})`);
  const option = body.value.option;
  const links = ctx.app.store.answerLinks;
  const hash = sha256hex(token);
  const actor = `answer-link:${hash.slice(0, 12)}`;
  const refuse = (status: number, error: ApiErrorCode, detail: string, reason: string) => {
    audit(ctx, "prompt.answer_link_refused", { actor, target: id, detail: { option, reason } });
    return apiError(status, error, detail);
  };
  // From here to the answer, all synchronous: a second press cannot slip in between.
  const check = links.check(id, option, hash);
  if (!check.ok && check.reason === "expired")
    return refuse(410, "gone", "this answer link has expired; answer in the dashboard", "expired");
  if (!check.ok)
    return refuse(
      404,
      "not_found",
      "no such answer link: it was used already, its prompt ended, or it is not for this prompt and option",
      "unknown",
    );
  const p = ctx.app.prompts.get(id);
  if (!p) return refuse(404, "not_found", "no such prompt", "no prompt");
  if (p.status !== "pending") {
    links.freePrompt(id);
    return refuse(409, "conflict", `the prompt was already answered (${p.status})`, "answered");
  }
  if (!ALIASES.has(option) && currentLabel(p, option) !== check.label)
    return refuse(409, "conflict", "the prompt's choices changed since this notification; answer in the dashboard", "choices changed");
  const r = ctx.app.prompts.approve(id, { option }, { actor, ip: ctx.ip });
  if (!r.ok) {
    // An offline wrapper leaves the prompt pending: the button may be pressed again.
    if (r.error !== "not_connected") links.freePrompt(id);
    const status = r.error === "not_found" ? 404 : 409;
    return refuse(status, r.error, r.detail, r.error);
  }
  links.freePrompt(id); // single use: one answer per prompt
  audit(ctx, `prompt.${r.prompt.resolution?.decision === "deny" ? "reject" : "approve"}`, {
    actor,
    target: id,
    detail: { sessionId: p.sessionId, tool: p.tool, option, via: "answer link" },
  });
  const settled = await settle(ctx, r.prompt);
  const result: AnswerLinkResult = {
    ok: true,
    promptId: id,
    option,
    label: check.label,
    status: settled.status,
    delivery: settled.delivery,
  };
  return json(result);
}

/** The label the prompt offers now under `option`: a question's choice, or a permission option. */
function currentLabel(p: Prompt, option: string): string | undefined {
  const options = p.kind === "question" ? (p.questions[0]?.options ?? []) : p.options;
  return options.find((o) => o.key === option)?.label;
}

/** Waits until the answer is taken or not taken (or SETTLE_MS passes), and returns the prompt then. */
function settle(ctx: Ctx, sent: Prompt): Promise<Prompt> {
  if (sent.delivery !== "sent") return Promise.resolve(sent);
  return new Promise((resolve) => {
    const done = (p: Prompt) => {
      clearTimeout(timer);
      stop();
      resolve(p);
    };
    const stop = ctx.app.events.onPublish((e) => {
      if (e.event === "prompt" && e.data.prompt.id === sent.id && e.data.prompt.delivery !== "sent") done(e.data.prompt);
    });
    const timer = setTimeout(() => done(ctx.app.prompts.get(sent.id) ?? sent), SETTLE_MS);
    const now = ctx.app.prompts.get(sent.id);
    if (now && now.delivery !== "sent") done(now);
  });
}

export const answerLinkRoutes: Route[] = [
  { method: "POST", path: "/api/prompts/:id/answer-link/:token", auth: "open", handler: answerLink },
];
