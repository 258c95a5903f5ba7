/**
 * The search index's own database file, next to the main one. The index is derived data (plain
 * text of `output`, rebuilt from it at any time), so it lives apart: the indexer writes it from a
 * Worker without ever taking the main database's write lock, and a file that is missing, of
 * another version or unreadable is simply recreated.
 */
import { Database } from "bun:sqlite";
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";

export const SEARCH_DB_FILE = "search-index.db";
const INDEX_VERSION = 1;

const SCHEMA = `
  CREATE TABLE search_docs (
    id INTEGER PRIMARY KEY,             -- = search_fts rowid
    session_id TEXT NOT NULL,
    from_seq INTEGER NOT NULL,
    to_seq INTEGER NOT NULL
  );
  CREATE INDEX search_docs_session ON search_docs(session_id, to_seq);
  CREATE VIRTUAL TABLE search_fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
  -- FTS5 merges a level once it holds 'automerge' segments (default 4). Dense output indexed in
  -- small documents spent most of its time in those merges; 16 halves the indexing CPU.
  INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 16);
  -- A level that reaches 'crisismerge' segments (default 16) is merged whole inside the insert
  -- that filled it, at a cost that grows with the index (1.1 s at 200 MB of text). At 64 the
  -- incremental automerge, bounded by the pages each insert wrote, does every merge.
  INSERT INTO search_fts (search_fts, rank) VALUES ('crisismerge', 64);
`;

/** Where the index of the database at `dbPath` lives. */
export function searchDbPath(dbPath: string): string {
  return join(dirname(dbPath), SEARCH_DB_FILE);
}

/** Opens the index, creating it (empty) when it is missing, of another version, or corrupt. Other errors (permissions, disk) are thrown. */
export function openSearchDatabase(path: string): Database {
  try {
    const db = open(path);
    if (version(db) === INDEX_VERSION) return db;
    if (version(db) === 0 && !hasTables(db)) return create(db);
    db.close();
  } catch (e) {
    if (!isCorrupt(e)) throw e;
  }
  return recreateSearchDatabase(path);
}

/** Throws the index away and starts an empty one: derived data, rebuilt from `output`. */
export function recreateSearchDatabase(path: string): Database {
  removeFiles(path);
  return create(open(path));
}

/** SQLite says the file is damaged or not a database at all. */
export function isCorrupt(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "SQLITE_CORRUPT" || code === "SQLITE_NOTADB";
}

function open(path: string): Database {
  const db = new Database(path, { create: true, strict: true });
  db.exec("PRAGMA journal_mode = WAL");
  // a lost commit after a power cut is re-indexed from `output`: the index follows its own to_seq
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA busy_timeout = 5000");
  return db;
}

function create(db: Database): Database {
  db.transaction(() => {
    db.exec(SCHEMA);
    db.exec(`PRAGMA user_version = ${INDEX_VERSION}`);
  })();
  return db;
}

function version(db: Database): number {
  return (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
}

function hasTables(db: Database): boolean {
  return db.query("SELECT 1 FROM sqlite_master LIMIT 1").get() !== null;
}

function removeFiles(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(f)) rmSync(f, { force: true });
}
