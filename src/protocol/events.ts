/**
 * Server-sent events on `/events` (server → dashboard). Each event has a name, a JSON `data`
 * and an `id:`; a viewer resumes with `Last-Event-ID`.
 *
 * - global stream `/events`: `hello`, `session`, `resync`, plus prompt events added by prompts.
 * - session stream `/events?session=<id>`: `hello`, `session`, `output` (raw bytes, base64, by seq),
 *   `gap`, `resync`; its ids are the output seq, so resuming replays only what was missed.
 */
import { z } from "zod";
import { Seq, SessionId, SessionInfo } from "./common.ts";
import { SessionCostEvent, TranscriptEvent } from "./transcript.ts";

export const HelloEvent = z.object({ bootId: z.string(), serverTime: z.number() });
export const SessionEvent = z.object({ session: SessionInfo });
export const OutputEvent = z.object({ sessionId: SessionId, seq: Seq, data: z.string() /* base64 */ });
export const GapEvent = z.object({ sessionId: SessionId, fromSeq: Seq, toSeq: Seq, bytes: z.number().int() });
/** The viewer fell too far behind (or the server restarted): refetch state and reconnect. */
export const ResyncEvent = z.object({ reason: z.string() });
/** A session was deleted from the dashboard: forget it. */
export const SessionDeletedEvent = z.object({ sessionId: SessionId });

export const EventSchemas = {
  hello: HelloEvent,
  session: SessionEvent,
  output: OutputEvent,
  gap: GapEvent,
  resync: ResyncEvent,
  /** Global stream: a session's transcript grew (src/protocol/transcript.ts). */
  transcript: TranscriptEvent,
  /** Global stream: a session's cost passed CLAUDE_REMOTE_COST_ALERT_USD. */
  "session.cost": SessionCostEvent,
  "session.deleted": SessionDeletedEvent,
} as const;
export type EventName = keyof typeof EventSchemas;
export type EventData<N extends EventName> = z.infer<(typeof EventSchemas)[N]>;
