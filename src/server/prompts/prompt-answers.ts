/**
 * What an answer to a prompt means: which option, allow or deny, and for an "always" answer the
 * permission updates Claude Code gets with the hook's response: the ones the terminal's own
 * choice applies (src/agents/claude/permission-choices.ts).
 */
import type { DialogOption, ScreenDialog } from "../../protocol/dialog.ts";
import type { Decision, PermissionUpdate, Prompt } from "../../protocol/prompts.ts";
import { dialogKeys } from "../../agents/screen-dialogs.ts";
import { kindOfLabel, permissionChoices } from "../../agents/claude/permission-choices.ts";

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

/** Options offered before (or without) the dialog being read off the screen: the terminal's own, built from the hook's input. */
export function hookOptions(p: Pick<Prompt, "tool" | "input" | "suggestions">): DialogOption[] {
  return permissionChoices(p).map(({ key, label, description }) => ({ key, label, ...(description ? { description } : {}) }));
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
 * The choice an approve with `option` makes for a hook prompt. The prompt's options are the
 * terminal's (built from the hook, or read off the screen, which wins); each does what the same
 * choice at the terminal does: the built choice of the same kind (kindOfLabel), or for an option
 * the hook's input did not predict, what its label says. `once`, `always` and `no` are aliases of
 * the first, the suggested and the deny option.
 */
export function hookChoice(p: Prompt, option: string | undefined): Choice {
  const built = permissionChoices(p);
  const options = p.options.length > 0 ? p.options : hookOptions(p);
  const kinds = options.map((o, i) => kindOfLabel(o.label, i));
  const alias = option === "once" ? "once" : option === "always" ? "suggested" : option === "no" ? "no" : null;
  const idx = option === undefined ? 0 : alias ? kinds.indexOf(alias) : options.findIndex((o) => o.key === option);
  if (idx < 0 && alias === "no") return { decision: "deny", option: "no" };
  if (idx < 0) throw new OptionError(`no option ${JSON.stringify(option)}; options are ${describe(options)}`);
  const key = option ?? options[0]!.key;
  const kind = kinds[idx]!;
  const same = built.find((c) => c.kind === kind);
  if (same)
    return { decision: same.decision, option: key, ...(same.updatedPermissions ? { updatedPermissions: same.updatedPermissions } : {}) };
  if (kind === "no") return { decision: "deny", option: key };
  if (kind === "once") return { decision: "allow", option: key };
  if (kind === "auto")
    return { decision: "allow", option: key, updatedPermissions: [{ type: "setMode", mode: "auto", destination: "session" }] };
  if (/accept edits/i.test(options[idx]!.label))
    return { decision: "allow", option: key, updatedPermissions: [{ type: "setMode", mode: "acceptEdits", destination: "session" }] };
  if (p.suggestions.length > 0) return { decision: "allow", option: key, updatedPermissions: p.suggestions };
  throw new OptionError(
    `Claude Code suggested no rule for this ${p.tool} call, so ${JSON.stringify(options[idx]!.label)} cannot be given from here; options are ${describe(options)}`,
  );
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
  if (isNo(chosen.label) || /^tell claude what to change/i.test(chosen.label))
    return { decision: "deny", option: key, keys: dialogKeys(dialog, "esc") };
  return { decision: "allow", option: key, keys: dialogKeys(dialog, key) };
}

function describe(options: DialogOption[]): string {
  return options.map((o) => `${o.key} (${o.label})`).join(", ") || "none";
}
