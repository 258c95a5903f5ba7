import { parseWith } from "../../../protocol/common.ts";
import { ApproveBody, PromptsQuery, RejectBody } from "../../../protocol/prompts.ts";
import { audit } from "../audit-record.ts";
import { actorOf } from "../auth.ts";
import { apiError, badRequest, json, readBody } from "../respond.ts";
import { badCursor, decodeCursor, pageResponse } from "../paging.ts";
import type { z } from "zod";
import type { AnswerError, AnswerResult, Answerer } from "../../prompts/prompt-service.ts";
import type { Ctx, Route } from "../router.ts";

const ANSWER_STATUS: Record<AnswerError, number> = { not_found: 404, bad_option: 400, conflict: 409, not_connected: 409 };

/** `POST /api/prompts/:id/<verb>`: validate the body, answer, audit what was done. */
function answerRoute<T>(
  verb: "approve" | "reject",
  schema: z.ZodType<T>,
  answer: (ctx: Ctx, body: T, by: Answerer) => AnswerResult,
  auditDetail: (body: T) => Record<string, unknown>,
): Route {
  return {
    method: "POST",
    path: `/api/prompts/:id/${verb}`,
    auth: "admin",
    handler: async (ctx) => {
      const body = await readBody(ctx.req, schema);
      if (!body.ok) return badRequest(body);
      const r = answer(ctx, body.value, { actor: actorOf(ctx.principal), ip: ctx.ip });
      if (!r.ok) return json({ error: r.error, detail: r.detail, ...(r.prompt ? { prompt: r.prompt } : {}) }, ANSWER_STATUS[r.error]);
      const p = r.prompt;
      audit(ctx, `prompt.${verb}`, {
        target: p.id,
        detail: { sessionId: p.sessionId, tool: p.tool, status: p.status, ...auditDetail(body.value) },
      });
      return json(p);
    },
  };
}

export const promptRoutes: Route[] = [
  {
    method: "GET",
    path: "/api/prompts",
    auth: "admin",
    handler: ({ app, url }) => {
      const q = parseWith(PromptsQuery, Object.fromEntries(url.searchParams));
      if (!q.ok) return badRequest(q);
      const { cursor, ...filter } = q.value;
      const after = cursor === undefined ? null : decodeCursor(cursor);
      if (after === null && cursor !== undefined) return badCursor();
      return pageResponse(app.store.prompts.page({ ...filter, after }));
    },
  },
  {
    method: "GET",
    path: "/api/prompts/:id",
    auth: "admin",
    handler: ({ app, params }) => {
      const p = app.prompts.get(params.id);
      return p ? json(p) : apiError(404, "not_found", "no such prompt");
    },
  },
  answerRoute(
    "approve",
    ApproveBody,
    (ctx, body, by) => ctx.app.prompts.approve(ctx.params.id, body, by),
    (b) => ({ option: b.option ?? null, ...(b.answers ? { answers: b.answers.length } : {}) }),
  ),
  answerRoute(
    "reject",
    RejectBody,
    (ctx, body, by) => ctx.app.prompts.reject(ctx.params.id, body.message, by),
    (b) => ({ message: b.message ?? null }),
  ),
];
