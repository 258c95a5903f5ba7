/**
 * The local socket of a background session (`<config dir>/run/<session>.sock`, 0600): how
 * `claude-remote attach`, `ls` and the daemon talk to the process that holds the session's PTY.
 * One JSON object per line; terminal bytes travel base64-encoded.
 */
import { z } from "zod";
import { Cols, Rows, SessionId } from "./common.ts";

/** Longest line either side accepts. */
export const MAX_HOST_LINE = 1024 * 1024;

// ---- client (attach, ls, daemon) → host ----
export const HostInfoRequest = z.object({ type: z.literal("info") });
export const HostAttach = z.object({ type: z.literal("attach"), cols: Cols, rows: Rows, who: z.string().max(200) });
export const HostInput = z.object({ type: z.literal("input"), data: z.string().max(256 * 1024) });
export const HostResize = z.object({ type: z.literal("resize"), cols: Cols, rows: Rows });
export const HostStop = z.object({ type: z.literal("stop"), graceMs: z.number().int().min(0).max(60_000) });
export const HostRequest = z.discriminatedUnion("type", [HostInfoRequest, HostAttach, HostInput, HostResize, HostStop]);
export type HostRequest = z.infer<typeof HostRequest>;

// ---- host → client ----
export const HostSessionInfo = z.object({
  sessionId: SessionId,
  name: z.string(),
  cwd: z.string(),
  command: z.array(z.string()),
  preset: z.string(),
  agent: z.string().nullable(),
  /** The host's pid and the agent's. */
  pid: z.number().int(),
  childPid: z.number().int().nullable(),
  startedAt: z.number(),
  attached: z.number().int(),
  cols: Cols,
  rows: Rows,
});
export type HostSessionInfo = z.infer<typeof HostSessionInfo>;

export const HostReply = z.discriminatedUnion("type", [
  z.object({ type: z.literal("info"), session: HostSessionInfo }),
  /** The current screen, as bytes that repaint a terminal of the same size. Sent once, right after `attach`. */
  z.object({ type: z.literal("screen"), data: z.string() }),
  z.object({ type: z.literal("output"), data: z.string() }),
  z.object({ type: z.literal("stopping"), graceMs: z.number().int() }),
  z.object({ type: z.literal("exit"), exitCode: z.number().int(), signal: z.string().nullable() }),
  z.object({ type: z.literal("error"), message: z.string() }),
]);
export type HostReply = z.infer<typeof HostReply>;
