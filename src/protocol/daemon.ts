/**
 * Starting, stopping and resuming sessions from the dashboard: the frames between `claude-remote
 * daemon` and the server on `/ws`, and the REST bodies. What may be started is decided on the dev
 * machine (its allow-list and presets); the server only relays a request and the daemon's answer.
 * Documented in docs/PROTOCOL.md ("Remote start").
 */
import { z } from "zod";
import { SessionId } from "./common.ts";

/** Permission modes of Claude Code 2.1.330 (`claude --permission-mode`). */
export const PermissionMode = z.enum(["manual", "acceptEdits", "auto", "plan", "dontAsk", "bypassPermissions"]);
export type PermissionMode = z.infer<typeof PermissionMode>;

export const PresetName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "must be 1-32 chars of [a-z0-9_-]");
export const FolderPath = z.string().min(1).max(4096);
/** The first message typed to the agent. */
export const FirstMessage = z
  .string()
  .min(1)
  .max(16 * 1024);
export const RequestId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

/** What a daemon offers: names and modes only, never a command line (the server cannot change them). */
export const PresetInfo = z.object({
  name: PresetName,
  agent: z.string().max(32),
  modes: z.array(PermissionMode).max(8),
  resumable: z.boolean(),
});
export type PresetInfo = z.infer<typeof PresetInfo>;

/** A session the daemon's machine is running in the background (a session host). */
export const HostedSession = z.object({
  sessionId: SessionId,
  pid: z.number().int(),
  cwd: z.string().max(4096),
  preset: z.string().max(32),
  startedAt: z.number(),
});
export type HostedSession = z.infer<typeof HostedSession>;

// ---- daemon → server ----
export const DaemonHello = z.object({
  type: z.literal("daemon.hello"),
  v: z.literal(1),
  folders: z.array(FolderPath).max(64),
  presets: z.array(PresetInfo).max(32),
  sessions: z.array(HostedSession).max(256),
});
/** The daemon's session hosts changed (one started or ended). */
export const DaemonSessions = z.object({ type: z.literal("daemon.sessions"), sessions: z.array(HostedSession).max(256) });

/** Why the daemon would not do what was asked. */
export const RefusalCode = z.enum([
  "folder_not_allowed",
  "preset_not_allowed",
  "mode_not_allowed",
  "not_resumable",
  "no_such_session",
  "busy",
  "start_failed",
]);
export type RefusalCode = z.infer<typeof RefusalCode>;

/** The answer to one `daemon.start` / `daemon.stop`: `ok` with the session, or a refusal with its code and a message naming the list. */
export const DaemonResult = z.object({
  type: z.literal("daemon.result"),
  requestId: RequestId,
  ok: z.boolean(),
  sessionId: SessionId.optional(),
  code: RefusalCode.optional(),
  message: z.string().max(4096).optional(),
});
export type DaemonResult = z.infer<typeof DaemonResult>;

/** A local terminal attached to (or detached from) a background session: for the audit log. */
export const SessionAttach = z.object({
  type: z.literal("session.attach"),
  sessionId: SessionId,
  event: z.enum(["attach", "detach"]),
  who: z.string().max(200),
  at: z.number(),
});

// ---- server → daemon ----
export const DaemonStart = z.object({
  type: z.literal("daemon.start"),
  requestId: RequestId,
  folder: FolderPath,
  preset: PresetName,
  message: FirstMessage.optional(),
  permissionMode: PermissionMode.optional(),
  /** `claude --continue`: the most recent conversation in the folder. */
  continue: z.boolean().optional(),
  /** Resume the conversation of this (ended) session. */
  resumeOf: SessionId.optional(),
  /**
   * With `resumeOf`: Claude's session id as that session's hooks reported it (its prompts'
   * `hookSessionId`), for a session the daemon did not start itself. Its own record wins.
   */
  conversationId: z.uuid().optional(),
  /** Who asked (`admin:browser:…@ip`), for the daemon's own log. */
  by: z.string().max(200),
});
export type DaemonStart = z.infer<typeof DaemonStart>;

export const DaemonStop = z.object({
  type: z.literal("daemon.stop"),
  requestId: RequestId,
  sessionId: SessionId,
  graceMs: z.number().int().min(0).max(60_000),
});
export type DaemonStop = z.infer<typeof DaemonStop>;

// ---- REST ----
/** `POST /api/sessions`: New session (or Continue, with `continue: true`) on a machine's daemon. */
export const StartSessionBody = z
  .object({
    deviceId: z.string().min(1).max(64),
    folder: FolderPath,
    preset: PresetName.default("claude"),
    message: FirstMessage.optional(),
    permissionMode: PermissionMode.optional(),
    continue: z.boolean().optional(),
  })
  .strict();
export type StartSessionBody = z.infer<typeof StartSessionBody>;

/** `POST /api/sessions/:id/resume`. */
export const ResumeSessionBody = z.object({ message: FirstMessage.optional(), permissionMode: PermissionMode.optional() }).strict();

export const DEFAULT_STOP_GRACE_MS = 5000;
/** `POST /api/sessions/:id/stop`: interrupt, then terminate after `graceMs`. */
export const StopSessionBody = z.object({ graceMs: z.number().int().min(0).max(60_000).optional() }).strict();

/** `GET /api/daemons`: the connected daemons and what each offers. */
export const DaemonInfo = z.object({
  deviceId: z.string(),
  deviceName: z.string().nullable(),
  host: z.string().nullable(),
  connectedAt: z.number(),
  folders: z.array(z.string()),
  presets: z.array(PresetInfo),
  sessions: z.array(HostedSession),
});
export type DaemonInfo = z.infer<typeof DaemonInfo>;
