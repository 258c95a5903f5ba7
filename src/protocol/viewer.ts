/**
 * The viewer WebSocket `/ws/viewer?session=<id>[&view=raw|screen|none][&from=<seq>]` (dashboard ↔
 * server): the events of `/events?session=<id>` (raw or screen view) as text messages, and input
 * typed into the session over the same open socket, so a keystroke costs one frame, not a request.
 *
 * server → viewer: `{"event": <name>, "id"?: <id>, "data": {...}}`, the same names, ids and data as
 *   the SSE stream, plus `input.ok {ref}` (the input reached the session's wrapper) and
 *   `error {code, message, ref?}` (a refused frame; the socket stays open).
 * viewer → server: `{"type": "input", "ref"?: string, "text": "..."}` or `{"type": "input", "ref"?,
 *   "keys": [...]}` (the same text and keys as `POST /api/sessions/:id/input`).
 */
import { ViewerErrorCode } from "./codes.ts";
import { z } from "zod";
import { InputKeys, InputText } from "./api.ts";

/** Largest text message a viewer may send (the largest input frame, JSON-escaped, fits). */
export const MAX_VIEWER_FRAME = 128 * 1024;

const Ref = z.string().max(64);
// One object with a refinement rather than a union: a union's error is only "invalid input".
export const ViewerFrame = z
  .object({ type: z.literal("input"), ref: Ref.optional(), text: InputText.optional(), keys: InputKeys.optional() })
  .strict()
  .refine((f) => (f.text === undefined) !== (f.keys === undefined), { message: "an input frame needs exactly one of text or keys" });
export type ViewerFrame = z.infer<typeof ViewerFrame>;

export const ViewerView = z.enum(["raw", "screen", "none"]);
export type ViewerView = z.infer<typeof ViewerView>;

/** What the server sends on the viewer socket: `{event, id?, data}`, an event of EventMap (events.ts) and its data. */
export const InputOkEvent = z.object({ ref: Ref.nullable() });
export const ViewerErrorEvent = z.object({ code: ViewerErrorCode, message: z.string(), ref: Ref.nullable() });
