import { json } from "../respond.ts";
import type { Route } from "../router.ts";

export const auditRoutes: Route[] = [
  {
    method: "GET",
    path: "/api/audit",
    auth: "admin",
    handler: ({ app, url }) => {
      const before = Number(url.searchParams.get("before")) || null;
      const limit = Math.min(Math.max(Number(url.searchParams.get("limit")) || 100, 1), 1000);
      return json(app.store.audit.list(before, limit));
    },
  },
];
