/**
 * What a notification action needs from the prompt lifecycle: resolve one prompt on behalf of
 * whoever pressed the button. Synchronous on purpose: the action route checks the token, resolves
 * and spends the token in one tick, so two presses cannot both get through.
 */
import { assertNever } from "../../protocol/common.ts";
import type { AnswerResult } from "../prompts/prompt-service.ts";

export type ActionDecision = "approve" | "deny";
export type ResolveOutcome = "ok" | "not_found" | "already_resolved" | "not_connected" | "refused";

export interface PromptPort {
  resolve(promptId: string, decision: ActionDecision, by: { actor: string; ip: string | null }): ResolveOutcome;
}

/** The part of the prompts service an action uses. */
type PromptAnswering = {
  approve(id: string, option: string | undefined, by: { actor: string; ip: string | null }): AnswerResult;
  reject(id: string, message: string | undefined, by: { actor: string; ip: string | null }): AnswerResult;
};

export function promptPort(prompts: PromptAnswering): PromptPort {
  return {
    resolve(id, decision, by) {
      const r = decision === "approve" ? prompts.approve(id, undefined, by) : prompts.reject(id, undefined, by);
      if (r.ok) return "ok";
      switch (r.error) {
        case "not_found":
        case "not_connected":
          return r.error;
        case "conflict":
          return "already_resolved";
        case "bad_option":
          return "refused";
        default:
          return assertNever(r.error);
      }
    },
  };
}
