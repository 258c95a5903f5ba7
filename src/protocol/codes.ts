/**
 * The wire vocabulary of refusals: the `code` of an `error` frame on `/ws` (server → device), of an
 * `error` event on `/ws/viewer`, the `error` of a REST answer, and the WebSocket close codes of both sockets. docs/PROTOCOL.md
 * lists them ("Codes"); `bun scripts/protocol-codes.ts --write` writes that table from these, and
 * tests/setup/protocol-codes.test.ts fails when it is out of date.
 */
import { z } from "zod";
import { RefusalCode } from "./daemon.ts";

/** `error {code}` on `/ws`: why the server refused a device's frame. */
export const DEVICE_ERROR_CODES = {
  unauthorized: "the handshake failed (then closed with 4001)",
  bad_frame: "not JSON, not a known frame, or a frame that does not parse (the message says where)",
  too_large: "a text frame over its size limit",
  rate_limited: "too many frames from this device; the message says when to retry",
  store_failed: "the server could not store (database full or read-only; then closed with 1011)",
  out_of_order: "output that does not follow the last accepted seq, or for a session not open here (out of order: then closed with 4009)",
  not_open: "the session is not open on this connection",
  not_found: "no such session",
  forbidden: "the session belongs to another device",
  held: "`session.lost` for a session a connection still holds",
  too_many_sessions: "the device already holds CLAUDE_REMOTE_MAX_SESSIONS_PER_DEVICE open sessions",
  bad_prompt: "a prompt or notice frame refused (another session's prompt id, a session not open here)",
  bad_transcript: "a transcript frame refused",
  bad_gap: "a gap frame that does not start at the next seq",
  bad_daemon_frame: "a daemon frame refused (no `daemon.hello` first, another device's request)",
} as const;
export type DeviceErrorCode = keyof typeof DEVICE_ERROR_CODES;
export const DeviceErrorCode = z.enum(Object.keys(DEVICE_ERROR_CODES) as [DeviceErrorCode, ...DeviceErrorCode[]]);

/** `error {code, message, ref}` on `/ws/viewer`: why a viewer's frame was refused (the socket stays open). */
export const VIEWER_ERROR_CODES = {
  bad_frame: "binary, not JSON, or not an input frame",
  too_large: "a frame over MAX_VIEWER_FRAME characters",
  rate_limited: "too many frames; the message says when to retry",
  unauthorized: "the login ended (then closed with 4001)",
  not_connected: "the session's wrapper is not connected: the input went nowhere",
} as const;
export type ViewerErrorCode = keyof typeof VIEWER_ERROR_CODES;
export const ViewerErrorCode = z.enum(Object.keys(VIEWER_ERROR_CODES) as [ViewerErrorCode, ...ViewerErrorCode[]]);

/** `{error, detail?}`, the body of every REST answer that is not 2xx; `detail` says what was wrong. */
export const API_ERROR_CODES = {
  bad_request: "the body or query does not parse (413 when it is too large); the detail says where",
  bad_query: "a search query the index cannot read",
  bad_option: "an answer the prompt does not offer; the detail names what it allows, and the prompt stays pending",
  unauthorized: "no login, a wrong token or an expired login link",
  forbidden: "logged in, but not allowed: a cross-origin state change, a missing page key, a device on an admin route",
  forbidden_host: "a Host header the server does not serve (DNS rebinding)",
  not_found: "no such route or object",
  gone: "an answer link that has expired (a used or unknown one is `not_found`)",
  method_not_allowed: "the route exists but not with this method",
  conflict: "the object can no longer do that (e.g. a prompt already answered)",
  not_connected: "the session's wrapper is not connected, so nothing was sent",
  live: "the session is running (its wrapper is connected): it cannot be deleted",
  not_ended: "the session is still running: open it instead",
  session_ended: "the session has already ended",
  daemon_offline: "no daemon is connected for that machine",
  device_revoked: "the device was revoked",
  daemon_timeout: "the daemon did not answer in time",
  busy: "too many requests are waiting (or the daemon is busy): retry later",
  refused: "the daemon refused without a code",
  rate_limited: "too many requests; Retry-After says when to retry",
  too_many_connections: "this client IP holds its maximum of open streams and sockets (CLAUDE_REMOTE_MAX_STREAMS_PER_IP)",
  too_many_subscriptions: "the push subscription limit is reached",
  search_unavailable: "the search index is not available right now",
  internal: "the server failed; the log has the details",
} as const;
/** A REST error is one of API_ERROR_CODES or, passed on from a daemon, one of its RefusalCode. */
export type ApiErrorCode = keyof typeof API_ERROR_CODES | RefusalCode;

/** Close codes of the device socket `/ws` (either end may close with `heartbeat`). */
export const DeviceClose = {
  bye: 1000,
  shuttingDown: 1001,
  storeFailed: 1011,
  takenOver: 4000,
  unauthorized: 4001,
  revoked: 4003,
  heartbeat: 4008,
  resync: 4009,
  replaced: 4010,
} as const;
export type DeviceCloseCode = (typeof DeviceClose)[keyof typeof DeviceClose];
export const DEVICE_CLOSE_MEANINGS: Record<keyof typeof DeviceClose, string> = {
  bye: "the wrapper is done (it exited, or its link stopped)",
  shuttingDown: "the server is shutting down",
  storeFailed: 'after `error {code: "store_failed"}`: nothing unstored was acked; resend after reconnecting',
  takenOver: "another connection of the device opened this session (the wrapper reconnected before the old socket died)",
  unauthorized: "the handshake failed or timed out",
  revoked: "the device was revoked",
  heartbeat: "nothing heard for three heartbeats (either end)",
  resync: "after out-of-order output: reconnect and resend everything after the last ack",
  replaced: "a newer daemon of the same device connected",
};

/** Close codes of the viewer socket `/ws/viewer`. */
export const ViewerClose = { ended: 1000, shuttingDown: 1001, serverError: 1011, loggedOut: 4001, gone: 4004, tooSlow: 4008 } as const;
export const VIEWER_CLOSE_MEANINGS: Record<keyof typeof ViewerClose, string> = {
  ended: "the stream ended (e.g. the screen was replaced): reconnect",
  shuttingDown: "the server is shutting down",
  serverError: "the server could not open the stream",
  loggedOut: "the login ended: log in again",
  gone: "nothing to show (no such session, or no screen)",
  tooSlow: "over its bound, or stalled for a heartbeat",
};
