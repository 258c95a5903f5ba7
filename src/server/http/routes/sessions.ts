import { ArchiveBody, InputBody, RenameBody, ResizeBody, SessionsQuery } from "../../../protocol/api.ts";
import { badCursor, decodeCursor, pageResponse } from "../paging.ts";
import { ScrollbackQuery } from "../../../protocol/screen.ts";
import { parseWith } from "../../../protocol/common.ts";
import { audit, auditInput } from "../audit-record.ts";
import { actorOf } from "../auth.ts";
import { deleteSession } from "../../ingest/session-delete.ts";
import { apiError, badRequest, json, rateLimited, readBody, tooManyConnections } from "../respond.ts";
import { clientKey } from "../request-guard.ts";
import type { Ctx, Route } from "../router.ts";
import { sseEncoding } from "../../viewers/sse-compression.ts";
import { sseSink } from "../../viewers/sse.ts";

function found(ctx: Ctx) {
  return ctx.app.store.sessions.get(ctx.params.id);
}

/** The stored output as one byte stream, read from the store page by page. */
function outputStream(ctx: Ctx): Response {
  const output = ctx.app.store.output;
  const id = ctx.params.id;
  let cursor = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const page = output.after(id, cursor, 1024 * 1024);
      if (page.length === 0) return controller.close();
      for (const c of page) controller.enqueue(c.data);
      cursor = page[page.length - 1].seq;
    },
  });
  return new Response(body, {
    headers: { "Content-Type": "application/octet-stream", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" },
  });
}

/** `/events`: the global stream, or one session's raw output or screen; `onEnd` runs when it closes. */
async function openEvents(ctx: Ctx, onEnd: () => void): Promise<Response> {
  const { url, req, app } = ctx;
  const lastId = req.headers.get("last-event-id") ?? url.searchParams.get("lastEventId");
  const sessionId = url.searchParams.get("session");
  const encoding = app.config.sseCompression ? sseEncoding(req.headers.get("accept-encoding")) : null;
  if (!sessionId) return app.events.subscribe(lastId, encoding, onEnd);
  if (!app.store.sessions.get(sessionId)) return apiError(404, "not_found", "no such session");
  if (url.searchParams.get("view") === "screen") {
    const screen = await app.hub.screenOf(sessionId);
    return screen
      ? app.hub.screens.subscribe(sessionId, screen, sseSink(encoding, onEnd)).response
      : apiError(404, "not_found", "no such session");
  }
  const from = Number(lastId ?? url.searchParams.get("from") ?? "0");
  if (!Number.isInteger(from) || from < 0) return apiError(400, "bad_request", "Last-Event-ID / from must be a seq");
  return app.hub.subscribe(sessionId, from, sseSink(encoding, onEnd)).response;
}

export const sessionRoutes: Route[] = [
  {
    method: "GET",
    path: "/api/sessions",
    auth: "admin",
    handler: ({ app, url }) => {
      const q = parseWith(SessionsQuery, Object.fromEntries(url.searchParams));
      if (!q.ok) return badRequest(q);
      const after = q.value.cursor === undefined ? null : decodeCursor(q.value.cursor);
      if (after === null && q.value.cursor !== undefined) return badCursor();
      return pageResponse(app.store.sessions.page(q.value.limit ?? 200, after));
    },
  },
  {
    method: "GET",
    path: "/api/sessions/:id",
    auth: "admin",
    handler: (ctx) => {
      const s = found(ctx);
      return s ? json(s) : apiError(404, "not_found", "no such session");
    },
  },
  {
    method: "GET",
    path: "/api/sessions/:id/output",
    auth: "admin",
    handler: (ctx) => (found(ctx) ? outputStream(ctx) : apiError(404, "not_found", "no such session")),
  },
  {
    method: "GET",
    path: "/api/sessions/:id/screen",
    auth: "admin",
    handler: async ({ app, params }) => {
      const snap = await app.hub.screen(params.id);
      return snap ? json(snap) : apiError(404, "not_found", "no such session");
    },
  },
  {
    method: "GET",
    path: "/api/sessions/:id/scrollback",
    auth: "admin",
    handler: async ({ app, params, url }) => {
      const q = parseWith(ScrollbackQuery, Object.fromEntries(url.searchParams));
      if (!q.ok) return badRequest(q);
      const screen = await app.hub.screenOf(params.id);
      if (!screen) return apiError(404, "not_found", "no such session");
      return json(screen.history(q.value.before, q.value.limit));
    },
  },
  {
    method: "POST",
    path: "/api/sessions/:id/input",
    auth: "admin",
    handler: async (ctx) => {
      const { req, app, params, principal, ip } = ctx;
      if (!found(ctx)) return apiError(404, "not_found", "no such session");
      const wait = app.limits.input.take(`${ip}`);
      if (wait > 0) return rateLimited(wait, "input requests");
      const body = await readBody(req, InputBody);
      if (!body.ok) return badRequest(body);
      const by = { actor: actorOf(principal), ip, userAgent: req.headers.get("user-agent") };
      if (!app.hub.type(params.id, body.value)) return apiError(409, "not_connected", "the session's wrapper is not connected");
      auditInput(app.store, params.id, body.value, by);
      return json({ ok: true });
    },
  },
  {
    method: "POST",
    path: "/api/sessions/:id/resize",
    auth: "admin",
    handler: async (ctx) => {
      if (!found(ctx)) return apiError(404, "not_found", "no such session");
      const body = await readBody(ctx.req, ResizeBody);
      if (!body.ok) return badRequest(body);
      if (!ctx.app.hub.requestResize(ctx.params.id, body.value.cols, body.value.rows))
        return apiError(409, "not_connected", "the session's wrapper is not connected");
      return json({ ok: true });
    },
  },
  {
    method: "POST",
    path: "/api/sessions/:id/name",
    auth: "admin",
    handler: async (ctx) => {
      const before = found(ctx);
      if (!before) return apiError(404, "not_found", "no such session");
      const body = await readBody(ctx.req, RenameBody);
      if (!body.ok) return badRequest(body);
      ctx.app.store.sessions.rename(ctx.params.id, body.value.name);
      audit(ctx, "session.rename", { target: ctx.params.id, detail: { from: before.name, to: body.value.name } });
      ctx.app.hub.publishSession(ctx.params.id);
      return json(found(ctx));
    },
  },
  {
    method: "POST",
    path: "/api/sessions/:id/archive",
    auth: "admin",
    handler: async (ctx) => {
      if (!found(ctx)) return apiError(404, "not_found", "no such session");
      const body = await readBody(ctx.req, ArchiveBody);
      if (!body.ok) return badRequest(body);
      ctx.app.store.sessions.setArchived(ctx.params.id, body.value.archived);
      audit(ctx, body.value.archived ? "session.archive" : "session.unarchive", { target: ctx.params.id });
      ctx.app.hub.publishSession(ctx.params.id);
      return json(found(ctx));
    },
  },
  {
    method: "DELETE",
    path: "/api/sessions/:id",
    auth: "admin",
    handler: async (ctx) => {
      const s = found(ctx);
      const r = await deleteSession(ctx.app, ctx.params.id);
      if (!r.ok) return apiError(r.status, r.error, r.detail);
      audit(ctx, "session.delete", { target: ctx.params.id, detail: { name: s?.name, cwd: s?.cwd, chunks: r.chunks } });
      return json({ ok: true, chunks: r.chunks });
    },
  },
  {
    method: "GET",
    path: "/events",
    auth: "admin",
    handler: async (ctx) => {
      const release = ctx.app.streams.take(clientKey(ctx.ip));
      if (!release) return tooManyConnections();
      try {
        const res = await openEvents(ctx, release);
        if (res.status !== 200) release(); // refused: no stream holds the slot
        return res;
      } catch (e) {
        release();
        throw e;
      }
    },
  },
];
