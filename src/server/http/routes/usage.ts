/** The conversation (paged) and the usage figures, from the stored transcript. */
import { parseWith } from "../../../protocol/common.ts";
import { ConversationQuery, UsageQuery } from "../../../protocol/transcript.ts";
import { apiError, badRequest, json } from "../respond.ts";
import type { Route } from "../router.ts";

export const usageRoutes: Route[] = [
  {
    method: "GET",
    path: "/api/sessions/:id/usage",
    auth: "admin",
    handler: ({ app, params }) => {
      const usage = app.transcripts.usage(params.id);
      return usage ? json(usage) : apiError(404, "not_found", "no such session");
    },
  },
  {
    method: "GET",
    path: "/api/sessions/:id/conversation",
    auth: "admin",
    handler: ({ app, params, url }) => {
      if (!app.store.sessions.get(params.id)) return apiError(404, "not_found", "no such session");
      const q = parseWith(ConversationQuery, Object.fromEntries(url.searchParams));
      if (!q.ok) return badRequest(q);
      if (q.value.after !== undefined && q.value.before !== undefined)
        return apiError(400, "bad_request", "give after or before, not both");
      const page = app.store.transcript.page(params.id, q.value);
      return json({ sessionId: params.id, ...page, partial: app.store.transcript.state(params.id).partial });
    },
  },
  {
    method: "GET",
    path: "/api/usage",
    auth: "admin",
    handler: ({ app, url }) => {
      const q = parseWith(UsageQuery, Object.fromEntries(url.searchParams));
      if (!q.ok) return badRequest(q);
      return json(app.transcripts.report(q.value.by, q.value.from ?? null, q.value.to ?? null));
    },
  },
];
