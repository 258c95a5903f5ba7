/**
 * Starting, stopping and resuming sessions on a machine's daemon (`src/server/ingest/remote-start.ts`):
 * `GET /api/daemons`, `POST /api/sessions` (New session / Continue), `POST /api/sessions/:id/stop`,
 * `POST /api/sessions/:id/resume`. Every attempt, refused ones included, is audited.
 */
import type { ApiErrorCode } from "../../../protocol/codes.ts";
import { DEFAULT_STOP_GRACE_MS, type DaemonStart, ResumeSessionBody, StartSessionBody, StopSessionBody } from "../../../protocol/daemon.ts";
import type { SessionInfo } from "../../../protocol/common.ts";
import type { App } from "../../app.ts";
import { audit } from "../audit-record.ts";
import { actorOf } from "../auth.ts";
import { apiError, badRequest, json, rateLimited, readBody } from "../respond.ts";
import { RateLimiter } from "../rate-limit.ts";
import { clientKey } from "../request-guard.ts";
import type { Ctx, Route } from "../router.ts";

/** How long a start answer waits for the new session to reach the server (it may come later). */
const SESSION_ARRIVAL_MS = 15_000;

/** Starts and stops per client IP: each start runs a program on a dev machine. */
const limiters = new WeakMap<App, RateLimiter>();
function limited(ctx: Ctx): Response | null {
  let l = limiters.get(ctx.app);
  if (!l) limiters.set(ctx.app, (l = new RateLimiter(20, 0.5)));
  const wait = l.take(clientKey(ctx.ip));
  return wait > 0 ? rateLimited(wait, "session starts and stops") : null;
}

function startsCounter(app: App) {
  return app.metrics.counter(
    "claude_remote_remote_starts_total",
    "Sessions the dashboard asked a daemon to start, by result (started, refused)",
  );
}

function device(app: App, id: string) {
  return app.store.devices.list(() => false).find((d) => d.id === id) ?? null;
}

async function arrived(app: App, sessionId: string): Promise<SessionInfo | null> {
  for (const until = Date.now() + SESSION_ARRIVAL_MS; Date.now() < until; await Bun.sleep(25)) {
    const s = app.store.sessions.get(sessionId);
    if (s) return s;
  }
  return null;
}

/** Claude's own session id, as the session's PermissionRequest hooks reported it (the latest prompt that carried one). */
function hookConversation(app: App, sessionId: string): string | undefined {
  const id = app.store.prompts.list({ session: sessionId, limit: 100 }).find((p) => p.hookSessionId)?.hookSessionId;
  return id && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? id : undefined;
}

type StartRequest = Omit<DaemonStart, "type" | "requestId" | "by">;

/** Relays a start to the device's daemon; answers 201 with the session, or the refusal. */
async function startOn(ctx: Ctx, deviceId: string, req: StartRequest, action: "session.start" | "session.resume"): Promise<Response> {
  const { app } = ctx;
  const detail = {
    deviceId,
    folder: req.folder,
    preset: req.preset,
    permissionMode: req.permissionMode ?? null,
    continue: req.continue ?? false,
    resumeOf: req.resumeOf ?? null,
    message: req.message?.slice(0, 2000) ?? null,
  };
  const refuse = (status: number, code: ApiErrorCode, message: string) => {
    audit(ctx, `${action}.refused`, { target: deviceId, detail: { ...detail, code, reason: message } });
    startsCounter(app).inc({ result: "refused" });
    return apiError(status, code, message);
  };
  const d = device(app, deviceId);
  if (!d) return refuse(404, "not_found", `no device ${deviceId}`);
  if (d.revokedAt) return refuse(403, "device_revoked", `device ${d.name} was revoked; nothing can be started on it`);
  const frame: DaemonStart = { type: "daemon.start", requestId: crypto.randomUUID(), by: `${actorOf(ctx.principal)}@${ctx.ip}`, ...req };
  const answer = await app.remote.ask(deviceId, frame);
  if (answer === "offline")
    return refuse(
      409,
      "daemon_offline",
      `no daemon is connected for ${d.name}: run \`claude-remote daemon --allow-folder <dir>\` on that machine`,
    );
  if (answer === "busy") return refuse(503, "busy", `too many requests are waiting for ${d.name}'s daemon`);
  if (answer === "timeout") return refuse(504, "daemon_timeout", `${d.name}'s daemon did not answer`);
  if (!answer.ok || !answer.sessionId) return refuse(403, answer.code ?? "refused", answer.message ?? "refused by the daemon");
  const session = await arrived(app, answer.sessionId);
  audit(ctx, action, { target: answer.sessionId, detail });
  startsCounter(app).inc({ result: "started" });
  return json({ sessionId: answer.sessionId, session }, 201);
}

async function stopSession(ctx: Ctx): Promise<Response> {
  const { app, params } = ctx;
  const s = app.store.sessions.get(params.id);
  if (!s) return apiError(404, "not_found", "no such session");
  const body = await readBody(ctx.req, StopSessionBody.nullable());
  if (!body.ok) return badRequest(body);
  const graceMs = body.value?.graceMs ?? DEFAULT_STOP_GRACE_MS;
  const refuse = (status: number, code: ApiErrorCode, message: string) => {
    audit(ctx, "session.stop.refused", { target: s.id, detail: { code, reason: message } });
    return apiError(status, code, message);
  };
  if (s.endedAt !== null) return refuse(409, "session_ended", "the session has already ended");
  const answer = await app.remote.ask(s.deviceId, { type: "daemon.stop", requestId: crypto.randomUUID(), sessionId: s.id, graceMs });
  if (answer === "offline")
    return refuse(409, "daemon_offline", "no daemon is connected for this session's machine: only a daemon can stop a session");
  if (answer === "busy" || answer === "timeout")
    return refuse(answer === "busy" ? 503 : 504, answer === "busy" ? "busy" : "daemon_timeout", "the daemon did not take the request");
  if (!answer.ok) return refuse(409, answer.code ?? "refused", answer.message ?? "refused by the daemon");
  audit(ctx, "session.stop", { target: s.id, detail: { graceMs } });
  return json({ stopping: true, graceMs }, 202);
}

export const remoteRoutes: Route[] = [
  {
    method: "GET",
    path: "/api/daemons",
    auth: "admin",
    handler: ({ app }) => json(app.remote.list((id) => device(app, id)?.name ?? null)),
  },
  {
    method: "POST",
    path: "/api/sessions",
    auth: "admin",
    handler: async (ctx) => {
      const body = await readBody(ctx.req, StartSessionBody);
      if (!body.ok) return badRequest(body);
      const { deviceId, ...req } = body.value;
      return limited(ctx) ?? startOn(ctx, deviceId, req, "session.start");
    },
  },
  {
    method: "POST",
    path: "/api/sessions/:id/resume",
    auth: "admin",
    handler: async (ctx) => {
      const s = ctx.app.store.sessions.get(ctx.params.id);
      if (!s) return apiError(404, "not_found", "no such session");
      const body = await readBody(ctx.req, ResumeSessionBody.nullable());
      if (!body.ok) return badRequest(body);
      if (s.endedAt === null) return apiError(409, "not_ended", "the session is still running: open it instead");
      const conversationId = hookConversation(ctx.app, s.id);
      return (
        limited(ctx) ??
        startOn(
          ctx,
          s.deviceId,
          { folder: s.cwd, preset: "claude", resumeOf: s.id, conversationId, ...(body.value ?? {}) },
          "session.resume",
        )
      );
    },
  },
  {
    method: "POST",
    path: "/api/sessions/:id/stop",
    auth: "admin",
    handler: (ctx) => limited(ctx) ?? stopSession(ctx),
  },
];
