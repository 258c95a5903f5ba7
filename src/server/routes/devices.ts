import { actorOf } from "../auth.ts";
import { apiError, json } from "../http.ts";
import type { Route } from "../router.ts";

export const deviceRoutes: Route[] = [
  { method: "GET", path: "/api/devices", auth: "admin", handler: ({ app }) => json(app.store.devices.list((id) => app.hub.isOnline(id))) },
  {
    method: "DELETE",
    path: "/api/devices/:id",
    auth: "admin",
    handler: ({ req, app, params, principal, ip }) => {
      if (!app.store.devices.revoke(params.id)) return apiError(404, "not_found", "no such active device");
      app.sockets.closeDevice(params.id, "device revoked");
      app.store.audit.append({ actor: actorOf(principal), ip, userAgent: req.headers.get("user-agent"), action: "device.revoke", target: params.id });
      app.events.publish("device", { id: params.id, revoked: true });
      return json({ ok: true });
    },
  },
];
