/**
 * Every event the server sends a viewer, by name: on SSE (`/events`, `/events?session=<id>`) and on
 * the viewer socket (`/ws/viewer`, the same names and data). `EventMap` types every publisher and
 * sink (EventLog.publish, ViewerSink.send) and, through JSDoc, the dashboard (public/js).
 *
 * - global stream `/events`: `hello`, `resync`, `session`, `session.deleted`, `device`, `prompt`,
 *   `notice`, `transcript`, `session.cost`; ids `<bootId>-<n>`, resumed with `Last-Event-ID`.
 * - session stream `/events?session=<id>`: `session`, `output` (raw bytes, base64, by seq), `gap`;
 *   its ids are the output seq, so resuming replays only what was missed.
 * - screen view `/events?session=<id>&view=screen`: `hello`, `screen`, `rows` (src/protocol/screen.ts).
 * - global and session streams, viewer socket: `input.refused` (input the session's wrapper dropped).
 * - viewer socket only: `input.ok`, `error` (src/protocol/viewer.ts).
 */
import { z } from "zod";
import { Seq, SessionId, SessionInfo } from "./common.ts";
import { NoticeEvent, PromptEvent } from "./prompts.ts";
import { RowsEvent, ScreenEvent } from "./screen.ts";
import { SessionCostEvent, TranscriptEvent } from "./transcript.ts";
import { InputOkEvent, ViewerErrorEvent } from "./viewer.ts";

export const HelloEvent = z.object({ bootId: z.string(), serverTime: z.number() });
export const SessionEvent = z.object({ session: SessionInfo });
export const OutputEvent = z.object({ sessionId: SessionId, seq: Seq, data: z.string() /* base64 */ });
export const GapEvent = z.object({ sessionId: SessionId, fromSeq: Seq, toSeq: Seq, bytes: z.number().int() });
/** The viewer fell too far behind (or the server restarted): refetch state and reconnect. */
export const ResyncEvent = z.object({ reason: z.string() });
/** A session was deleted from the dashboard: forget it. */
export const SessionDeletedEvent = z.object({ sessionId: SessionId });
/** A device was paired (`name`, `host`, the pairing code's `pairing` id) or revoked (`revoked`). */
export const DeviceEvent = z.union([
  z.object({ id: z.string(), name: z.string(), host: z.string().nullable(), pairing: z.string() }),
  z.object({ id: z.string(), revoked: z.literal(true) }),
]);

/**
 * Input typed on a dashboard that the session's wrapper dropped (its program is not reading and the
 * input queue is full): `bytes` lost, `queued` still waiting for the program. `code` is `input_refused`.
 */
export const InputRefusedEvent = z.object({
  sessionId: SessionId,
  bytes: z.number().int(),
  queued: z.number().int(),
  code: z.literal("input_refused"),
  message: z.string(),
});

export const EventSchemas = {
  hello: HelloEvent,
  resync: ResyncEvent,
  session: SessionEvent,
  "session.deleted": SessionDeletedEvent,
  device: DeviceEvent,
  /** Global stream: a prompt was created or changed (src/protocol/prompts.ts). */
  prompt: PromptEvent,
  /** Global stream: a hook notice (waiting, done, …), also kept as the session's `notice`. */
  notice: NoticeEvent,
  /** Global stream: a session's transcript grew (src/protocol/transcript.ts). */
  transcript: TranscriptEvent,
  /** Global stream: a session's cost passed CLAUDE_REMOTE_COST_ALERT_USD. */
  "session.cost": SessionCostEvent,
  output: OutputEvent,
  gap: GapEvent,
  screen: ScreenEvent,
  rows: RowsEvent,
  "input.ok": InputOkEvent,
  "input.refused": InputRefusedEvent,
  error: ViewerErrorEvent,
} as const;

export type EventName = keyof typeof EventSchemas;
export type EventMap = { [E in EventName]: z.infer<(typeof EventSchemas)[E]> };
/** One event as a tagged value (what in-process listeners of the global stream get). */
export type ServerEvent = { [E in EventName]: { event: E; data: EventMap[E] } }[EventName];
