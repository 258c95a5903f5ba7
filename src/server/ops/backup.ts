/**
 * `claude-remote backup <file>`: a consistent copy of the database while the server runs
 * (copyDatabase in src/store/db.ts: one snapshot, never blocking the server's writer). It is written
 * next to the target, checked, and renamed into place, so a failed backup never leaves a half-written file under the given name.
 */
import { checkCopy, copyDatabase } from "../../store/db.ts";
import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { CONFIG_VARS } from "../config.ts";

export const DB_FILE = "claude-remote.db";

export type BackupResult = { file: string; bytes: number; sessions: number; schemaVersion: number };

function backupDatabase(dbPath: string, target: string): BackupResult {
  const file = resolve(target);
  if (!existsSync(dbPath)) throw new Error(`no database at ${dbPath} (set CLAUDE_REMOTE_DATA_DIR)`);
  if (existsSync(file)) throw new Error(`${file} already exists; choose a new file name`);
  const partial = `${file}.partial-${process.pid}`;
  try {
    copyDatabase(dbPath, partial);
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
  const check = verify(partial);
  renameSync(partial, file);
  return { file, bytes: statSync(file).size, ...check };
}

/** Opens the copy and checks it before it is given its name. */
function verify(path: string): { sessions: number; schemaVersion: number } {
  try {
    return checkCopy(path);
  } catch (e) {
    rmSync(path, { force: true });
    throw e;
  }
}

const USAGE = "usage: claude-remote backup [--data-dir DIR] <file>   (DIR defaults to $CLAUDE_REMOTE_DATA_DIR or ./data)";

/** The CLI subcommand. Returns the exit code. */
export function backupCommand(args: string[], env: Record<string, string | undefined> = process.env): number {
  let dataDir = env.CLAUDE_REMOTE_DATA_DIR || CONFIG_VARS.find((v) => v.name === "CLAUDE_REMOTE_DATA_DIR")!.default;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--data-dir" && i + 1 < args.length) dataDir = args[++i];
    else if (args[i].startsWith("--data-dir=")) dataDir = args[i].slice(11);
    else if (args[i] === "-h" || args[i] === "--help") return (console.log(USAGE), 0);
    else rest.push(args[i]);
  }
  if (rest.length !== 1) {
    console.error(`claude-remote: backup needs exactly one target file\n${USAGE}`);
    return 2;
  }
  try {
    const r = backupDatabase(join(dataDir, DB_FILE), rest[0]);
    console.log(`backup written: ${r.file} (${r.bytes} bytes, ${r.sessions} sessions, schema v${r.schemaVersion})`);
    return 0;
  } catch (e) {
    console.error(`claude-remote: backup failed: ${(e as Error).message}`);
    return 1;
  }
}
