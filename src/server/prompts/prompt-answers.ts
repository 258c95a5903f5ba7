/**
 * What an answer to a prompt means: which option, allow or deny, and for an "always" answer the
 * permission updates Claude Code gets with the hook's response. Verified on 2.1.330: an `addRules`
 * rule with destination `session` stops the next prompt for the same call; an `addDirectories`
 * suggestion alone does not, so Bash gets an exact-command rule next to it.
 */
import type { DialogOption, ScreenDialog } from "../../protocol/dialog.ts";
import type { Decision, PermissionUpdate, Prompt } from "../../protocol/prompts.ts";
import { dialogKeys } from "../../agents/screen-dialogs.ts";

export type Choice = {
  decision: Decision;
  option: string;
  updatedPermissions?: PermissionUpdate[];
  /** AskUserQuestion: question text → answer. */
  answers?: Record<string, string>;
  /** ExitPlanMode: send the tool input back as updatedInput. */
  echoInput?: boolean;
  /** Elicitation: what the MCP server gets. */
  elicitation?: { action: "accept" | "decline" | "cancel"; content?: Record<string, string | number | boolean> };
  /** The deny message this choice gives the model (unless the user wrote one). */
  message?: string;
};

const isNo = (label: string) => /^no\b/i.test(label.trim());

/** Options offered before (or without) the dialog being read off the screen. Keys double as aliases. */
export function hookOptions(p: Pick<Prompt, "tool" | "input" | "suggestions">): DialogOption[] {
  const options: DialogOption[] = [{ key: "once", label: "Yes" }];
  if (alwaysUpdates(p).length > 0) options.push({ key: "always", label: alwaysLabel(p) });
  options.push({ key: "no", label: "No" });
  return options;
}

function alwaysLabel(p: Pick<Prompt, "tool" | "input" | "suggestions">): string {
  if (p.suggestions.some((s) => s.type === "setMode" && s.mode === "acceptEdits")) return "Yes, and accept edits for this session";
  const input = p.input as Record<string, unknown>;
  if (p.tool === "Bash" && typeof input.command === "string") return `Yes, and don't ask again this session for: ${input.command}`;
  return `Yes, and don't ask again this session for ${p.tool}`;
}

/** The permission updates of an "always allow" answer, all scoped to this session. */
export function alwaysUpdates(p: Pick<Prompt, "tool" | "input" | "suggestions">): PermissionUpdate[] {
  const out: PermissionUpdate[] = [];
  for (const s of p.suggestions) {
    if (s.type === "addRules" || s.type === "setMode" || s.type === "addDirectories") out.push({ ...s, destination: "session" });
  }
  const input = p.input as Record<string, unknown>;
  const hasRule = out.some((u) => u.type === "addRules" || u.type === "setMode");
  if (!hasRule) {
    const rule = derivedRule(p.tool, input);
    if (rule) out.push({ type: "addRules", rules: [rule], behavior: "allow", destination: "session" });
  }
  return out;
}

function derivedRule(tool: string, input: Record<string, unknown>): { toolName: string; ruleContent?: string } | null {
  if (tool === "Bash" && typeof input.command === "string") return { toolName: "Bash", ruleContent: input.command };
  if (tool === "WebFetch" && typeof input.url === "string") {
    try {
      return { toolName: "WebFetch", ruleContent: `domain:${new URL(input.url).hostname}` };
    } catch {
      return null;
    }
  }
  if (tool.startsWith("mcp__")) return { toolName: tool };
  return null;
}

/** An answer that cannot be given: `bad_option` for an option that does not exist, `conflict` when the prompt can no longer take it. */
export class OptionError extends Error {
  constructor(
    message: string,
    readonly error: "bad_option" | "conflict" = "bad_option",
  ) {
    super(message);
  }
}

/**
 * The choice an approve with `option` makes for a hook prompt. Options read off the screen are
 * matched by their label (`No…` denies, the first allows once, `…accept edits` / `…auto mode`
 * switch the mode, other `Yes, and…` allow always); `once`, `always` and `no` always work.
 */
export function hookChoice(p: Prompt, option: string | undefined): Choice {
  const key = option ?? "once";
  if (key === "once") return { decision: "allow", option: key };
  if (key === "no") return { decision: "deny", option: key };
  if (key === "always") return always(p, key);
  const idx = p.options.findIndex((o) => o.key === key);
  if (idx < 0) throw new OptionError(`no option ${JSON.stringify(key)}; options are ${describe(p.options)}`);
  const label = p.options[idx]!.label;
  if (isNo(label)) return { decision: "deny", option: key };
  if (idx === 0) return { decision: "allow", option: key };
  if (/auto mode/i.test(label))
    return { decision: "allow", option: key, updatedPermissions: [{ type: "setMode", mode: "auto", destination: "session" }] };
  if (/accept edits/i.test(label))
    return { decision: "allow", option: key, updatedPermissions: [{ type: "setMode", mode: "acceptEdits", destination: "session" }] };
  return always(p, key);
}

function always(p: Prompt, key: string): Choice {
  const updatedPermissions = alwaysUpdates(p);
  if (updatedPermissions.length === 0)
    throw new OptionError(`no "always allow" is known for ${p.tool}; options are ${describe(p.options)}`);
  return { decision: "allow", option: key, updatedPermissions };
}

/** The choice and keystrokes for a prompt read off the screen: a digit picks an option; a "No" option (and reject) is Esc. */
export function screenChoice(dialog: ScreenDialog, option: string | undefined): Choice & { keys: string } {
  const first = dialog.options[0];
  if (!first) throw new OptionError("the dialog has no options");
  const key = option === undefined || option === "once" ? first.key : option === "no" ? "esc" : option;
  if (key === "esc") return { decision: "deny", option: "no", keys: dialogKeys(dialog, "esc") };
  const chosen = dialog.options.find((o) => o.key === key);
  if (!chosen) throw new OptionError(`no option ${JSON.stringify(key)}; options are ${describe(dialog.options)}`);
  // Claude Code's "No" digit only moves the selection; Esc answers No in every agent we know.
  if (isNo(chosen.label)) return { decision: "deny", option: key, keys: dialogKeys(dialog, "esc") };
  return { decision: "allow", option: key, keys: dialogKeys(dialog, key) };
}

function describe(options: DialogOption[]): string {
  return options.map((o) => `${o.key} (${o.label})`).join(", ") || "none";
}
