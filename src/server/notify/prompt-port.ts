/**
 * What a notification action needs from the prompt lifecycle: resolve one prompt, once, on behalf
 * of whoever pressed the button. Wired to the prompts service in app.ts.
 */
export type ActionDecision = "approve" | "deny";
export type ResolveOutcome = "ok" | "not_found" | "already_resolved";

export interface PromptPort {
  resolve(promptId: string, decision: ActionDecision, by: { actor: string; via: string }): ResolveOutcome | Promise<ResolveOutcome>;
}
