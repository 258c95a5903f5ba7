/**
 * The wrapper's side of MCP elicitation (an MCP server's form) for Claude Code 2.1.330, verified
 * on the binary (docs/agents/claude-code.md): the Elicitation hook runs *before* Claude Code draws
 * its form dialog and the dialog waits for it, so holding it open for the phone would leave the
 * terminal without a dialog. Instead:
 *  - Elicitation: a `prompt.open` (tool `Elicitation`), and the hook is answered at once with no
 *    output, so the terminal shows its form as usual;
 *  - an answer from the server is kept here; the server then presses Esc on the dialog (cancel),
 *    and the ElicitationResult hook that follows gets the kept answer as its output, which
 *    Claude Code sends to the MCP server instead (it may override action and content): `prompt.taken`;
 *  - an ElicitationResult with nothing kept (or with another action than the cancel our Esc
 *    makes) is the user's own answer at the terminal: `prompt.closed` answered-locally;
 *  - PostToolUse / PostToolUseFailure of the MCP call while the form is open: it ended without an answer.
 */
import type { ClientFrame } from "../../protocol/frames.ts";
import { ELICITATION_TOOL } from "../../protocol/elicitation.ts";
import type { PromptAnswer, PromptClosed, PromptOpen } from "../../protocol/prompts.ts";
import type { HookPayload } from "./hook-payload.ts";
import { clipInput } from "./hook-prompts.ts";

type ElicitLink = {
  sendControl(frame: ClientFrame): void;
  onReadyAgain(fn: () => void): void;
  onPromptAnswer(fn: (f: PromptAnswer) => void): void;
};

type Open = {
  open: PromptOpen;
  hookSessionId: string;
  server: string;
  /** The server's answer, once it came: the ElicitationResult hook's output. */
  answer: NonNullable<PromptAnswer["elicitation"]> | null;
};

/** Forms open at once (Claude Code shows one at a time); the oldest are closed (`prompt.closed` cancelled, evicted) beyond this. */
const MAX_OPEN = 16;
const MAX_PRE = 32;

export class HookElicitations {
  private open = new Map<string, Open>();
  /** Recent PreToolUse of MCP tools: the call an elicitation belongs to. */
  private pre: { hookSessionId: string; tool: string; toolUseId: string }[] = [];
  private link: ElicitLink | null = null;
  private exitedAlready = false;

  constructor(private sessionId: string) {}

  attach(link: ElicitLink | null): void {
    this.link = link;
    link?.onPromptAnswer((f) => this.answer(f));
    link?.onReadyAgain(() => {
      for (const o of this.open.values()) if (!o.answer) this.link?.sendControl(o.open);
    });
  }

  exited(): void {
    this.exitedAlready = true;
    for (const o of [...this.open.values()]) this.close(o, "cancelled", undefined, "exit");
  }

  /** Observe-only events: which MCP call is running, and whether it ended. */
  event(payload: HookPayload): void {
    const ev = payload.hook_event_name;
    const tool = payload.tool_name ?? "";
    if (!tool.startsWith("mcp__") || !payload.tool_use_id) return;
    const hookSessionId = payload.session_id ?? "";
    if (ev === "PreToolUse") {
      this.pre.push({ hookSessionId, tool, toolUseId: payload.tool_use_id });
      if (this.pre.length > MAX_PRE) this.pre.shift();
    } else if (ev === "PostToolUse" || ev === "PostToolUseFailure") {
      this.pre = this.pre.filter((x) => x.toolUseId !== payload.tool_use_id);
      for (const o of [...this.open.values()]) if (o.open.toolUseId === payload.tool_use_id) this.close(o, "cancelled", undefined, ev);
    }
  }

  /** The Elicitation or ElicitationResult hook: its output, at once. */
  elicitation(payload: HookPayload): Record<string, unknown> {
    const server = payload.mcp_server_name ?? "";
    const hookSessionId = payload.session_id ?? "";
    if (payload.hook_event_name === "Elicitation") {
      if (this.link && !this.exitedAlready && payload.mode !== "url") this.opened(payload, server, hookSessionId);
      return {};
    }
    if (payload.hook_event_name !== "ElicitationResult") return {};
    const o = [...this.open.values()].find((x) => x.server === server && x.hookSessionId === hookSessionId);
    if (!o) return {};
    const action = payload.action ?? "";
    if (o.answer && action === "cancel") {
      this.open.delete(o.open.promptId);
      this.link?.sendControl({
        type: "prompt.taken",
        sessionId: this.sessionId,
        promptId: o.open.promptId,
        reason: "ElicitationResult",
        at: Date.now(),
      });
      // A cancel is what our Esc made already: no output, so the MCP server gets it as from the terminal.
      if (o.answer.action === "cancel") return {};
      const { action: answered, content } = o.answer;
      return { hookSpecificOutput: { hookEventName: "ElicitationResult", action: answered, ...(content ? { content } : {}) } };
    }
    // The user answered at the terminal (before our Esc, or with nothing sent from the phone).
    this.close(o, "answered-locally", action === "accept" ? "allow" : "deny", `ElicitationResult ${action}`.slice(0, 64));
    return {};
  }

  private opened(payload: HookPayload, server: string, hookSessionId: string): void {
    let pre: (typeof this.pre)[number] | undefined;
    for (let i = this.pre.length - 1; i >= 0 && !pre; i--) {
      const x = this.pre[i]!;
      if (x.hookSessionId === hookSessionId && x.tool.startsWith(`mcp__${server.replace(/[^A-Za-z0-9_-]/g, "_")}__`)) pre = x;
    }
    const full = {
      server,
      message: payload.message ?? "",
      requestedSchema: payload.requested_schema ?? {},
      mode: payload.mode ?? "form",
      ...(pre ? { tool: pre.tool } : {}),
    };
    let input = clipInput(full);
    // A cut schema is a form with fields missing or wrong: say so (formOf makes it `unsupported`).
    // Where no cut was enough, the form keeps who asks and what (the schema goes): still declinable.
    if (input.server === undefined) input = { ...clipInput({ ...full, requestedSchema: {} }), clipped: true };
    else if (input !== full && JSON.stringify(input.requestedSchema) !== JSON.stringify(full.requestedSchema))
      input = { ...input, clipped: true };
    const open: PromptOpen = {
      type: "prompt.open",
      sessionId: this.sessionId,
      promptId: crypto.randomUUID(),
      tool: ELICITATION_TOOL,
      input,
      suggestions: [],
      ...(hookSessionId ? { hookSessionId } : {}),
      ...(pre ? { toolUseId: pre.toolUseId } : {}),
      at: Date.now(),
    };
    this.open.set(open.promptId, { open, hookSessionId, server, answer: null });
    this.link?.sendControl(open);
    // The oldest form can no longer be answered from here: close its prompt, as every other ending does.
    if (this.open.size > MAX_OPEN) this.close(this.open.values().next().value!, "cancelled", undefined, "evicted");
  }

  private answer(f: PromptAnswer): void {
    const o = this.open.get(f.promptId);
    if (!o) return;
    if (f.withdraw)
      o.answer = null; // not taken in time: a later Esc at the terminal is the terminal's cancel
    else if (f.elicitation) o.answer = f.elicitation;
  }

  private close(o: Open, how: PromptClosed["how"], decision: PromptClosed["decision"], reason: string): void {
    if (!this.open.delete(o.open.promptId)) return;
    this.link?.sendControl({
      type: "prompt.closed",
      sessionId: this.sessionId,
      promptId: o.open.promptId,
      how,
      ...(decision ? { decision } : {}),
      reason,
      at: Date.now(),
    });
  }
}
