import { json } from "../respond.ts";
import type { Route } from "../router.ts";

export const healthRoutes: Route[] = [
  { method: "GET", path: "/health", auth: "open", handler: () => json({ ok: true }) },
  {
    method: "GET",
    path: "/ready",
    auth: "open",
    handler: ({ app }) => (app.store.writable() ? json({ ok: true }) : json({ ok: false, error: "database not writable" }, 503)),
  },
];
