// Claude Code hook settings for the wrapper (verified against Claude Code 2.1.330; see
// docs/agents/claude-code.md).
//
// The wrapper passes these with `--settings '<json>'`. They add http hooks pointing at the
// wrapper's loopback endpoint:
//   POST <url>/permission  PermissionRequest: blocks until the wrapper answers (long timeout);
//                          the response body is the decision.
//   POST <url>/event       observe-only events (short timeout); any 2xx answer, body ignored.
//   POST <url>/elicitation Elicitation and ElicitationResult (an MCP server's form): answered at
//                          once; the body is the hook's output (see hook-elicitations.ts).
// Every request carries the per-run secret in the SECRET_HEADER header.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export const SECRET_HEADER = "X-Claude-Remote-Secret";

/**
 * Events posted to `<url>/event`, for status only. SessionStart is not among them: Claude Code
 * 2.1.330 skips http hooks for SessionStart and Setup ("HTTP hooks are not supported for
 * SessionStart"); use `sessionStartCommand` for a command hook instead. Every other payload
 * carries session_id anyway.
 */
export const OBSERVE_EVENTS = [
  "PreToolUse",
  "PostToolUse",
  "PostToolUseFailure",
  "PermissionDenied",
  "Notification",
  "Stop",
  "UserPromptSubmit",
] as const;

export type HookSettingsOptions = {
  /** base URL of the wrapper's hook endpoint, e.g. http://127.0.0.1:41234/hooks */
  url: string;
  /** per-run secret, sent in the SECRET_HEADER header */
  secret: string;
  /** timeout of the PermissionRequest hook in seconds (default one day) */
  timeoutSec?: number;
  /** timeout of the observe-only hooks in seconds (default 5) */
  observeTimeoutSec?: number;
  /** optional shell command run as a SessionStart *command* hook (gets the payload on stdin) */
  sessionStartCommand?: string;
};

export type HookSettings = { hooks: Record<string, Array<{ matcher?: string; hooks: Array<Record<string, unknown>> }>> };

export const PERMISSION_PATH = "/permission";
export const EVENT_PATH = "/event";
export const ELICITATION_PATH = "/elicitation";
/** Both run before / after Claude Code's own form dialog; the wrapper answers them at once. */
const ELICITATION_EVENTS = ["Elicitation", "ElicitationResult"] as const;

export function buildHookSettings(opts: HookSettingsOptions): HookSettings {
  const base = opts.url.replace(/\/+$/, "");
  const headers = { [SECRET_HEADER]: opts.secret };
  const hooks: HookSettings["hooks"] = {
    PermissionRequest: [
      {
        matcher: "*",
        hooks: [{ type: "http", url: base + PERMISSION_PATH, headers, timeout: opts.timeoutSec ?? 86_400 }],
      },
    ],
  };
  for (const ev of OBSERVE_EVENTS) {
    hooks[ev] = [
      {
        matcher: "*",
        hooks: [{ type: "http", url: base + EVENT_PATH, headers, timeout: opts.observeTimeoutSec ?? 5 }],
      },
    ];
  }
  for (const ev of ELICITATION_EVENTS) {
    hooks[ev] = [
      {
        matcher: "*",
        hooks: [{ type: "http", url: base + ELICITATION_PATH, headers, timeout: opts.observeTimeoutSec ?? 5 }],
      },
    ];
  }
  if (opts.sessionStartCommand) {
    hooks.SessionStart = [{ hooks: [{ type: "command", command: opts.sessionStartCommand, timeout: opts.observeTimeoutSec ?? 5 }] }];
  }
  return { hooks };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Merges settings objects: `hooks` arrays of the same event are concatenated (user's first),
 * other objects merge recursively, arrays concatenate, and for scalars the later value wins.
 */
function mergeSettings(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (isPlainObject(a) && isPlainObject(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? mergeSettings(out[k], v) : v;
    return out;
  }
  return b === undefined ? a : b;
}

/** Reads a `--settings` value: inline JSON, or the path of a JSON file (read, never written). */
function readSettingsValue(value: string, cwd = process.cwd()): Record<string, unknown> {
  const text = value.trim().startsWith("{") ? value : readFileSync(resolve(cwd, value), "utf8");
  const parsed = JSON.parse(text);
  if (!isPlainObject(parsed)) throw new Error("settings must be a JSON object");
  return parsed;
}

/**
 * Returns args with one `--settings '<json>'` holding our hooks merged with every `--settings`
 * the user gave (`--settings <v>` or `--settings=<v>`; inline JSON or a file path). Args after a
 * bare `--` are left alone. If a user value cannot be read or parsed, the user's flag is kept as
 * given, after ours, so Claude Code reports the problem itself (and then our hooks are not used).
 */
export function withHookSettings(args: string[], settings: object, cwd = process.cwd()): string[] {
  const out: string[] = [];
  const kept: string[] = [];
  let merged: unknown = {};
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") break;
    let value: string | undefined;
    if (a === "--settings") {
      if (i + 1 >= args.length) {
        kept.push(a);
        continue;
      }
      value = args[++i]!;
    } else if (a.startsWith("--settings=")) {
      value = a.slice("--settings=".length);
    } else {
      out.push(a);
      continue;
    }
    try {
      merged = mergeSettings(merged, readSettingsValue(value, cwd));
    } catch {
      kept.push("--settings", value);
    }
  }
  const rest = args.slice(i);
  const all = mergeSettings(merged, settings);
  return ["--settings", JSON.stringify(all), ...out, ...kept, ...rest];
}

/** A warning when the args turn hooks off (`--bare`, `--safe-mode`, or inline disableAllHooks). */
export function warnFlags(args: string[]): string | undefined {
  const found: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") break;
    if (a === "--bare" || a === "--safe-mode") found.push(a);
    const v = a === "--settings" ? args[i + 1] : a.startsWith("--settings=") ? a.slice(11) : undefined;
    if (v && v.trim().startsWith("{")) {
      try {
        if (JSON.parse(v)?.disableAllHooks === true) found.push("disableAllHooks in --settings");
      } catch {}
    }
  }
  if (found.length === 0) return undefined;
  return `claude-remote: ${found.join(", ")} turns Claude Code's hooks off; permission prompts will be read from the screen only (no tool input details, answers by keystroke).`;
}
