/**
 * The agent's own transcript (Claude Code's session JSONL), as the wrapper reads it and the server
 * stores it: one normalized entry per message line, its usage, and why a view is partial.
 * Wrapper → server `transcript` frames have their own seq (not output's) and are acked with
 * `transcript.ack`; entries are idempotent by `uuid`, so a resend after a reconnect stores nothing twice.
 */
import { z } from "zod";
import { Seq, SessionId } from "./common.ts";

/** Longest text kept per block; the rest is cut with a note (the transcript on disk keeps it whole). */
export const TRANSCRIPT_TEXT_MAX = 16 * 1024;
/** Entries per frame, and the frame's JSON size budget (under MAX_TEXT_FRAME). */
export const TRANSCRIPT_BATCH_MAX = 200;
export const TRANSCRIPT_FRAME_BUDGET = 192 * 1024;

const Text = z.string().max(TRANSCRIPT_TEXT_MAX + 200);
const Count = z.number().int().nonnegative().max(1e12);

/** `cacheWrite1h`: the part of `cacheWrite` written with the 1-hour lifetime (priced higher). */
export const Usage = z.object({ input: Count, output: Count, cacheRead: Count, cacheWrite: Count, cacheWrite1h: Count });
export type Usage = z.infer<typeof Usage>;

/** One hunk of a file change as Claude Code records it (`structuredPatch`): lines start with ' ', '+' or '-'. */
export const PatchHunk = z.object({ oldStart: z.number().int(), newStart: z.number().int(), lines: z.array(Text).max(2000) });

export const EntryBlock = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), text: Text }),
  z.object({ type: z.literal("thinking"), text: Text }),
  z.object({ type: z.literal("tool_use"), id: z.string().max(128), name: z.string().max(256), input: z.record(z.string(), z.unknown()) }),
  z.object({
    type: z.literal("tool_result"),
    toolUseId: z.string().max(128),
    text: Text,
    isError: z.boolean(),
    /** The subagent an Agent call started (its entries carry this agentId). */
    agentId: z.string().max(64).optional(),
    /** The file change the tool made (Edit, Write, MultiEdit), when recorded. */
    patch: z.object({ file: z.string().max(4096), create: z.boolean(), hunks: z.array(PatchHunk).max(200) }).optional(),
  }),
]);
export type EntryBlock = z.infer<typeof EntryBlock>;

/**
 * `user`: typed by the person (or a system turn such as a background task's notification);
 * `assistant`: one API response (or one of its blocks); `tool_result`: what tools answered;
 * `turn_end`: Claude Code's own measure of the turn (`durationMs`).
 */
export const EntryKind = z.enum(["user", "assistant", "tool_result", "turn_end"]);
export type EntryKind = z.infer<typeof EntryKind>;

export const TranscriptEntry = z.object({
  uuid: z.string().min(1).max(64),
  kind: EntryKind,
  at: z.number(),
  /** Set for a subagent's entries (Claude Code's `agentId`); null for the main agent. */
  agentId: z.string().max(64).nullable(),
  /** The API message id: one response written as several lines shares it (usage is counted once). */
  messageId: z.string().max(128).nullable(),
  model: z.string().max(128).nullable(),
  usage: Usage.nullable(),
  /** Claude Code's own cost figure for this response, where it writes one (`costUSD`). */
  costUsd: z.number().nonnegative().nullable(),
  durationMs: Count.nullable(),
  linesAdded: Count,
  linesRemoved: Count,
  blocks: z.array(EntryBlock).max(64),
});
export type TranscriptEntry = z.infer<typeof TranscriptEntry>;

/** Why the transcript view is incomplete, as the wrapper saw it. */
export const PartialReason = z.string().min(1).max(300);

export const TranscriptFrame = z.object({
  type: z.literal("transcript"),
  sessionId: SessionId,
  seq: Seq,
  entries: z.array(TranscriptEntry).max(TRANSCRIPT_BATCH_MAX),
  /** Reasons the reader could not read everything (new since the last frame); empty when all is well. */
  partial: z.array(PartialReason).max(20),
});
export type TranscriptFrame = z.infer<typeof TranscriptFrame>;

/** Server → wrapper: every transcript frame up to `seq` is stored and on disk. */
export const TranscriptAck = z.object({ type: z.literal("transcript.ack"), sessionId: SessionId, seq: Seq });
export type TranscriptAck = z.infer<typeof TranscriptAck>;

// ---- REST and events ----

/** Figures for a set of responses. `costUsd` null = a model the price table lacks (never a guess). */
export const UsageFigures = z.object({
  input: Count,
  output: Count,
  cacheRead: Count,
  cacheWrite: Count,
  responses: Count,
  costUsd: z.number().nullable(),
  /** Where the cost came from: Claude Code's figure, the price table, both, or nowhere. */
  costSource: z.enum(["claude", "price-table", "mixed", "unknown", "none"]),
  unknownModels: z.array(z.string()),
});
export type UsageFigures = z.infer<typeof UsageFigures>;

export const TurnUsage = z.object({
  turn: z.number().int().positive(),
  startedAt: z.number(),
  prompt: z.string(),
  usage: UsageFigures,
  subagents: UsageFigures,
  activeMs: Count,
  linesAdded: Count,
  linesRemoved: Count,
});

export const SessionUsage = z.object({
  sessionId: SessionId,
  /** false: the agent wrote no transcript this server has (time and turns only). */
  transcript: z.boolean(),
  models: z.array(z.string()),
  main: UsageFigures,
  subagents: UsageFigures,
  total: UsageFigures,
  turns: z.number().int().nonnegative(),
  activeMs: Count,
  wallMs: Count,
  linesAdded: Count,
  linesRemoved: Count,
  partial: z.array(z.string()),
  perTurn: z.array(TurnUsage),
  prices: z.object({ date: z.string(), source: z.string() }),
});
export type SessionUsage = z.infer<typeof SessionUsage>;

export const UsageQuery = z.object({
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  /** `session`: one bucket per session (keyed by its id, with `turns`), what the dashboard's list shows. */
  by: z.enum(["day", "machine", "folder", "session"]).default("day"),
});

export const UsageBucket = z.object({ key: z.string(), sessions: Count, usage: UsageFigures, turns: Count.optional() });
export const UsageReport = z.object({
  by: z.enum(["day", "machine", "folder", "session"]),
  from: z.number().nullable(),
  to: z.number().nullable(),
  buckets: z.array(UsageBucket),
  total: UsageFigures,
});
export type UsageReport = z.infer<typeof UsageReport>;

export const ConversationQuery = z.object({
  /** Entries after this id (follow live), or… */
  after: z.coerce.number().int().nonnegative().optional(),
  /** …entries before this id (page back); neither = the newest page. */
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const ConversationItem = TranscriptEntry.extend({ id: z.number().int().positive() });
export type ConversationItem = z.infer<typeof ConversationItem>;
export const ConversationPage = z.object({
  sessionId: SessionId,
  items: z.array(ConversationItem),
  /** There are older entries than the first one here (ask `before=<items[0].id>`). */
  more: z.boolean(),
  partial: z.array(z.string()),
});

/** Global event `transcript`: a session's transcript grew (fetch `after=<lastId>`), with its new figures. */
export const TranscriptEvent = z.object({
  sessionId: SessionId,
  lastId: z.number().int().nonnegative(),
  entries: Count,
  partial: z.array(z.string()),
  usage: z.object({ tokens: Count, costUsd: z.number().nullable(), turns: Count }),
});
export type TranscriptEvent = z.infer<typeof TranscriptEvent>;
/** Global event `session.cost`: a session's cost passed CLAUDE_REMOTE_COST_ALERT_USD (once per session). */
export const SessionCostEvent = z.object({ sessionId: SessionId, costUsd: z.number(), thresholdUsd: z.number() });
