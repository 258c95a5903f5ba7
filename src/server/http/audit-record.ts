/**
 * One call to record who did what: `audit(ctx, "prompt.approve", { target: id, detail })`.
 * Actor (admin token, browser session, device), IP and user agent come from the request context.
 */
import type { InputBody } from "../../protocol/api.ts";
import type { Store } from "../../store/index.ts";
import { actorOf } from "./auth.ts";
import type { Ctx } from "./router.ts";

export type AuditOptions = { target?: string | null; detail?: unknown; actor?: string };

export function audit(ctx: Pick<Ctx, "req" | "ip" | "principal" | "app">, action: string, opts: AuditOptions = {}): void {
  ctx.app.store.audit.append({
    actor: opts.actor ?? actorOf(ctx.principal),
    ip: ctx.ip,
    userAgent: ctx.req.headers.get("user-agent")?.slice(0, 512) ?? null,
    action,
    target: opts.target ?? null,
    detail: opts.detail,
  });
}

/** Input that reached a session's wrapper (POST /input, or `via: "ws"` the viewer socket), as `session.input`. */
export function auditInput(
  store: Store,
  sessionId: string,
  body: InputBody,
  by: { actor: string; ip: string; userAgent: string | null },
  via?: "ws",
): void {
  store.audit.append({ ...by, action: "session.input", target: sessionId, detail: via ? { ...body, via } : body });
}
