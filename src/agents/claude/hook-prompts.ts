/**
 * The wrapper's side of permission prompts for Claude Code. A PermissionRequest hook becomes a
 * `prompt.open` frame and stays pending until the server answers (`prompt.answer` → the hook's
 * response) or the user answers at the terminal, which Claude Code does not tell the hook; it is
 * noticed here:
 *  - PostToolUse / PostToolUseFailure of the same call (paired through PreToolUse's tool_use_id,
 *    or session + tool + input): answered "yes" locally;
 *  - the hook request aborted by Claude Code: answered "no"/Esc locally (or Claude exited);
 *  - Stop of the same agent: the turn ended, so the prompt was answered.
 * Notification / Stop / UserPromptSubmit become `notice` frames.
 */
import type { SessionNotice } from "../../protocol/common.ts";
import type { ClientFrame } from "../../protocol/frames.ts";
import type { PromptAnswer, PromptClosed, PromptOpen } from "../../protocol/prompts.ts";
import type { HookHandlers } from "./hook-server.ts";
import { type HookPayload, permissionResponse } from "./hook-payload.ts";

/** What the tracker needs of the link (the Link class, or a test double). */
export type PromptLink = {
  sendControl(frame: ClientFrame): void;
  onReadyAgain(fn: () => void): void;
  onPromptAnswer(fn: (f: PromptAnswer) => void): void;
};

type Pending = {
  open: PromptOpen;
  /** The tool input as Claude Code sent it (open.input may be clipped): sent back as updatedInput. */
  input: Record<string, unknown>;
  hookSessionId: string;
  agentId: string | null;
  tool: string;
  key: string;
  respond: (body: Record<string, unknown>) => void;
  /** The server's answer, once it came: what the tool must have run with for it to count as taken. */
  answer?: PromptAnswer;
};

type PreToolUse = { hookSessionId: string; tool: string; key: string; toolUseId: string; at: number };

/** After an abort, how long to wait for the child's exit before calling it a local answer. */
const ABORT_SETTLE_MS = 500;
const MAX_PRE = 64;
/** Tool input strings are clipped so a prompt frame stays well under the link's frame limit. */
const INPUT_BUDGET = 128 * 1024;
const MESSAGE_MAX = 2000;
/** Answered prompts waiting for a sign that Claude Code took the answer; the oldest are dropped beyond this. */
const MAX_ANSWERED = 64;

export class HookPrompts implements HookHandlers {
  private pending = new Map<string, Pending>();
  /** Prompts answered by the server, until Claude Code shows it acted on the answer (prompt.taken). */
  private answered = new Map<string, Pending>();
  private pre: PreToolUse[] = [];
  private link: PromptLink | null = null;
  private childExited = false;

  constructor(
    private sessionId: string,
    private timeoutMs: number,
  ) {}

  attach(link: PromptLink | null): void {
    this.link = link;
    link?.onPromptAnswer((f) => this.answer(f));
    link?.onReadyAgain(() => this.reannounce());
  }

  /** The child exited: whatever is still pending can no longer be answered. */
  exited(): void {
    this.childExited = true;
    for (const p of [...this.pending.values()]) this.close(p, "cancelled", undefined, "exit");
    this.answered.clear();
  }

  async permission(payload: HookPayload, aborted: AbortSignal): Promise<Record<string, unknown>> {
    const link = this.link;
    if (!link || this.childExited) return permissionResponse(null); // no remote: the local dialog decides
    const tool = payload.tool_name ?? "unknown";
    const input = payload.tool_input ?? {};
    const hookSessionId = payload.session_id ?? "";
    const key = stableKey(input);
    const pre = this.takePre(hookSessionId, tool, key);
    const open: PromptOpen = {
      type: "prompt.open",
      sessionId: this.sessionId,
      promptId: crypto.randomUUID(),
      tool,
      input: clipInput(input),
      suggestions: (payload.permission_suggestions ?? []).slice(0, 32),
      ...(hookSessionId ? { hookSessionId } : {}),
      ...(pre ? { toolUseId: pre.toolUseId } : {}),
      at: Date.now(),
    };
    const started = Date.now();
    return new Promise((resolve) => {
      this.movedOn(payload, "PermissionRequest");
      const p: Pending = { open, input, hookSessionId, agentId: payload.agent_id ?? null, tool, key, respond: resolve };
      this.pending.set(open.promptId, p);
      aborted.addEventListener("abort", () => this.onAbort(p, started), { once: true });
      link.sendControl(open);
    });
  }

  event(payload: HookPayload): void {
    const ev = payload.hook_event_name;
    const hookSessionId = payload.session_id ?? "";
    this.noticeTaken(payload);
    if (ev === "PreToolUse" && payload.tool_use_id) {
      this.pre.push({
        hookSessionId,
        tool: payload.tool_name ?? "",
        key: stableKey(payload.tool_input ?? {}),
        toolUseId: payload.tool_use_id,
        at: Date.now(),
      });
      if (this.pre.length > MAX_PRE) this.pre.shift();
    } else if (ev === "PostToolUse" || ev === "PostToolUseFailure" || ev === "PermissionDenied") {
      this.pre = this.pre.filter((x) => x.toolUseId !== payload.tool_use_id);
      const p = this.findCall(payload);
      if (p) this.close(p, "answered-locally", ev === "PermissionDenied" ? "deny" : "allow", ev);
      // Claude Code runs no Stop hook for an interrupted turn: this is the only word of it.
      if (ev === "PostToolUseFailure" && payload.is_interrupt && !payload.agent_id) this.notice("interrupted", payload.error ?? "");
    } else if (ev === "Stop") {
      for (const p of [...this.pending.values()]) {
        if (p.hookSessionId === hookSessionId && p.agentId === (payload.agent_id ?? null)) this.close(p, "answered-locally", undefined, ev);
      }
      this.notice("done", payload.last_assistant_message ?? "");
    } else if (ev === "Notification") {
      this.notice(payload.notification_type === "permission_prompt" ? "permission" : "waiting", payload.message ?? "");
    } else if (ev === "UserPromptSubmit") {
      this.notice("working", payload.prompt ?? "");
    }
  }

  /** The server's answer: it becomes the hook's response, unless the prompt already ended here. */
  answer(f: PromptAnswer): void {
    const p = this.pending.get(f.promptId);
    if (!p || f.withdraw) return;
    this.pending.delete(f.promptId);
    p.answer = f;
    this.answered.set(f.promptId, p);
    if (this.answered.size > MAX_ANSWERED) this.answered.delete(this.answered.keys().next().value!);
    p.respond(answerResponse(f, p.input));
  }

  /**
   * Whether an event shows Claude Code took an answer: PostToolUse / PostToolUseFailure /
   * PermissionDenied of that call, or the same agent moving on (its next tool, a Stop, a new user
   * prompt), which it cannot do while the dialog waits.
   */
  private noticeTaken(payload: HookPayload): void {
    const ev = payload.hook_event_name;
    if (ev === "PostToolUse" || ev === "PostToolUseFailure" || ev === "PermissionDenied") {
      const key = stableKey(payload.tool_input ?? {});
      for (const p of this.answered.values()) {
        const same =
          payload.tool_use_id && p.open.toolUseId
            ? p.open.toolUseId === payload.tool_use_id
            : p.tool === payload.tool_name && (p.key === key || p.tool === "AskUserQuestion" || p.tool === "ExitPlanMode");
        if (!same || p.hookSessionId !== (payload.session_id ?? "")) continue;
        if (ranWith(p, payload)) return this.sendTaken(p, ev);
        // The call ended with another answer than the server's: the terminal's (the server's was not taken).
        this.answered.delete(p.open.promptId);
        return this.sendClosed(p, "answered-locally", ev === "PermissionDenied" ? "deny" : "allow", ev);
      }
      return;
    }
    if (ev === "PreToolUse" || ev === "Stop" || ev === "UserPromptSubmit") this.movedOn(payload, ev);
  }

  private movedOn(payload: HookPayload, ev: string): void {
    for (const p of [...this.answered.values()]) {
      if (p.hookSessionId === (payload.session_id ?? "") && p.agentId === (payload.agent_id ?? null)) this.sendTaken(p, ev);
    }
  }

  private sendTaken(p: Pending, reason: string): void {
    if (!this.answered.delete(p.open.promptId)) return;
    this.link?.sendControl({ type: "prompt.taken", sessionId: this.sessionId, promptId: p.open.promptId, reason, at: Date.now() });
  }

  /** After a reconnect: the server may have missed an open (or its answer was lost); opens are idempotent. */
  private reannounce(): void {
    for (const p of this.pending.values()) this.link?.sendControl(p.open);
  }

  private onAbort(p: Pending, started: number): void {
    if (this.pending.get(p.open.promptId) !== p) return;
    setTimeout(() => {
      if (this.pending.get(p.open.promptId) !== p) return;
      if (this.childExited) return this.close(p, "cancelled", undefined, "exit");
      if (Date.now() - started >= this.timeoutMs - 1000) return this.close(p, "expired", undefined, "timeout");
      this.close(p, "answered-locally", "deny", "aborted");
      // Esc (or "No") on the dialog at the terminal interrupts the main agent's turn; no Stop follows.
      if (!p.agentId) this.notice("interrupted", "");
    }, ABORT_SETTLE_MS);
  }

  private close(p: Pending, how: PromptClosed["how"], decision: PromptClosed["decision"], reason: string): void {
    if (this.pending.get(p.open.promptId) !== p) return;
    this.pending.delete(p.open.promptId);
    p.respond(permissionResponse(null)); // frees the request; Claude Code ignores a late answer
    this.sendClosed(p, how, decision, reason);
  }

  private sendClosed(p: Pending, how: PromptClosed["how"], decision: PromptClosed["decision"], reason: string): void {
    this.link?.sendControl({
      type: "prompt.closed",
      sessionId: this.sessionId,
      promptId: p.open.promptId,
      how,
      ...(decision ? { decision } : {}),
      reason,
      at: Date.now(),
    });
  }

  private notice(kind: SessionNotice["kind"], message: string): void {
    this.link?.sendControl({ type: "notice", sessionId: this.sessionId, kind, message: message.slice(0, MESSAGE_MAX), at: Date.now() });
  }

  /** The PreToolUse that announced this call (same session, tool and input; the latest one). */
  private takePre(hookSessionId: string, tool: string, key: string): PreToolUse | undefined {
    for (let i = this.pre.length - 1; i >= 0; i--) {
      const x = this.pre[i]!;
      if (x.hookSessionId === hookSessionId && x.tool === tool && x.key === key) return x;
    }
    return undefined;
  }

  /** The pending prompt a tool event is about: by tool_use_id, else by session + tool + input (oldest first). */
  private findCall(payload: HookPayload): Pending | undefined {
    const all = [...this.pending.values()];
    const byId = payload.tool_use_id ? all.find((p) => p.open.toolUseId === payload.tool_use_id) : undefined;
    if (byId) return byId;
    const key = stableKey(payload.tool_input ?? {});
    return all.find(
      (p) => !p.open.toolUseId && p.hookSessionId === (payload.session_id ?? "") && p.tool === payload.tool_name && p.key === key,
    );
  }
}

/**
 * Whether the call's PostToolUse / PostToolUseFailure / PermissionDenied shows it ran with the
 * server's answer: denied for a deny, ran for an allow, and for AskUserQuestion with the server's
 * answers (in the tool_input it ran with, or its tool_response). Anything else was the terminal's.
 */
function ranWith(p: Pending, payload: HookPayload): boolean {
  const a = p.answer;
  if (!a) return false;
  if (payload.hook_event_name === "PermissionDenied") return a.decision === "deny";
  if (a.decision !== "allow") return false;
  if (p.tool !== "AskUserQuestion" || !a.answers) return true;
  const want = stableKey(a.answers);
  const input = payload.tool_input as { answers?: unknown } | undefined;
  const response =
    payload.tool_response && typeof payload.tool_response === "object" ? (payload.tool_response as { answers?: unknown }) : {};
  return stableKey(input?.answers) === want || stableKey(response.answers) === want;
}

/** The hook's response for the server's answer: questions get their answers and plans their input back as updatedInput. */
function answerResponse(f: PromptAnswer, input: Record<string, unknown>): Record<string, unknown> {
  if (f.decision === "deny") return permissionResponse({ behavior: "deny", message: f.message ?? "Denied from claude-remote." });
  const updatedInput = f.answers ? { ...input, answers: f.answers } : f.echoInput ? input : undefined;
  return permissionResponse({
    behavior: "allow",
    ...(updatedInput ? { updatedInput } : {}),
    ...(f.updatedPermissions?.length ? { updatedPermissions: f.updatedPermissions } : {}),
  });
}

/** JSON with sorted keys, so the same input compares equal whatever its key order. */
function stableKey(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/** Shortens long strings (a Write's whole file) until the input fits the budget; says how much was cut. */
export function clipInput(input: Record<string, unknown>): Record<string, unknown> {
  if (JSON.stringify(input).length <= INPUT_BUDGET) return input;
  for (const limit of [32 * 1024, 8 * 1024, 2 * 1024, 512, 128]) {
    const clipped = clipStrings(input, limit) as Record<string, unknown>;
    if (JSON.stringify(clipped).length <= INPUT_BUDGET) return clipped;
  }
  return { clipped: true, note: "tool input too large to show" };
}

function clipStrings(v: unknown, limit: number): unknown {
  if (typeof v === "string") return v.length > limit ? `${v.slice(0, limit)}… [${v.length - limit} more characters]` : v;
  if (Array.isArray(v)) return v.slice(0, 1000).map((x) => clipStrings(x, limit));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clipStrings(x, limit)]));
  return v;
}
