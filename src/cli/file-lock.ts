/**
 * One process per file: `<file>.lock` holds the owner's pid. Used for spool files and live markers,
 * so two deliverers never work on the same one.
 */
import { linkSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { pidExists } from "./process-check.ts";

/** A lock older than this is stale whatever its pid says (a deliverer gives up after 6 h; pids get reused). */
const LOCK_MAX_AGE_MS = 7 * 3600 * 1000;

/**
 * The lock is created whole (a temp file with the pid, hard-linked into place), so nobody ever
 * reads it empty. A lock whose process is gone, or older than any deliverer lives, is taken over.
 * Returns a release function, or null if another live process holds the file. Two processes
 * taking over the same stale lock at the same instant could both work on the file: harmless for
 * what this guards (the server drops seqs it already has; a second lost report is answered the same).
 */
export function lockFile(path: string): (() => void) | null {
  const lock = `${path}.lock`;
  const mine = `${lock}.${process.pid}`;
  writeFileSync(mine, String(process.pid), { mode: 0o600 });
  try {
    for (let tries = 0; tries < 2; tries++) {
      try {
        linkSync(mine, lock);
        return () => rmSync(lock, { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        if (held(lock)) return null;
        rmSync(lock, { force: true });
      }
    }
    return null;
  } finally {
    rmSync(mine, { force: true });
  }
}

function held(lock: string): boolean {
  const st = statSync(lock, { throwIfNoEntry: false });
  if (!st) return false;
  if (Date.now() - st.mtimeMs > LOCK_MAX_AGE_MS) return false;
  let pid = NaN;
  try {
    pid = Number(readFileSync(lock, "utf8"));
  } catch {
    return false; // released just now
  }
  return Number.isInteger(pid) && pid > 0 && pidExists(pid);
}
