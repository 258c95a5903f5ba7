/**
 * The choices Claude Code's own permission dialog offers for a tool call, built from what its
 * PermissionRequest hook is given (tool, input, `permission_suggestions`), each with the hook
 * decision that has the same effect as choosing it at the terminal. Read from the 2.1.330 binary
 * (the Bash dialog's option list, the file-edit dialog's, the "consent row" labels) and checked on
 * it (docs/agents/claude-code.md): the terminal applies a suggestion with the destination it came
 * with (`git commit *` → localSettings, i.e. `.claude/settings.local.json`; a directory → session),
 * its edited prefix row writes an addRules to localSettings, "switch to auto mode" sets the mode
 * for the session. The screen, once read, decides what is offered (prompt-service.ts).
 */
import type { DialogOption } from "../../protocol/dialog.ts";
import type { Decision, PermissionUpdate } from "../../protocol/prompts.ts";

/** What a choice does, whatever its label: allow once, apply the suggested updates, switch to auto mode, or deny. */
export type ChoiceKind = "once" | "suggested" | "auto" | "no";
export type PermissionChoice = DialogOption & { kind: ChoiceKind; decision: Decision; updatedPermissions?: PermissionUpdate[] };

const FILE_TOOLS = new Set(["Edit", "Write", "MultiEdit", "NotebookEdit"]);
/** The dialog shows only suggestions for these destinations (the others are applied by nobody). */
const SHOWN_DESTINATIONS = new Set(["localSettings", "session"]);
const AUTO: PermissionUpdate = { type: "setMode", mode: "auto", destination: "session" };

type Rule = { toolName: string; ruleContent?: string };
type Call = { tool: string; input: Record<string, unknown>; suggestions: PermissionUpdate[] };

/** The terminal's choices for this call, keyed "1", "2", … as it numbers them. */
export function permissionChoices(call: Call): PermissionChoice[] {
  const shown = call.suggestions.filter(
    (s) =>
      SHOWN_DESTINATIONS.has(String(s.destination)) &&
      ((s.type === "addRules" && s.behavior === "allow") || s.type === "addDirectories" || s.type === "setMode"),
  );
  const choices: Omit<PermissionChoice, "key">[] = [{ kind: "once", label: "Yes", decision: "allow" }];
  const row = FILE_TOOLS.has(call.tool)
    ? fileRow(shown)
    : call.tool === "Bash"
      ? bashRow(call.input, shown)
      : otherRow(call.tool, call.input, shown);
  if (row) choices.push({ kind: "suggested", decision: "allow", ...row });
  if (call.tool === "Bash")
    choices.push({
      kind: "auto",
      label: "Yes, and switch to auto mode",
      description: "auto mode handles these prompts for you",
      decision: "allow",
      updatedPermissions: [AUTO],
    });
  choices.push({
    kind: "no",
    label: call.tool === "WebFetch" ? "No, and tell Claude what to do differently (esc)" : "No",
    decision: "deny",
  });
  return choices.map((c, i) => ({ ...c, key: String(i + 1) }));
}

/** What an option drawn on screen does, by its label (and place: the first is always plain "Yes"). */
export function kindOfLabel(label: string, index: number): ChoiceKind {
  const l = label.trim();
  if (/^no\b/i.test(l)) return "no";
  if (index === 0 || /^yes$/i.test(l)) return "once";
  if (/switch to auto mode|use auto mode/i.test(l) && !/accept edits/i.test(l)) return "auto";
  return "suggested";
}

type Row = { label: string; updatedPermissions: PermissionUpdate[] };

function rulesOf(shown: PermissionUpdate[]): Rule[] {
  return shown.flatMap((s) => (s.type === "addRules" && Array.isArray(s.rules) ? (s.rules as Rule[]) : []));
}
function dirsOf(shown: PermissionUpdate[]): string[] {
  return shown.flatMap((s) => (s.type === "addDirectories" && Array.isArray(s.directories) ? (s.directories as string[]) : []));
}
const and = (xs: string[]) => (xs.length <= 2 ? xs.join(" and ") : `${xs.slice(0, -1).join(", ")}, and ${xs.at(-1)}`);
const prefixOf = (rule: string) => (rule.endsWith(":*") || rule.endsWith(" *") ? rule.slice(0, -2) : rule);

/**
 * Bash: a directory (or another tool's rule) shows the suggestions as one row, applied as given;
 * a single Bash rule becomes the editable "don't ask again for: <prefix>" row, which writes that
 * prefix as a localSettings rule.
 */
function bashRow(input: Record<string, unknown>, shown: PermissionUpdate[]): Row | null {
  const shownHere = shown.filter((s) => s.type !== "setMode");
  const rules = rulesOf(shownHere);
  const bash = rules.filter((r) => r.toolName === "Bash" && r.ruleContent);
  const dirs = dirsOf(shownHere);
  if (dirs.length === 0 && rules.length > 0 && bash.length === rules.length && bash.length === 1) {
    const prefix = bash[0]!.ruleContent ?? String(input.command ?? "");
    return {
      label: `Yes, and don\u2019t ask again for: ${prefix}`,
      updatedPermissions: [
        { type: "addRules", rules: [{ toolName: "Bash", ruleContent: prefix }], behavior: "allow", destination: "localSettings" },
      ],
    };
  }
  if (shownHere.length === 0) return null;
  const commands = bash.map((r) => prefixOf(r.ruleContent!));
  const label =
    dirs.length > 0 && commands.length === 0
      ? `Yes, and always allow access to ${and(dirs)} from this project`
      : dirs.length > 0
        ? `Yes, and allow access to ${and(dirs)} and ${and(commands)} commands`
        : `Yes, and don't ask again for ${and(commands)} commands in this project`;
  return { label, updatedPermissions: shownHere };
}

/** Edit / Write: accept-edits mode, directories and rules, each row forced to this session as the terminal does, joined with "; ". */
function fileRow(shown: PermissionUpdate[]): Row | null {
  const parts: Row[] = [];
  if (shown.some((s) => s.type === "setMode" && s.mode === "acceptEdits"))
    parts.push({
      label: "Yes, and switch to accept edits (auto-approve file edits and common file commands) for this session (shift+tab)",
      updatedPermissions: [{ type: "setMode", mode: "acceptEdits", destination: "session" }],
    });
  const dirs = dirsOf(shown);
  if (dirs.length > 0)
    parts.push({
      label: `Yes, and always allow access to ${dirs.join(", ")} for this session`,
      updatedPermissions: [{ type: "addDirectories", directories: dirs, destination: "session" }],
    });
  const rules = shown.filter((s) => s.type === "addRules");
  if (rules.length > 0) parts.push({ label: "Yes, and don't ask again for these files this session", updatedPermissions: rules });
  if (parts.length === 0) return null;
  return { label: parts.map((p) => p.label).join("; "), updatedPermissions: parts.flatMap((p) => p.updatedPermissions) };
}

/** WebFetch (a domain rule) and any other tool: the suggestions, applied as given. */
function otherRow(tool: string, input: Record<string, unknown>, shown: PermissionUpdate[]): Row | null {
  const shownHere = shown.filter((s) => s.type !== "setMode");
  const host = tool === "WebFetch" ? hostOf(input.url) : null;
  // 2.1.330 draws "don't ask again for <host>" for a WebFetch with no suggestion; its destination is not verified.
  if (shownHere.length === 0 && host)
    return {
      label: `Yes, and don't ask again for ${host}`,
      updatedPermissions: [
        { type: "addRules", rules: [{ toolName: "WebFetch", ruleContent: `domain:${host}` }], behavior: "allow", destination: "session" },
      ],
    };
  if (shownHere.length === 0) return null;
  const domain = rulesOf(shownHere).find((r) => r.toolName === "WebFetch" && r.ruleContent?.startsWith("domain:"));
  const label = domain
    ? `Yes, and don't ask again for ${domain.ruleContent!.slice("domain:".length)}`
    : `Yes, and don't ask again for ${tool}`;
  return { label, updatedPermissions: shownHere };
}

function hostOf(url: unknown): string | null {
  try {
    return typeof url === "string" ? new URL(url).hostname || null : null;
  } catch {
    return null;
  }
}
