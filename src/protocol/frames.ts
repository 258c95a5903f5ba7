/**
 * WebSocket frames between the wrapper (CLI) and the server, on `/ws`.
 * Text frames are JSON objects with a `type`; output travels in binary frames (see output-frame.ts).
 */
import { DeviceErrorCode } from "./codes.ts";
import { z } from "zod";
import { Cols, Rows, Seq, SessionId } from "./common.ts";
import { DaemonHello, DaemonResult, DaemonSessions, DaemonStart, DaemonStop, SessionAttach } from "./daemon.ts";
import { NoticeFrame, PromptAnswer, PromptClosed, PromptOpen, PromptTaken } from "./prompts.ts";
import { TranscriptAck, TranscriptFrame } from "./transcript.ts";

export const PROTOCOL_VERSION = 1;
/** Largest text frame either side accepts. */
export const MAX_TEXT_FRAME = 256 * 1024;
/** Largest binary (output) frame: header + payload. */
export const MAX_BINARY_FRAME = 1024 * 1024 + 256;
/** A handshake signed more than this long ago (or ahead) is refused. */
export const HANDSHAKE_MAX_SKEW_MS = 60_000;

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex chars");

// ---- wrapper → server ----
export const Hello = z.object({
  type: z.literal("hello"),
  v: z.literal(PROTOCOL_VERSION),
  deviceId: z.string().min(1).max(64),
  nonce: z.string().min(16).max(128),
  ts: z.number().int(),
  sig: Hex64,
  host: z.string().max(255).optional(),
});
export type Hello = z.infer<typeof Hello>;

export const SessionOpen = z.object({
  type: z.literal("session.open"),
  sessionId: SessionId,
  name: z.string().max(200),
  command: z.array(z.string().max(4096)).min(1).max(256),
  cwd: z.string().max(4096),
  cols: Cols,
  rows: Rows,
  startedAt: z.number(),
  agent: z.string().max(32).optional(),
  /** The wrapper answers permission prompts through the agent's hooks (claude): no screen-read prompts for this session. */
  hooks: z.boolean().optional(),
});
/** What a wrapper opens a session with: the wrapper's link sends it, the hub and the session store take it. */
export type SessionOpenInfo = Omit<z.infer<typeof SessionOpen>, "type">;

export const SessionResize = z.object({ type: z.literal("session.resize"), sessionId: SessionId, cols: Cols, rows: Rows });

export const SessionExit = z.object({
  type: z.literal("session.exit"),
  sessionId: SessionId,
  exitCode: z.number().int(),
  signal: z.string().max(32).nullable(),
  endedAt: z.number(),
  lastSeq: Seq,
});

/**
 * The wrapper that ran this session died without reporting its exit (SIGKILL, OOM, a crash), as a
 * later `claude-remote deliver` on the same machine found: its exit code is unknown, and output the
 * server had not acked died with it. The session need not be open on this connection (its wrapper
 * is gone); it must belong to this device and no connection may hold it. Answered by `session.ended`.
 */
export const SessionLost = z.object({ type: z.literal("session.lost"), sessionId: SessionId });

/** The wrapper's ring buffer overflowed: these chunks were dropped before the server had them. */
export const Gap = z.object({
  type: z.literal("gap"),
  sessionId: SessionId,
  fromSeq: Seq,
  toSeq: Seq,
  bytes: z.number().int().nonnegative(),
});

/**
 * Input from the server (`input` frames) that the wrapper refused: the program is not reading it
 * and the wrapper's input queue (CLAUDE_REMOTE_INPUT_QUEUE_BYTES) is full. `bytes` were dropped,
 * `queued` are still waiting. The server tells the session's viewers (`input.refused`).
 */
export const InputRefused = z.object({
  type: z.literal("input.refused"),
  sessionId: SessionId,
  bytes: z.number().int().nonnegative(),
  queued: z.number().int().nonnegative(),
});

export const Ping = z.object({ type: z.literal("ping"), t: z.number() });
export const Pong = z.object({ type: z.literal("pong"), t: z.number() });

export const ClientFrame = z.discriminatedUnion("type", [
  Hello,
  SessionOpen,
  SessionResize,
  SessionExit,
  SessionLost,
  Gap,
  InputRefused,
  Ping,
  Pong,
  PromptOpen,
  PromptClosed,
  PromptTaken,
  NoticeFrame,
  DaemonHello,
  DaemonSessions,
  DaemonResult,
  SessionAttach,
  TranscriptFrame,
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

// ---- server → wrapper ----
export const Challenge = z.object({ type: z.literal("challenge"), v: z.literal(PROTOCOL_VERSION), nonce: z.string(), ts: z.number() });
export const Welcome = z.object({
  type: z.literal("welcome"),
  deviceId: z.string(),
  heartbeatMs: z.number().int(),
  /** The server answers a stored `session.exit` with `session.ended` (older servers do not). */
  exitAcks: z.literal(true).optional(),
  /** The server stores `transcript` frames and acks them (older servers do not: a wrapper then does not wait for their acks). */
  transcripts: z.literal(true).optional(),
});
export const SessionReady = z.object({ type: z.literal("session.ready"), sessionId: SessionId, lastSeq: Seq });
export const Ack = z.object({ type: z.literal("ack"), sessionId: SessionId, seq: Seq });
/** The session's exit (or loss) is stored: the wrapper (or a deliverer) may forget it. */
export const SessionEnded = z.object({ type: z.literal("session.ended"), sessionId: SessionId });
export const Input = z.object({ type: z.literal("input"), sessionId: SessionId, data: z.string().max(64 * 1024) });
export const ResizeRequest = z.object({ type: z.literal("resize"), sessionId: SessionId, cols: Cols, rows: Rows });
export const ErrorFrame = z.object({
  type: z.literal("error"),
  code: DeviceErrorCode,
  message: z.string(),
  /** The frame type (or "binary") the error is about, when known. */
  ref: z.string().optional(),
});

export const ServerFrame = z.discriminatedUnion("type", [
  Challenge,
  Welcome,
  SessionReady,
  Ack,
  SessionEnded,
  Input,
  ResizeRequest,
  ErrorFrame,
  Ping,
  Pong,
  PromptAnswer,
  DaemonStart,
  DaemonStop,
  TranscriptAck,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;
