/**
 * Which rollout file is this session's: Codex names none to the wrapper (no hooks), so the newest
 * `rollout-*.jsonl` under `<sessions>/YYYY/MM/DD/` (today's and yesterday's, UTC and local) written
 * since the wrapper started, whose first line (`session_meta`) has this folder as its `cwd`. Two
 * Codex sessions started in one folder at the same moment could be taken for each other.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join } from "node:path";

const HEAD_BYTES = 64 * 1024;
const MAX_FILES = 500;

function dayDirs(sessions: string, now: number): string[] {
  const out = new Set<string>();
  for (const t of [now, now - 86_400_000]) {
    const d = new Date(t);
    const pad = (n: number) => String(n).padStart(2, "0");
    out.add(join(sessions, String(d.getUTCFullYear()), pad(d.getUTCMonth() + 1), pad(d.getUTCDate())));
    out.add(join(sessions, String(d.getFullYear()), pad(d.getMonth() + 1), pad(d.getDate())));
  }
  return [...out];
}

/** The cwd in a rollout's first line, or null. */
function cwdOf(path: string): string | null {
  let fd = -1;
  try {
    fd = openSync(path, "r");
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buf, 0, HEAD_BYTES, 0);
    const first = buf.subarray(0, n).toString("utf8").split("\n", 1)[0]!;
    const line = JSON.parse(first) as { type?: unknown; payload?: { cwd?: unknown } };
    return line.type === "session_meta" && typeof line.payload?.cwd === "string" ? line.payload.cwd : null;
  } catch {
    return null; // not there yet, half written, or not ours
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

export function findRollout(sessions: string, since: number, cwd: string, now = Date.now()): string | null {
  let best: { path: string; mtime: number } | null = null;
  for (const dir of dayDirs(sessions, now)) {
    let names: string[];
    try {
      names = readdirSync(dir).slice(0, MAX_FILES);
    } catch {
      continue;
    }
    for (const n of names) {
      if (!n.startsWith("rollout-") || !n.endsWith(".jsonl")) continue;
      const path = join(dir, n);
      const mtime = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
      if (mtime < since - 2000 || (best && mtime <= best.mtime)) continue;
      if (cwdOf(path) === cwd) best = { path, mtime };
    }
  }
  return best?.path ?? null;
}
