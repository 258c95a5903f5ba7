/**
 * The JSON Claude Code posts to an http hook (verified on 2.1.330; see docs/agents/claude-code.md).
 * Only the fields the wrapper reads are checked; the rest passes through.
 */
import { z } from "zod";

export const HookPayload = z.looseObject({
  hook_event_name: z.string(),
  session_id: z.string().max(128).optional(),
  /** Set for a subagent's events (per the embedded schema); absent for the main agent. */
  agent_id: z.string().max(128).optional(),
  tool_name: z.string().max(256).optional(),
  tool_input: z.record(z.string(), z.unknown()).optional(),
  tool_use_id: z.string().max(128).optional(),
  /** PostToolUse: what the tool returned (AskUserQuestion: its `answers`). */
  tool_response: z.unknown().optional(),
  permission_suggestions: z.array(z.record(z.string(), z.unknown())).optional(),
  message: z.string().optional(),
  notification_type: z.string().optional(),
  last_assistant_message: z.string().optional(),
  prompt: z.string().optional(),
  /** PostToolUseFailure: the user interrupted the call (Esc), and `error` says how it failed. */
  is_interrupt: z.boolean().optional(),
  error: z.string().optional(),
  /** Elicitation / ElicitationResult: the MCP server asking, its message and form, and (result) the user's answer. */
  mcp_server_name: z.string().max(256).optional(),
  requested_schema: z.record(z.string(), z.unknown()).optional(),
  mode: z.string().max(16).optional(),
  url: z.string().optional(),
  elicitation_id: z.string().max(256).optional(),
  action: z.string().max(16).optional(),
  content: z.record(z.string(), z.unknown()).optional(),
});
export type HookPayload = z.infer<typeof HookPayload>;

/** The PermissionRequest hook's answer, as Claude Code reads it. `{}` means "no decision": the local dialog decides. */
export function permissionResponse(
  decision:
    | { behavior: "allow"; updatedInput?: Record<string, unknown>; updatedPermissions?: unknown[] }
    | { behavior: "deny"; message: string }
    | null,
): Record<string, unknown> {
  if (!decision) return {};
  return { hookSpecificOutput: { hookEventName: "PermissionRequest", decision } };
}
