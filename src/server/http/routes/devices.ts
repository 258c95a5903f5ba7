import { audit } from "../audit-record.ts";
import { apiError, json } from "../respond.ts";
import type { Route } from "../router.ts";

export const deviceRoutes: Route[] = [
  { method: "GET", path: "/api/devices", auth: "admin", handler: ({ app }) => json(app.store.devices.list((id) => app.hub.isOnline(id))) },
  {
    method: "DELETE",
    path: "/api/devices/:id",
    auth: "admin",
    handler: (ctx) => {
      const { app, params } = ctx;
      // Revoked in the database first: a reconnect racing the close below already fails its HMAC.
      if (!app.store.devices.revoke(params.id)) return apiError(404, "not_found", "no such active device");
      const closed = app.sockets.closeDevice(params.id, "device revoked");
      audit(ctx, "device.revoke", { target: params.id, detail: { connectionsClosed: closed } });
      app.events.publish("device", { id: params.id, revoked: true });
      return json({ ok: true, connectionsClosed: closed });
    },
  },
];
