/**
 * Builds the server: store, hub, auth, routes, and one Bun.serve for HTTP + WebSocket + SSE.
 * `startServer` is what `npm start`, `claude-remote serve` and the tests call.
 */
import type { Server } from "bun";
import { join } from "node:path";
import { Checkpointer } from "../store/checkpointer.ts";
import { Store } from "../store/index.ts";
import { Auth } from "./http/auth.ts";
import { listenUrl, type ServerConfig } from "./config.ts";
import { ensureDataDir, loadAdminToken, loadMasterKey } from "./data-dir.ts";
import { DeviceSockets } from "./ingest/device-socket.ts";
import { socketHandler, type WsData } from "./http/sockets.ts";
import { ViewerSockets } from "./viewers/viewer-socket.ts";
import { EventLog } from "./viewers/event-log.ts";
import { apiError, rateLimited, tooManyConnections } from "./http/respond.ts";
import { ConnectionSlots } from "./viewers/connection-slots.ts";
import { LOW_FD_LIMIT, openFilesLimit } from "./ops/fd-limit.ts";
import { Hub } from "./ingest/hub.ts";
import { Logger } from "./log.ts";
import { RateLimiter } from "./http/rate-limit.ts";
import { type Route, Router } from "./http/router.ts";
import { auditRoutes } from "./http/routes/audit.ts";
import { deviceRoutes } from "./http/routes/devices.ts";
import { healthRoutes } from "./http/routes/health.ts";
import { loginRoutes } from "./http/routes/login.ts";
import { pairingRoutes } from "./http/routes/pairing.ts";
import { promptRoutes } from "./http/routes/prompts.ts";
import { answerLinkRoutes } from "./http/routes/answer-link.ts";
import { PromptService } from "./prompts/prompt-service.ts";
import { sessionRoutes } from "./http/routes/sessions.ts";
import { castRoutes } from "./http/routes/cast.ts";
import { metricsRoutes } from "./http/routes/metrics.ts";
import { searchRoutes } from "./http/routes/search.ts";
import { Metrics } from "./ops/metrics-text.ts";
import { countOutcomes, createNotifier, type Notifier } from "./notify/index.ts";
import { pushRoutes } from "./http/routes/push.ts";
import { Retention } from "./ops/retention.ts";
import { RemoteStart } from "./ingest/remote-start.ts";
import { remoteRoutes } from "./http/routes/remote.ts";
import { SearchIndexer } from "./ops/search-indexer.ts";
import { DurableAcks } from "./ingest/durable-acks.ts";
import { serveStatic } from "./http/static.ts";
import { PAGE_KEY_PARAM } from "../protocol/api.ts";
import { TranscriptService } from "./ingest/transcript-service.ts";
import { usageRoutes } from "./http/routes/usage.ts";
import { browserRequestAllowed, clientIp, clientKey, hostAllowed, originAllowed, requestOrigin, requestUrl } from "./http/request-guard.ts";

export const ROUTES: readonly Route[] = [
  ...healthRoutes,
  ...loginRoutes,
  ...pairingRoutes,
  ...deviceRoutes,
  ...sessionRoutes,
  ...promptRoutes,
  ...answerLinkRoutes,
  ...auditRoutes,
  ...castRoutes,
  ...searchRoutes,
  ...metricsRoutes,
  ...pushRoutes,
  ...remoteRoutes,
  ...usageRoutes,
];

/** Routes whose answers are long streams: events, stored output, recordings. */
const STREAMING = /^\/(events$|api\/sessions\/[^/]+\/(output|cast)$)/;

export type App = {
  config: ServerConfig;
  store: Store;
  hub: Hub;
  prompts: PromptService;
  transcripts: TranscriptService;
  events: EventLog;
  auth: Auth;
  sockets: DeviceSockets;
  remote: RemoteStart;
  viewers: ViewerSockets;
  checkpointer: Checkpointer;
  indexer: SearchIndexer;
  log: Logger;
  masterKey: Uint8Array;
  metrics: Metrics;
  notifier: Notifier;
  /** Long-lived connections (event streams, WebSockets) per client IP. */
  streams: ConnectionSlots;
  limits: {
    login: RateLimiter;
    pairIp: RateLimiter;
    pairGlobal: RateLimiter;
    answerLink: RateLimiter;
    input: RateLimiter;
    api: RateLimiter;
    ws: RateLimiter;
    viewerWs: RateLimiter;
  };
  isSecure(req: Request): boolean;
  publicUrl(req: Request): string;
};

export type RunningServer = {
  app: App;
  server: Server<WsData>;
  url: string;
  adminToken: string;
  adminTokenGenerated: boolean;
  stop(): Promise<void>;
};

export async function startServer(config: ServerConfig, opts: { logger?: Logger } = {}): Promise<RunningServer> {
  ensureDataDir(config.dataDir);
  const log = opts.logger ?? new Logger(config.logLevel);
  const dbPath = join(config.dataDir, "claude-remote.db");
  const store = Store.open(dbPath);
  store.sessions.markAllDisconnected();
  const checkpointer = new Checkpointer(dbPath, { onError: (error) => log.warn("wal_checkpoint_failed", { error }) });
  const masterKey = loadMasterKey(config.dataDir);
  const admin = loadAdminToken(config.dataDir, config.adminToken);
  const events = new EventLog();
  const viewerQueueBytes = 4 * 1024 * 1024;
  const durable = new DurableAcks(() => checkpointer.sync(), log);
  const hub = new Hub(store, events, log, {
    viewerQueueBytes,
    scrollback: 1000,
    durably: (send) => durable.after(send),
    maxSessionsPerDevice: config.maxSessionsPerDevice,
  });
  const prompts = new PromptService(store, hub, events, log);
  const remote = new RemoteStart(log, (ids) => ids.forEach((id) => hub.publishSession(id)));
  const transcripts = new TranscriptService(store, hub, events, log, config.costAlertUsd);
  const sockets = new DeviceSockets(store, hub, masterKey, log, prompts, remote, transcripts);
  const router = new Router(ROUTES);
  const auth = new Auth(store, admin.token, masterKey);
  const isSecure = (req: Request) => (config.publicUrl || requestOrigin(req, config)).startsWith("https:");
  const limits: App["limits"] = {
    login: new RateLimiter(10, 0.2),
    pairIp: new RateLimiter(10, 0.1),
    // Charged only by attempts their IP allowed: one IP cannot drain it for everyone.
    pairGlobal: new RateLimiter(60, 1),
    // Notification answer buttons (open route: the token is the credential), per IP.
    answerLink: new RateLimiter(20, 0.5),
    input: new RateLimiter(200, 50),
    api: new RateLimiter(600, 100),
    ws: new RateLimiter(30, 1),
    viewerWs: new RateLimiter(30, 1),
  };
  const viewers = new ViewerSockets({
    store,
    hub,
    auth,
    log,
    config,
    isSecure,
    inputLimit: limits.input,
    upgradeLimit: limits.viewerWs,
    maxQueuedBytes: viewerQueueBytes,
  });

  const indexer = new SearchIndexer(dbPath, log);
  const app: App = {
    config,
    store,
    hub,
    prompts,
    transcripts,
    events,
    sockets,
    remote,
    viewers,
    checkpointer,
    indexer,
    log,
    masterKey,
    auth,
    limits,
    isSecure,
    metrics: new Metrics(),
    streams: new ConnectionSlots(config.maxStreamsPerIp),
    notifier: createNotifier(config, store, log),
    publicUrl: (req) => config.publicUrl.replace(/\/$/, "") || requestOrigin(req, config),
  };
  const retention = new Retention(store, config.retentionDays, log, app.metrics.retentionDeletedChunks, (id) => indexer.forget(id));
  indexer.start();
  retention.start();

  const server = Bun.serve<WsData>({
    hostname: config.host,
    port: config.port,
    // Idle connections close (a flood of them cannot hold every descriptor); event streams lift it
    // for themselves below (their heartbeats and stall rule bound them), WebSockets have their own.
    idleTimeout: config.idleTimeout,
    maxRequestBodySize: 1024 * 1024, // routes cap their bodies lower (readBody); this bounds the rest
    // Bun's development mode answers an uncaught error with a page holding paths, a stack and source.
    development: false,
    error: () => apiError(500, "internal", "unexpected server error"),
    fetch: async (req, srv) => {
      const url = requestUrl(req);
      if (!url) return apiError(400, "bad_request", "malformed Host header or request target");
      try {
        return await handle(req, srv, clientIp(req, srv, config), url);
      } catch (e) {
        log.error("request_failed", { path: loggablePath(url.pathname), error: (e as Error).message });
        return apiError(500, "internal", "unexpected server error");
      }
    },
    websocket: socketHandler(sockets, app.viewers),
  });

  const tooMany = (wait: number) => rateLimited(wait);

  async function handle(req: Request, srv: Server<WsData>, ip: string, url: URL): Promise<Response | undefined> {
    if (!hostAllowed(req, config))
      return apiError(403, "forbidden_host", "Host header not accepted here (DNS rebinding guard); set PUBLIC_URL to the name you use");
    // Any state change from a foreign page is refused before routing, whatever the path.
    if (req.method !== "GET" && req.method !== "HEAD" && !originAllowed(req, config))
      return apiError(403, "forbidden", "cross-origin request refused");
    if (url.pathname === "/ws") {
      if (!originAllowed(req, config)) return apiError(403, "forbidden", "cross-origin WebSocket refused");
      const wait = app.limits.ws.take(clientKey(ip));
      if (wait > 0) return tooMany(wait);
      const release = app.streams.take(clientKey(ip));
      if (!release) return tooManyConnections();
      if (srv.upgrade(req, { data: { ...sockets.newSocketData(ip), release } })) return undefined;
      release();
      return apiError(400, "bad_request", "expected a WebSocket upgrade");
    }
    if (url.pathname === "/ws/viewer") {
      const wait = app.limits.api.take(clientKey(ip));
      if (wait > 0) return tooMany(wait);
      const release = app.streams.take(clientKey(ip));
      if (!release) return tooManyConnections();
      const refused = app.viewers.upgrade(req, srv, ip, url, release);
      if (refused) release();
      return refused;
    }
    let m: ReturnType<Router["match"]>;
    try {
      m = router.match(req.method, url.pathname);
    } catch {
      return apiError(400, "bad_request", "malformed percent-encoding in the path");
    }
    if (m === "methodMismatch") return apiError(405, "method_not_allowed", `${req.method} is not allowed here`);
    if (!m) {
      if (req.method !== "GET" && req.method !== "HEAD") return apiError(404, "not_found");
      try {
        return (await serveStatic(url.pathname)) ?? apiError(404, "not_found");
      } catch {
        return apiError(400, "bad_request", "malformed path");
      }
    }
    const wait = app.limits.api.take(clientKey(ip));
    if (wait > 0) return tooMany(wait);
    // EventSource cannot set headers: the page key may ride in the URL of the streams only.
    const principal = app.auth.authenticate(
      req,
      app.isSecure(req),
      url.pathname === "/events" ? url.searchParams.get(PAGE_KEY_PARAM) : null,
    );
    if (principal?.kind === "browser" && !browserRequestAllowed(req, config))
      return apiError(403, "forbidden", "cross-origin request with the session cookie refused");
    if (m.route.auth === "admin") {
      if (!principal)
        return apiError(401, "unauthorized", "admin token, or login (the session cookie and its page key), required", {
          "WWW-Authenticate": "Bearer",
        });
      // A cookie rides along on any request a browser makes: state changes need a same-origin Origin too.
      if (principal.kind === "browser" && req.method !== "GET" && !req.headers.get("origin"))
        return apiError(403, "forbidden", "Origin header required");
    }
    const res = await m.route.handler({ req, url, params: m.params, ip, principal, app });
    // Streams send while the client only reads: Bun's idle timer (reads only) must not cut them.
    if (req.method === "GET" && res.body && STREAMING.test(url.pathname)) srv.timeout(req, 0);
    return res;
  }

  const fdLimit = openFilesLimit();
  if (fdLimit !== null && fdLimit < LOW_FD_LIMIT)
    log.warn("low_open_files_limit", {
      limit: fdLimit,
      advice: `raise it (ulimit -n, or ulimits: nofile in compose) to at least ${LOW_FD_LIMIT}: each connection takes one`,
    });
  const url = listenUrl(config.host, server.port as number);
  app.notifier.start(events, url, countOutcomes(app.metrics));
  let stopped = false;
  return {
    app,
    server,
    url,
    adminToken: admin.token,
    adminTokenGenerated: admin.generated,
    async stop() {
      if (stopped) return;
      stopped = true;
      app.notifier.stop();
      await retention.stop();
      await indexer.stop();
      remote.stop();
      sockets.stop();
      app.viewers.stop();
      prompts.stop();
      events.closeAll();
      hub.shutdown();
      await server.stop(true);
      await checkpointer.stop();
      store.close();
    },
  };
}

/** A request path for the log, without the secret some paths carry (an answer link's token: the credential itself). */
function loggablePath(pathname: string): string {
  return pathname.replace(/\/answer-link\/[^/]*/g, "/answer-link/[redacted]").slice(0, 200);
}
