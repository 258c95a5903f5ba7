/**
 * Builds the server: store, hub, auth, routes, and one Bun.serve for HTTP + WebSocket + SSE.
 * `startServer` is what `npm start`, `claude-remote serve` and the tests call.
 */
import type { Server } from "bun";
import { join } from "node:path";
import { Store } from "../store/index.ts";
import { Auth } from "./auth.ts";
import type { ServerConfig } from "./config.ts";
import { ensureDataDir, loadAdminToken, loadMasterKey } from "./data-dir.ts";
import { DeviceSockets, type SocketData } from "./device-socket.ts";
import { EventLog } from "./event-log.ts";
import { apiError } from "./http.ts";
import { Hub } from "./hub.ts";
import { Logger } from "./log.ts";
import { RateLimiter } from "./rate-limit.ts";
import { type Route, Router } from "./router.ts";
import { auditRoutes } from "./routes/audit.ts";
import { deviceRoutes } from "./routes/devices.ts";
import { healthRoutes } from "./routes/health.ts";
import { loginRoutes } from "./routes/login.ts";
import { pairingRoutes } from "./routes/pairing.ts";
import { sessionRoutes } from "./routes/sessions.ts";
import { serveStatic } from "./static.ts";

export const ROUTES: readonly Route[] = [...healthRoutes, ...loginRoutes, ...pairingRoutes, ...deviceRoutes, ...sessionRoutes, ...auditRoutes];

export type App = {
  config: ServerConfig;
  store: Store;
  hub: Hub;
  events: EventLog;
  auth: Auth;
  sockets: DeviceSockets;
  log: Logger;
  masterKey: Uint8Array;
  limits: { login: RateLimiter; pairIp: RateLimiter; pairGlobal: RateLimiter; input: RateLimiter; api: RateLimiter };
  isSecure(req: Request): boolean;
  publicUrl(req: Request): string;
};

export type RunningServer = {
  app: App;
  server: Server<SocketData>;
  url: string;
  adminToken: string;
  adminTokenGenerated: boolean;
  stop(): Promise<void>;
};

export async function startServer(config: ServerConfig, opts: { logger?: Logger } = {}): Promise<RunningServer> {
  ensureDataDir(config.dataDir);
  const log = opts.logger ?? new Logger(config.logLevel);
  const store = Store.open(join(config.dataDir, "claude-remote.db"));
  store.sessions.markAllDisconnected();
  const masterKey = loadMasterKey(config.dataDir);
  const admin = loadAdminToken(config.dataDir, config.adminToken);
  const events = new EventLog();
  const hub = new Hub(store, events, log, { viewerQueueBytes: 4 * 1024 * 1024, scrollback: 1000 });
  const sockets = new DeviceSockets(store, hub, masterKey, log);
  const router = new Router(ROUTES);

  const app: App = {
    config, store, hub, events, sockets, log, masterKey,
    auth: new Auth(store, admin.token),
    limits: {
      login: new RateLimiter(10, 0.2),
      pairIp: new RateLimiter(10, 0.1),
      pairGlobal: new RateLimiter(30, 0.5),
      input: new RateLimiter(200, 50),
      api: new RateLimiter(600, 100),
    },
    isSecure: (req) => requestOrigin(req, config).startsWith("https:"),
    publicUrl: (req) => config.publicUrl.replace(/\/$/, "") || requestOrigin(req, config),
  };

  const server = Bun.serve<SocketData>({
    hostname: config.host,
    port: config.port,
    idleTimeout: 0, // SSE streams stay open; the WebSocket has its own idle timeout
    fetch: async (req, srv) => {
      const ip = clientIp(req, srv, config);
      try {
        return await handle(req, srv, ip);
      } catch (e) {
        log.error("request_failed", { path: new URL(req.url).pathname, error: (e as Error).message });
        return apiError(500, "internal", "unexpected server error");
      }
    },
    websocket: sockets.handler,
  });

  async function handle(req: Request, srv: Server<SocketData>, ip: string): Promise<Response | undefined> {
    const url = new URL(req.url);
    if (url.pathname === "/ws") {
      if (!originAllowed(req, config)) return apiError(403, "forbidden", "cross-origin WebSocket refused");
      if (srv.upgrade(req, { data: sockets.newSocketData(ip) })) return undefined;
      return apiError(400, "bad_request", "expected a WebSocket upgrade");
    }
    const m = router.match(req.method, url.pathname);
    if (m === "methodMismatch") return apiError(405, "method_not_allowed", `${req.method} is not allowed here`);
    if (!m) {
      if (req.method === "GET" || req.method === "HEAD") return (await serveStatic(url.pathname)) ?? apiError(404, "not_found");
      return apiError(404, "not_found");
    }
    if (req.method !== "GET" && !originAllowed(req, config)) return apiError(403, "forbidden", "cross-origin request refused");
    const principal = app.auth.authenticate(req);
    if (m.route.auth === "admin") {
      if (!principal) return apiError(401, "unauthorized", "admin token or login required", { "WWW-Authenticate": "Bearer" });
      // A cookie rides along on any request a browser makes: state changes need a same-origin Origin too.
      if (principal.kind === "browser" && req.method !== "GET" && !req.headers.get("origin")) return apiError(403, "forbidden", "Origin header required");
    }
    return m.route.handler({ req, url, params: m.params, ip, principal, app });
  }

  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${server.port}`;
  let stopped = false;
  return {
    app, server, url,
    adminToken: admin.token,
    adminTokenGenerated: admin.generated,
    async stop() {
      if (stopped) return;
      stopped = true;
      sockets.stop();
      events.closeAll();
      hub.shutdown();
      await server.stop(true);
      store.close();
    },
  };
}

function requestOrigin(req: Request, config: ServerConfig): string {
  const url = new URL(req.url);
  const proto = config.trustProxy ? req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() : null;
  return `${proto ? `${proto}:` : url.protocol}//${req.headers.get("host") ?? url.host}`;
}

/** Requests without Origin (scripts, the CLI) pass; a browser's Origin must be this server's. */
export function originAllowed(req: Request, config: ServerConfig): boolean {
  const origin = req.headers.get("origin");
  if (origin === null) return true;
  const allowed = new Set([requestOrigin(req, config)]);
  if (config.publicUrl) allowed.add(new URL(config.publicUrl).origin);
  return allowed.has(origin);
}

function clientIp(req: Request, srv: Server<SocketData>, config: ServerConfig): string {
  if (config.trustProxy) {
    const fwd = req.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
    if (fwd) return fwd;
  }
  return srv.requestIP(req)?.address ?? "unknown";
}
