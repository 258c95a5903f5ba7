/**
 * Permission prompts: the record the server keeps and the dashboard renders, the frames the
 * wrapper and the server trade about them, the REST bodies that answer them, and session notices
 * (agent waiting, turn finished) from Claude Code's hooks.
 */
import { z } from "zod";
import { SessionId, SessionNotice } from "./common.ts";
import { DialogOption } from "./dialog.ts";
import { Question } from "./questions.ts";
import { ElicitationAction, ElicitationContent, ElicitationForm } from "./elicitation.ts";

/** The longest free-text answer to a question. */
export const TEXT_ANSWER_MAX = 2000;

export const PromptId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8-64 chars of [A-Za-z0-9_-]");

export const PromptStatus = z.enum(["pending", "approved", "denied", "answered-locally", "expired", "cancelled"]);
export type PromptStatus = z.infer<typeof PromptStatus>;

/** `hook`: Claude Code's PermissionRequest hook (answered with the hook's response); `screen`: read off the terminal (answered with keystrokes). */
export const PromptSource = z.enum(["hook", "screen"]);
export type PromptSource = z.infer<typeof PromptSource>;

/** A Claude Code permission update (`addRules`, `setMode`, …), passed through as Claude Code defines it. */
export const PermissionUpdate = z.record(z.string(), z.unknown());
export type PermissionUpdate = z.infer<typeof PermissionUpdate>;

export const Decision = z.enum(["allow", "deny"]);
export type Decision = z.infer<typeof Decision>;

/**
 * What happened to an answer given through the API: `sent` to the agent, `taken` once the agent
 * showed it acted on it (PostToolUse / PermissionDenied of the call, the agent moving on, or the
 * dialog leaving the screen), `not_taken` if it did not within a few seconds: the prompt is then
 * pending again and can be answered anew.
 */
export const Delivery = z.enum(["sent", "taken", "not_taken"]);
export type Delivery = z.infer<typeof Delivery>;

/** `permission`: a tool asks to run; `question`: AskUserQuestion; `plan`: ExitPlanMode (plan approval); `elicitation`: an MCP server's form. */
export const PromptKind = z.enum(["permission", "question", "plan", "elicitation"]);
export type PromptKind = z.infer<typeof PromptKind>;

/** Where an answer came from. */
export const ResolvedVia = z.enum(["api", "terminal", "system"]);

export const Resolution = z.object({
  decision: Decision.nullable(),
  via: ResolvedVia,
  /** The option the answer picked (a key of `options`), when known. */
  option: z.string().optional(),
  /** The reject message given to the model. */
  message: z.string().optional(),
  /** Permission updates sent along with an "always allow". */
  updatedPermissions: z.array(PermissionUpdate).optional(),
  /** Why a prompt was closed without an answer (`expired`, `cancelled`), or how a local answer was noticed. */
  reason: z.string().optional(),
  ip: z.string().nullable().optional(),
  /** The answers given to a question prompt: question text → the answer as the model gets it. */
  answers: z.record(z.string(), z.string()).optional(),
  /** An elicitation's answer: accept (with `content`), decline or cancel. */
  action: ElicitationAction.optional(),
  content: ElicitationContent.optional(),
  delivery: Delivery.optional(),
});
export type Resolution = z.infer<typeof Resolution>;

/** The prompt record: `GET /api/prompts`, and the `prompt` SSE event. */
export const Prompt = z.object({
  id: PromptId,
  sessionId: SessionId,
  source: PromptSource,
  agent: z.string().nullable(),
  /** The API tool name (`Bash`, `Write`, `mcp__server__tool`) for hook prompts; the dialog title for screen prompts. */
  tool: z.string(),
  /** The tool's input as the model sent it (Bash `{command, description}`, Write `{file_path, content}`, Edit `{file_path, old_string, new_string}`, WebFetch `{url, prompt}`). */
  input: z.record(z.string(), z.unknown()),
  /** Claude Code's `permission_suggestions` (hook prompts). */
  suggestions: z.array(PermissionUpdate),
  /** The dialog as drawn on the session's screen, once seen there. */
  title: z.string().nullable(),
  question: z.string().nullable(),
  body: z.array(z.string()),
  options: z.array(DialogOption),
  status: PromptStatus,
  createdAt: z.number(),
  updatedAt: z.number(),
  resolvedAt: z.number().nullable(),
  /** Who answered and from where: `admin:token@<ip>`, `admin:browser:<id>@<ip>`, `terminal`, `system`. */
  resolvedBy: z.string().nullable(),
  resolution: Resolution.nullable(),
  hookSessionId: z.string().nullable(),
  toolUseId: z.string().nullable(),
  /** Derived from `tool` and `input` (never stored). */
  kind: PromptKind,
  /** A question prompt's questions, in order (empty for other kinds). */
  questions: z.array(Question),
  /** A plan prompt's plan (markdown source, to be shown as text), when Claude Code sent it. */
  plan: z.string().nullable(),
  /** An elicitation prompt's form (its requestedSchema read into fields); null for other kinds. */
  form: ElicitationForm.nullable(),
  /** What became of the last answer sent through the API (null before any). */
  delivery: Delivery.nullable(),
});
export type Prompt = z.infer<typeof Prompt>;

// ---- wrapper → server ----

/** The wrapper's PermissionRequest hook fired: a prompt is waiting for an answer. */
export const PromptOpen = z.object({
  type: z.literal("prompt.open"),
  sessionId: SessionId,
  promptId: PromptId,
  tool: z.string().min(1).max(256),
  input: z.record(z.string(), z.unknown()),
  suggestions: z.array(PermissionUpdate).max(32).default([]),
  /** Claude Code's own session id (hook payload `session_id`). */
  hookSessionId: z.string().max(128).optional(),
  /** From the PreToolUse hook that came just before (PermissionRequest has none). */
  toolUseId: z.string().max(128).optional(),
  at: z.number(),
});
export type PromptOpen = z.infer<typeof PromptOpen>;

/** The wrapper saw the prompt end without the server's answer. */
export const PromptClosed = z.object({
  type: z.literal("prompt.closed"),
  sessionId: SessionId,
  promptId: PromptId,
  how: z.enum(["answered-locally", "cancelled", "expired"]),
  /** What the local answer was, when the wrapper could tell (tool ran = allow; request aborted = deny). */
  decision: Decision.optional(),
  /** How it was noticed, e.g. `PostToolUse`, `aborted`, `Stop`, `exit`. */
  reason: z.string().max(64).optional(),
  at: z.number(),
});
export type PromptClosed = z.infer<typeof PromptClosed>;

/** The agent showed it took the server's answer (e.g. PostToolUse of the call, or it moved on). */
export const PromptTaken = z.object({
  type: z.literal("prompt.taken"),
  sessionId: SessionId,
  promptId: PromptId,
  reason: z.string().max(64),
  at: z.number(),
});
export type PromptTaken = z.infer<typeof PromptTaken>;

export const NoticeFrame = z.object({
  type: z.literal("notice"),
  sessionId: SessionId,
  kind: SessionNotice.shape.kind,
  message: z.string().max(2000),
  at: z.number(),
});
export type NoticeFrame = z.infer<typeof NoticeFrame>;

// ---- server → wrapper ----

/** The answer to a hook prompt; the wrapper turns it into the PermissionRequest hook's response. */
export const PromptAnswer = z.object({
  type: z.literal("prompt.answer"),
  sessionId: SessionId,
  promptId: PromptId,
  decision: Decision,
  message: z.string().max(4000).optional(),
  updatedPermissions: z.array(PermissionUpdate).max(32).optional(),
  /** AskUserQuestion: question text → answer; the wrapper sends the tool input back with these `answers`. */
  answers: z.record(z.string().max(4000), z.string().max(8000)).optional(),
  /** ExitPlanMode: send the tool input back as `updatedInput` (Claude Code ignores a bare allow for it). */
  echoInput: z.boolean().optional(),
  /** Elicitation: what the MCP server gets (the wrapper gives it as the ElicitationResult hook's output). */
  elicitation: z.object({ action: ElicitationAction, content: ElicitationContent.optional() }).optional(),
  /**
   * The server withdrew its earlier answer to this prompt (it was not taken in time, and the prompt
   * is pending again): the wrapper drops the answer it holds (an elicitation's, which waits for the
   * ElicitationResult hook); a later `prompt.answer` brings the new one.
   */
  withdraw: z.literal(true).optional(),
});
export type PromptAnswer = z.infer<typeof PromptAnswer>;

// ---- REST ----

/** One question's answer: the keys of its chosen options (one for a single-select question), and/or free text. */
export const QuestionAnswer = z
  .object({
    keys: z.array(z.string().min(1).max(32)).max(8).optional(),
    text: z.string().max(TEXT_ANSWER_MAX).optional(),
  })
  .strict();
export type QuestionAnswer = z.infer<typeof QuestionAnswer>;

/**
 * `POST /api/prompts/:id/approve`: `option` is a key of the prompt's `options` ("1", "2"…), or `once` / `always`.
 * No body = once. A question prompt takes `answers` (one per question, in order) or, for one
 * question, `option` (one key) or `text`. An elicitation prompt takes `content` (the form's
 * answers, checked against its schema) to accept, or `option` `decline` / `cancel`.
 */
export const ApproveBody = z
  .object({
    option: z.string().min(1).max(32).optional(),
    content: z.record(z.string().max(200), z.unknown()).optional(),
    answers: z.array(QuestionAnswer).min(1).max(4).optional(),
    text: z.string().max(TEXT_ANSWER_MAX).optional(),
  })
  .strict()
  .nullable()
  .transform((v) => v ?? {});
export type ApproveBody = z.infer<typeof ApproveBody>;

/** `POST /api/prompts/:id/reject`: `message` reaches the model as the tool's result (hook prompts). */
export const RejectBody = z
  .object({ message: z.string().max(4000).optional() })
  .strict()
  .nullable()
  .transform((v) => v ?? {});
export type RejectBody = z.infer<typeof RejectBody>;

/** `GET /api/prompts?status=&session=&limit=` */
export const PromptsQuery = z.object({
  status: PromptStatus.optional(),
  session: SessionId.optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  /** From the previous page's X-Next-Cursor (src/protocol/api.ts). */
  cursor: z.string().min(1).max(300).optional(),
});

/** SSE `prompt`: every create and status change carries the full record. */
export const PromptEvent = z.object({ prompt: Prompt, change: z.enum(["created", "updated", "resolved"]) });
/** SSE `notice`: a hook notice for a session (also kept as the session's `notice`). */
export const NoticeEvent = SessionNotice.extend({ sessionId: SessionId });
