/**
 * The wrapper's loopback endpoint for Claude Code's http hooks. Only 127.0.0.1, a random port, and
 * every request must carry this run's secret (compared in constant time). `/hooks/permission`
 * holds the request open until the handler decides; `/hooks/event` is answered at once, because
 * Claude Code waits for observe-only hooks too.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { parseJson, parseWith } from "../../protocol/common.ts";
import { ELICITATION_PATH, EVENT_PATH, PERMISSION_PATH, SECRET_HEADER } from "./hook-settings.ts";
import { HookPayload } from "./hook-payload.ts";

export type HookHandlers = {
  permission(payload: HookPayload, aborted: AbortSignal): Promise<Record<string, unknown>>;
  event(payload: HookPayload): void;
  /** Elicitation / ElicitationResult: the hook's output, at once. */
  elicitation?(payload: HookPayload): Record<string, unknown>;
};

export type HookServer = { url: string; stop(): void };

const BASE = "/hooks";
/** A Write of a large file arrives whole in tool_input. */
const MAX_BODY = 16 * 1024 * 1024;

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

/**
 * Test-only: the wrapper handles the events that end a call or a turn (PostToolUse, Stop) this
 * much later, in order, answering them at once all the same, so a test can make a dialog leave the screen before
 * the server hears the call ran (as on a loaded box).
 */
const TEST_EVENT_DELAY_MS = Number(process.env.CLAUDE_REMOTE_TEST_EVENT_DELAY_MS) || 0;

export function startHookServer(secret: string, handlers: HookHandlers): HookServer {
  const expected = digest(secret);
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0, // a permission request stays open until someone answers
    maxRequestBodySize: MAX_BODY,
    development: false, // never Bun's error page (paths, stack, source) to another local user
    error: () => new Response(null, { status: 500 }),
    async fetch(req) {
      if (req.method !== "POST") return new Response(null, { status: 405 });
      if (!timingSafeEqual(digest(req.headers.get(SECRET_HEADER) ?? ""), expected)) return new Response(null, { status: 401 });
      const path = new URL(req.url).pathname;
      if (path !== BASE + PERMISSION_PATH && path !== BASE + EVENT_PATH && path !== BASE + ELICITATION_PATH)
        return new Response(null, { status: 404 });
      const json = parseJson(await req.text());
      const payload = json.ok ? parseWith(HookPayload, json.value) : json;
      if (!payload.ok) return Response.json({ error: payload.error }, { status: 400 });
      if (path === BASE + EVENT_PATH) {
        const handle = () => {
          try {
            handlers.event(payload.value);
          } catch {} // observing must never disturb the agent
        };
        if (TEST_EVENT_DELAY_MS && /^(PostToolUse|Stop)/.test(payload.value.hook_event_name)) setTimeout(handle, TEST_EVENT_DELAY_MS);
        else handle();
        return new Response(null, { status: 204 });
      }
      if (path === BASE + ELICITATION_PATH) {
        try {
          return Response.json(handlers.elicitation?.(payload.value) ?? {});
        } catch {
          return Response.json({}); // no output: Claude Code's own dialog decides
        }
      }
      try {
        return Response.json(await handlers.permission(payload.value, req.signal));
      } catch {
        return Response.json({}); // no decision: the local dialog still works
      }
    },
  });
  return { url: `http://127.0.0.1:${server.port}${BASE}`, stop: () => void server.stop(true) };
}
