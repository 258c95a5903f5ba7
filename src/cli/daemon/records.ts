/**
 * What the daemon remembers of each session it started (`<config dir>/sessions/<id>.json`, 0600):
 * folder, preset and Claude's conversation id, so "Resume" can continue it after it ended.
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { SessionId } from "../../protocol/common.ts";
import { ensurePrivateDir, recordsDir } from "./paths.ts";

const MAX_RECORDS = 500;

const SessionRecord = z.object({
  sessionId: SessionId,
  folder: z.string(),
  preset: z.string(),
  /** Claude Code's session id (`--session-id` / `--resume`), when known. */
  conversationId: z.string().uuid().nullable(),
  startedAt: z.number(),
});
export type SessionRecord = z.infer<typeof SessionRecord>;

export function writeRecord(r: SessionRecord): void {
  const dir = ensurePrivateDir(recordsDir());
  writeFileSync(join(dir, `${r.sessionId}.json`), JSON.stringify(r), { mode: 0o600 });
  prune(dir);
}

export function readRecord(sessionId: string): SessionRecord | null {
  if (!SessionId.safeParse(sessionId).success) return null;
  try {
    const r = SessionRecord.safeParse(JSON.parse(readFileSync(join(recordsDir(), `${sessionId}.json`), "utf8")));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** Bounded: the oldest records go first. */
function prune(dir: string): void {
  const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
  if (files.length <= MAX_RECORDS) return;
  const byAge = files.map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs })).sort((a, b) => a.t - b.t);
  for (const { f } of byAge.slice(0, files.length - MAX_RECORDS)) rmSync(join(dir, f), { force: true });
}
