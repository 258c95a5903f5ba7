import { collect, renderPrometheus } from "../../ops/metrics-text.ts";
import type { Route } from "../router.ts";

export const metricsRoutes: Route[] = [
  {
    method: "GET",
    path: "/metrics",
    auth: "admin",
    handler: ({ app }) =>
      new Response(renderPrometheus(collect(app)), {
        headers: {
          "Content-Type": "text/plain; version=0.0.4; charset=utf-8",
          "Cache-Control": "no-store",
          "X-Content-Type-Options": "nosniff",
        },
      }),
  },
];
