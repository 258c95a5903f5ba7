import { z } from "zod";

export const DialogOption = z.object({
  key: z.string(),
  label: z.string(),
  /** The row the terminal draws under the label (AskUserQuestion choices). */
  description: z.string().optional(),
});
export type DialogOption = z.infer<typeof DialogOption>;

export const DialogAgent = z.enum(["claude", "codex", "gemini"]);
export type DialogAgent = z.infer<typeof DialogAgent>;

/** A permission dialog read off an agent's terminal screen; strings are screen rows, trimmed. */
export const ScreenDialog = z.object({
  agent: DialogAgent,
  title: z.string().nullable(),
  header: z.array(z.string()),
  body: z.array(z.string()),
  notice: z.array(z.string()).optional(),
  question: z.string(),
  options: z.array(DialogOption),
  footer: z.string().optional(),
  selected: z.string().optional(),
  /** Not a permission dialog: Claude Code's AskUserQuestion (`question`), ExitPlanMode (`plan`) or MCP form (`elicitation`) dialog. */
  kind: z.enum(["question", "plan", "elicitation"]).optional(),
  /** A question dialog whose choices are checkboxes. */
  multiSelect: z.boolean().optional(),
  /** How many questions the question dialog's tabs hold (more than one: each tab is read, and answered, on its own). */
  questionCount: z.number().int().optional(),
  /** A multi-select question's ticked choices, as drawn now (not part of the dialog's identity). */
  checked: z.array(z.string()).optional(),
  /** A multi-select question's free text as typed into its `Type something` row now (not part of the dialog's identity). */
  typed: z.string().optional(),
  /** 0-based screen rows of the dialog: first frame (or question) row and last row. */
  rows: z.object({ first: z.number().int(), last: z.number().int() }),
});
export type ScreenDialog = z.infer<typeof ScreenDialog>;
