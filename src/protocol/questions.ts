/**
 * AskUserQuestion and ExitPlanMode as Claude Code 2.1.330 sends them to the PermissionRequest hook
 * (verified: docs/agents/claude-code.md), and the shape a prompt record derives from them.
 */
import { z } from "zod";
import { DialogOption } from "./dialog.ts";
import { ELICITATION_TOOL, formOf } from "./elicitation.ts";

/** One question as the dashboard shows it: choices keyed "1"…, and whether free text is offered. */
export const Question = z.object({
  header: z.string(),
  question: z.string(),
  multiSelect: z.boolean(),
  options: z.array(DialogOption),
  /** The terminal offers "Type something" (free text) for every question. */
  text: z.boolean(),
});
export type Question = z.infer<typeof Question>;

/** The tool input of AskUserQuestion (only the fields read; the rest is sent back untouched). */
const AskInput = z.looseObject({
  questions: z
    .array(
      z.looseObject({
        question: z.string().max(4000),
        header: z.string().max(200).optional(),
        multiSelect: z.boolean().optional(),
        options: z
          .array(z.looseObject({ label: z.string().max(1000), description: z.string().max(4000).optional() }))
          .max(8)
          .optional(),
      }),
    )
    .min(1)
    .max(4),
});

export const QUESTION_TOOL = "AskUserQuestion";
export const PLAN_TOOL = "ExitPlanMode";

/** The questions of an AskUserQuestion input, or null if it is not one (then it is shown as a plain permission prompt). */
export function questionsOf(tool: string, input: Record<string, unknown>): Question[] | null {
  if (tool !== QUESTION_TOOL) return null;
  const parsed = AskInput.safeParse(input);
  if (!parsed.success) return null;
  return parsed.data.questions.map((q) => ({
    header: q.header ?? "",
    question: q.question,
    multiSelect: q.multiSelect === true,
    options: (q.options ?? []).map((o, i) => ({
      key: String(i + 1),
      label: o.label,
      ...(o.description ? { description: o.description } : {}),
    })),
    text: true,
  }));
}

/** The plan text of an ExitPlanMode input (Claude Code fills it in from the plan file). */
export function planOf(tool: string, input: Record<string, unknown>): string | null {
  if (tool !== PLAN_TOOL) return null;
  return typeof input.plan === "string" ? input.plan : null;
}

export function kindOf(tool: string, input: Record<string, unknown>): "permission" | "question" | "plan" | "elicitation" {
  if (questionsOf(tool, input)) return "question";
  if (tool === ELICITATION_TOOL) return "elicitation";
  if (tool === PLAN_TOOL) return "plan";
  return "permission";
}

/** The fields a prompt record derives from its tool and input. */
export function shapeOf(tool: string, input: Record<string, unknown>) {
  return { kind: kindOf(tool, input), questions: questionsOf(tool, input) ?? [], plan: planOf(tool, input), form: formOf(tool, input) };
}
