import { castFileName, castStream } from "../../ops/cast-export.ts";
import { apiError } from "../respond.ts";
import type { Route } from "../router.ts";

export const castRoutes: Route[] = [
  {
    method: "GET",
    path: "/api/sessions/:id/cast",
    auth: "admin",
    handler: ({ app, params }) => {
      const session = app.store.sessions.get(params.id);
      if (!session) return apiError(404, "not_found", "no such session");
      return new Response(castStream(session, app.store.output), {
        headers: {
          "Content-Type": "application/x-asciicast; charset=utf-8",
          "Content-Disposition": `attachment; filename="${castFileName(session)}"`,
          "Cache-Control": "no-store",
          "X-Content-Type-Options": "nosniff",
        },
      });
    },
  },
];
