import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { MIGRATIONS } from "./migrations.ts";

/** Pages of WAL after which a commit checkpoints by itself (SQLite's default is 1000). */
export const WAL_BACKSTOP_PAGES = 16384;

export function openDatabase(path: string): Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { create: true, strict: true });
  db.exec("PRAGMA journal_mode = WAL");
  // NORMAL in WAL mode: a killed process loses nothing committed; only a power cut may lose the last
  // commits, and those are not acked until the WAL is fsynced (src/server/ingest/durable-acks.ts).
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA busy_timeout = 5000");
  // The server checkpoints from a worker (checkpointer.ts); this is only the backstop if it falls
  // behind. After a checkpoint the WAL file is cut back to this size.
  db.exec(`PRAGMA wal_autocheckpoint = ${WAL_BACKSTOP_PAGES}`);
  db.exec(`PRAGMA journal_size_limit = ${64 * 1024 * 1024}`);
  migrate(db);
  return db;
}

/** Opens a database a running server may hold, without migrating it (command-line tools); `readonly` for a copy. */
export function openExisting(path: string, readonly = false): Database {
  const db = readonly ? new Database(path, { readonly: true }) : new Database(path, { strict: true });
  db.exec("PRAGMA busy_timeout = 5000");
  return db;
}

/**
 * A consistent copy of the database at `path` into the new file `target`: `VACUUM INTO` reads one
 * snapshot (which never blocks the server's writer in WAL mode) and writes a compact database.
 */
export function copyDatabase(path: string, target: string): void {
  const db = openExisting(path, true);
  try {
    db.query("VACUUM INTO ?").run(target);
  } finally {
    db.close();
  }
}

/** Checks a copy: throws unless SQLite's quick_check passes; its session count and schema version. */
export function checkCopy(path: string): { sessions: number; schemaVersion: number } {
  const db = new Database(path, { readonly: true });
  try {
    const ok = (db.query("PRAGMA quick_check").get() as { quick_check: string }).quick_check;
    if (ok !== "ok") throw new Error(`backup failed its integrity check: ${ok}`);
    return { sessions: (db.query("SELECT COUNT(*) AS n FROM sessions").get() as { n: number }).n, schemaVersion: schemaVersion(db) };
  } finally {
    db.close();
  }
}

export function schemaVersion(db: Database): number {
  return (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
}

/** Brings an older database up to the current schema, one version per transaction. */
export function migrate(db: Database, migrations: readonly string[] = MIGRATIONS): void {
  for (let v = schemaVersion(db); v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]);
      db.exec(`PRAGMA user_version = ${v + 1}`);
    })();
  }
}
