/**
 * Turns global bus events into notices: `prompt` (a new permission prompt, its resolution),
 * `notice` (Claude Code's Notification hook: waiting for input; Stop hook: turn finished) and
 * `session` (exited or lost). Pure bookkeeping, no I/O beyond a lookup.
 */
import type { SessionInfo } from "../../protocol/common.ts";
import type { EventMap, ServerEvent } from "../../protocol/events.ts";
import type { NotifyKind } from "../../protocol/notify.ts";
import type { Prompt } from "../../protocol/prompts.ts";
import { BUTTON_LABEL_MAX, MAX_ANSWER_BUTTONS, type Notice, type PromptSummary, short } from "./notice.ts";

type SessionLookup = (id: string) => { name: string } | null;

/** Sessions and prompts remembered to avoid repeats; old entries fall out. */
const MEMORY = 5000;

export class NoticeBuilder {
  private sessionStatus = new Map<string, string>();
  private promptStatus = new Map<string, string>();

  constructor(
    private baseUrl: () => string,
    private session: SessionLookup,
  ) {}

  fromEvent(e: ServerEvent): Notice | null {
    switch (e.event) {
      case "session":
        return this.fromSession(e.data.session);
      case "prompt":
        return this.fromPrompt(e.data.prompt);
      case "session.cost":
        return this.fromCost(e.data);
      case "notice":
        return this.fromHookNotice(e.data);
      default:
        return null; // not news for a phone
    }
  }

  private fromSession(s: SessionInfo | null): Notice | null {
    if (!s) return null;
    const before = this.sessionStatus.get(s.id);
    remember(this.sessionStatus, s.id, s.status);
    if (before === s.status) return null;
    if (s.status === "exited") {
      this.sessionStatus.delete(s.id);
      return this.notice("exit", s.id, s.name, `${s.name} exited`, s.exitCode === null ? "session ended" : `exit code ${s.exitCode}`);
    }
    if (s.status === "lost") {
      this.sessionStatus.delete(s.id);
      return this.notice("exit", s.id, s.name, `${s.name} lost`, "its wrapper was killed or crashed; the end of its output may be missing");
    }
    // `waiting` as a session status means "has a pending prompt": the prompt notice covers it.
    return null;
  }

  private fromCost(c: EventMap["session.cost"]): Notice | null {
    const name = this.session(c.sessionId)?.name ?? c.sessionId.slice(0, 8);
    return this.notice(
      "cost",
      c.sessionId,
      name,
      `${name} has cost $${c.costUsd.toFixed(2)}`,
      `past the alert of $${c.thresholdUsd} set on the server`,
    );
  }

  private fromHookNotice(n: EventMap["notice"]): Notice | null {
    const name = this.session(n.sessionId)?.name ?? n.sessionId.slice(0, 8);
    // `permission` notices duplicate the prompt record; `working` is not news.
    if (n.kind === "done")
      return this.notice("done", n.sessionId, name, `${name}: turn finished`, short(n.message ?? "the agent finished its turn"));
    if (n.kind === "waiting")
      return this.notice("waiting", n.sessionId, name, `${name} is waiting for you`, short(n.message ?? "the agent needs input"));
    return null;
  }

  private fromPrompt(p: Prompt): Notice | null {
    const before = this.promptStatus.get(p.id);
    if (before === p.status) return null;
    remember(this.promptStatus, p.id, p.status);
    const name = this.session(p.sessionId)?.name ?? p.sessionId.slice(0, 8);
    const summary: PromptSummary = { id: p.id, sessionId: p.sessionId, tool: p.tool, detail: promptDetail(p), status: p.status };
    if (p.status === "pending" && p.delivery === "not_taken") {
      const n = this.notice(
        "prompt",
        p.sessionId,
        name,
        `${name}: Claude did not take the answer`,
        `It is still waiting at the terminal: ${summary.detail || p.tool}`,
        p.id,
      );
      return { ...n, prompt: summary };
    }
    if (p.status === "pending" && p.kind === "question" && p.questions?.length) {
      // The question itself, and its choices (as answer buttons where they fit; otherwise the card answers).
      const q = p.questions[0]!;
      const body = `${q.question} ${q.options.map((o) => o.label).join(" / ")}${p.questions.length > 1 ? ` (+${p.questions.length - 1} more)` : ""}`;
      const n = { ...this.notice("prompt", p.sessionId, name, `${name} asks`, body, p.id), prompt: summary };
      // One tap answers only a single single-select question whose every choice fits a button.
      const single = p.questions.length === 1 && !q.multiSelect;
      return single && q.options.length > 0 && fitting(q.options).length === q.options.length ? { ...n, choices: fitting(q.options) } : n;
    }
    if (p.status === "pending" && p.kind === "elicitation" && p.form) {
      // A form cannot be filled in on a notification: it only opens the card (no Approve / Deny).
      const fields = p.form.fields.length;
      const body = `${short(p.form.message)}${fields ? ` (${fields} field${fields === 1 ? "" : "s"})` : ""}`;
      return { ...this.notice("prompt", p.sessionId, name, `${name}: ${p.form.server} asks`, body, p.id), prompt: summary };
    }
    if (p.status === "pending" && p.kind === "plan") {
      return {
        ...this.notice("prompt", p.sessionId, name, `${name}: approve the plan?`, summary.detail || "Claude is ready to code", p.id),
        prompt: summary,
      };
    }
    if (p.status === "pending") {
      const n = this.notice(
        "prompt",
        p.sessionId,
        name,
        `${name}: allow ${p.tool}?`,
        summary.detail || short(p.question ?? p.title ?? p.tool),
        p.id,
      );
      // The terminal's choices that fit a button (e.g. "Yes" / "No"; "Yes, and don't ask again for …" does not).
      // Only a permission prompt's: another kind's options may need more than a key (a form, a message).
      const choices = p.kind === "permission" ? fitting(p.options ?? []) : [];
      return {
        ...n,
        prompt: summary,
        actions: [
          { action: "approve", title: "Approve" },
          { action: "deny", title: "Deny" },
        ],
        ...(choices.length > 0 ? { choices } : {}),
      };
    }
    // Resolved: only worth a (replacing) notice if we announced it as pending.
    if (before !== "pending") return null;
    return {
      ...this.notice("resolved", p.sessionId, name, `${name}: ${p.tool} ${p.status.replace(/-/g, " ")}`, summary.detail, p.id),
      prompt: summary,
    };
  }

  private notice(kind: NotifyKind, sessionId: string, sessionName: string, title: string, body: string, promptId?: string): Notice {
    const base = this.baseUrl().replace(/\/$/, "");
    return {
      kind,
      title: short(title, 80),
      body: short(body),
      sessionId,
      sessionName,
      promptId,
      tag: promptId ? `prompt-${promptId}` : `${kind}-${sessionId}`,
      url: `${base}/#/s/${encodeURIComponent(sessionId)}`, // the dashboard's session view (its prompt cards)
      actions: [],
      ts: Date.now(),
    };
  }
}

/** The part of a tool call a person decides on: the command, the file, the URL. */
function promptDetail(p: { tool: string; input?: unknown }): string {
  const input = (p.input && typeof p.input === "object" ? p.input : {}) as Record<string, unknown>;
  for (const key of ["command", "file_path", "path", "url", "notebook_path", "pattern", "query", "prompt", "description"]) {
    const v = input[key];
    if (typeof v === "string" && v.trim()) return short(v);
  }
  if (p.tool.startsWith("mcp__")) return short(p.tool.split("__").slice(1).join(" / "));
  const first = Object.values(input).find((v) => typeof v === "string") as string | undefined;
  return first ? short(first) : "";
}

/** The options whose label fits a notification button, at most as many as a notification shows. */
function fitting(options: readonly { key: string; label: string }[]): { key: string; label: string }[] {
  const fit = options.filter((o) => o.label.trim().length > 0 && o.label.length <= BUTTON_LABEL_MAX);
  return fit.slice(0, MAX_ANSWER_BUTTONS).map((o) => ({ key: o.key, label: o.label }));
}

function remember(map: Map<string, string>, key: string, value: string): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MEMORY) map.delete(map.keys().next().value!);
}
