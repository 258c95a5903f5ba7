/**
 * What a notification action needs from the prompt lifecycle: resolve one prompt on behalf of
 * whoever pressed the button. Synchronous on purpose: the action route checks the token, resolves
 * and spends the token in one tick, so two presses cannot both get through.
 */
export type ActionDecision = "approve" | "deny";
export type ResolveOutcome = "ok" | "not_found" | "already_resolved" | "not_connected" | "refused";

export interface PromptPort {
  resolve(promptId: string, decision: ActionDecision, by: { actor: string; ip: string | null }): ResolveOutcome;
}

/** The part of the prompts service (src/server/prompts/prompt-service.ts) an action uses. */
type AnswerResult = { ok: true } | { ok: false; status: number; error: string };
type PromptAnswering = {
  approve(id: string, option: string | undefined, by: { actor: string; ip: string | null }): AnswerResult;
  reject(id: string, message: string | undefined, by: { actor: string; ip: string | null }): AnswerResult;
};

export function promptPort(prompts: PromptAnswering): PromptPort {
  return {
    resolve(id, decision, by) {
      const r = decision === "approve" ? prompts.approve(id, undefined, by) : prompts.reject(id, undefined, by);
      if (r.ok) return "ok";
      if (r.status === 404) return "not_found";
      if (r.error === "not_connected") return "not_connected";
      if (r.status === 409) return "already_resolved";
      return "refused";
    },
  };
}
