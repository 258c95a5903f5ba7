import { parseWith } from "../../protocol/common.ts";
import { ApproveBody, PromptsQuery, RejectBody } from "../../protocol/prompts.ts";
import { audit } from "../audit.ts";
import { actorOf } from "../auth.ts";
import { apiError, json, readBody } from "../http.ts";
import type { AnswerResult } from "../prompts.ts";
import type { Ctx, Route } from "../router.ts";

function reply(ctx: Ctx, action: string, r: AnswerResult, detail: Record<string, unknown>): Response {
  if (!r.ok) return json({ error: r.error, detail: r.detail, ...(r.prompt ? { prompt: r.prompt } : {}) }, r.status);
  const p = r.prompt;
  audit(ctx, action, { target: p.id, detail: { sessionId: p.sessionId, tool: p.tool, status: p.status, ...detail } });
  return json(p);
}

export const promptRoutes: Route[] = [
  {
    method: "GET",
    path: "/api/prompts",
    auth: "admin",
    handler: ({ app, url }) => {
      const q = parseWith(PromptsQuery, Object.fromEntries(url.searchParams));
      if (!q.ok) return apiError(400, "bad_request", q.error);
      return json(app.prompts.list(q.value));
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
  {
    method: "POST",
    path: "/api/prompts/:id/approve",
    auth: "admin",
    handler: async (ctx) => {
      const body = await readBody(ctx.req, ApproveBody);
      if (!body.ok) return apiError(body.status ?? 400, "bad_request", body.error);
      const r = ctx.app.prompts.approve(ctx.params.id, body.value.option, { actor: actorOf(ctx.principal), ip: ctx.ip });
      return reply(ctx, "prompt.approve", r, { option: body.value.option ?? null });
    },
  },
  {
    method: "POST",
    path: "/api/prompts/:id/reject",
    auth: "admin",
    handler: async (ctx) => {
      const body = await readBody(ctx.req, RejectBody);
      if (!body.ok) return apiError(body.status ?? 400, "bad_request", body.error);
      const r = ctx.app.prompts.reject(ctx.params.id, body.value.message, { actor: actorOf(ctx.principal), ip: ctx.ip });
      return reply(ctx, "prompt.reject", r, { message: body.value.message ?? null });
    },
  },
];
