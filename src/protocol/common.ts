import { z } from "zod";

/** Session ids are minted by the wrapper (UUIDs); anything else is refused early. */
export const SessionId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8-64 chars of [A-Za-z0-9_-]");
export const Seq = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const Cols = z.number().int().min(1).max(1000);
export const Rows = z.number().int().min(1).max(1000);

/** `lost`: ended without an exit: its wrapper died (SIGKILL, OOM, a crash) and its machine said so later (no exit code). */
export const SessionStatus = z.enum(["running", "waiting", "exited", "disconnected", "lost"]);
export type SessionStatus = z.infer<typeof SessionStatus>;

/** The last hook notice of a session: `working` (a turn started), `permission` (Claude asks; the prompt record has it), `waiting` (idle, wants input), `done` (turn finished), `interrupted` (the user stopped the turn: Esc on a tool or a permission dialog). */
export const SessionNotice = z.object({
  kind: z.enum(["working", "permission", "waiting", "done", "interrupted"]),
  message: z.string(),
  at: z.number(),
});
export type SessionNotice = z.infer<typeof SessionNotice>;

/** The session record as REST returns it and SSE carries it (contract fields first). */
export const SessionInfo = z.object({
  id: SessionId,
  deviceId: z.string(),
  name: z.string(),
  command: z.array(z.string()),
  cwd: z.string(),
  status: SessionStatus,
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  exitCode: z.number().int().nullable(),
  cols: Cols,
  rows: Rows,
  bytes: z.number().int().nonnegative(),
  lastSeq: Seq,
  pendingPrompts: z.number().int().nonnegative(),
  notice: SessionNotice.nullable(),
  host: z.string().nullable(),
  deviceName: z.string().nullable(),
  /**
   * Derived, never stored: whose move it is in a live session. `user`: a prompt is pending, or the
   * agent's last notice says it finished, waits or was interrupted; `agent`: it is working; null: ended,
   * not connected, or an agent without hook notices (unknown).
   */
  turn: z.enum(["user", "agent"]).nullable(),
  /** The first prompt typed in the session (Claude Code's UserPromptSubmit), one line, clipped: what tells two sessions of one folder apart. */
  title: z.string().nullable(),
  /** Archived from the dashboard: hidden from its list, nothing deleted. */
  archivedAt: z.number().nullable(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

/** The default of an exhaustive switch: a new case not handled fails typecheck here. */
export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}

/** Turns a zod error into one line that says what was wrong and where. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function parseWith<T>(schema: z.ZodType<T>, input: unknown): Parsed<T> {
  const r = schema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: describeIssues(r.error) };
}

/** JSON.parse that never throws: truncated or non-JSON text becomes a clear error. */
export function parseJson(text: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: `invalid JSON: ${(e as Error).message}` };
  }
}
