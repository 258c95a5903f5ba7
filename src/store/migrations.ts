/**
 * Versioned schema. Each entry upgrades the database by one version (PRAGMA user_version).
 * Never edit a released migration: append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // v1: the core path
  `
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    host TEXT,
    key_wrapped BLOB NOT NULL,          -- device HMAC key, AES-GCM wrapped with the data-dir master key
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER,
    revoked_at INTEGER
  );
  CREATE TABLE pairing_codes (
    code_hash TEXT PRIMARY KEY,         -- sha256 of the code; the code itself is never stored
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  );
  CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    user_agent TEXT,
    ip TEXT
  );
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    name TEXT NOT NULL,
    command TEXT NOT NULL,              -- JSON array
    cwd TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    exit_code INTEGER,
    cols INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX sessions_started ON sessions(started_at);
  CREATE TABLE output (
    session_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (session_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE gaps (
    session_id TEXT NOT NULL,
    from_seq INTEGER NOT NULL,
    to_seq INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL
  );
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts INTEGER NOT NULL,
    actor TEXT NOT NULL,                -- 'admin', 'device:<id>', 'browser:<session hash prefix>', 'anonymous'
    ip TEXT,
    user_agent TEXT,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT                         -- JSON
  );
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
  `,
  // full-text search over sessions' output (text stripped of escape sequences, indexed in the
  // background by src/store/search.ts), and the time retention removed a session's output
  `
  CREATE TABLE search_docs (
    id INTEGER PRIMARY KEY,             -- = search_fts rowid
    session_id TEXT NOT NULL,
    from_seq INTEGER NOT NULL,
    to_seq INTEGER NOT NULL
  );
  CREATE INDEX search_docs_session ON search_docs(session_id, to_seq);
  CREATE VIRTUAL TABLE search_fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
  ALTER TABLE sessions ADD COLUMN output_purged_at INTEGER;
  `,
  // notifications: Web Push subscriptions per browser, one-time action tokens for notification
  // buttons (sha256 only), and the last delivery failures the dashboard shows
  `
  CREATE TABLE push_subscriptions (
    endpoint TEXT PRIMARY KEY,          -- the push service URL identifies the browser's subscription
    p256dh TEXT NOT NULL,               -- browser's P-256 public key (base64url)
    auth TEXT NOT NULL,                 -- 16-byte auth secret (base64url)
    label TEXT,
    user_agent TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE action_tokens (
    token_hash TEXT PRIMARY KEY,        -- sha256 of the token; the token itself is never stored
    prompt_id TEXT NOT NULL,
    decision TEXT NOT NULL,             -- 'approve' | 'deny'
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  );
  CREATE INDEX action_tokens_prompt ON action_tokens(prompt_id);
  CREATE TABLE notify_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts INTEGER NOT NULL,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    error TEXT NOT NULL
  );
  `,
  // permission prompts (hook or screen), their answer, and the last hook notice of a session
  `
  CREATE TABLE prompts (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    source TEXT NOT NULL,               -- 'hook' | 'screen'
    agent TEXT,
    tool TEXT NOT NULL,
    input TEXT NOT NULL,                -- JSON object
    suggestions TEXT NOT NULL,          -- JSON array (Claude Code permission_suggestions)
    title TEXT,
    question TEXT,
    body TEXT NOT NULL,                 -- JSON array of screen rows
    options TEXT NOT NULL,              -- JSON array of {key, label}
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    resolved_at INTEGER,
    resolved_by TEXT,
    resolution TEXT,                    -- JSON
    hook_session_id TEXT,
    tool_use_id TEXT
  );
  CREATE INDEX prompts_session ON prompts(session_id, status);
  CREATE INDEX prompts_status ON prompts(status, created_at);
  ALTER TABLE sessions ADD COLUMN notice TEXT; -- JSON {kind, message, at}
  `,
  // FTS5 merges a level once it holds `automerge` segments (default 4). Dense output indexed in
  // small documents spent most of its time in those merges; 16 halves the indexing CPU (a `seq`
  // burst: 0.20 → 0.10 s per MB) for slightly more segments per query. Kept in the index's config.
  `INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 16);`,
  // A level that reaches `crisismerge` segments (default 16) is merged whole, at once, inside
  // the insert that filled it. With automerge also at 16 every merge was such a crisis merge, and
  // its cost grows with the index: 50 ms at 48 MB of indexed text, 1.1 s at 200 MB, on the
  // server's thread (the stalled-viewer spike of bench/scale). At 64 the incremental automerge,
  // whose work per insert is bounded by the pages that insert wrote, does every merge.
  `INSERT INTO search_fts (search_fts, rank) VALUES ('crisismerge', 64);`,
  // One-time login links: the printed link carries a ticket, not the admin token; only its hash is kept.
  `CREATE TABLE login_tickets (
    ticket_hash TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  );`,
  // The search index moved to its own file (search-index.db, src/store/search-db.ts), written by
  // a Worker: derived data, rebuilt there from `output`.
  `DROP TABLE search_fts; DROP TABLE search_docs;`,
  // The agent's transcript (src/protocol/transcript.ts): one row per entry, idempotent by uuid; the
  // usage columns are the response's, repeated on each line of a response (counted once by message_id).
  `CREATE TABLE transcript_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    uuid TEXT NOT NULL,
    kind TEXT NOT NULL,                 -- 'user' | 'assistant' | 'tool_result' | 'turn_end'
    at INTEGER NOT NULL,
    agent_id TEXT,                      -- subagent; NULL for the main agent
    message_id TEXT,
    model TEXT,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens INTEGER NOT NULL DEFAULT 0,
    cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0, -- part of cache_write_tokens with the 1-hour lifetime
    cost_usd REAL,                      -- Claude Code's own figure, when it writes one
    duration_ms INTEGER,
    lines_added INTEGER NOT NULL DEFAULT 0,
    lines_removed INTEGER NOT NULL DEFAULT 0,
    blocks TEXT NOT NULL,               -- JSON array of EntryBlock
    UNIQUE (session_id, uuid)
  );
  CREATE INDEX transcript_entries_session ON transcript_entries(session_id, id);
  CREATE TABLE transcript_state (
    session_id TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL DEFAULT 0,
    partial TEXT NOT NULL DEFAULT '[]', -- JSON array of reasons the transcript is incomplete
    cost_alerted_at INTEGER
  );`,
  // Session names that tell sessions apart: the first prompt typed (UserPromptSubmit), and
  // archiving from the phone (the session stays, hidden from the list).
  `ALTER TABLE sessions ADD COLUMN first_prompt TEXT;
   ALTER TABLE sessions ADD COLUMN archived_at INTEGER;`,
  // `waiting` is derived (a running session with a pending prompt: sessionStatusSql), no longer stored.
  `UPDATE sessions SET status = 'running' WHERE status = 'waiting';`,
  // Answer links: a notification's answer buttons, one random token per (prompt, option), sha256 only.
  `CREATE TABLE answer_links (
    prompt_id TEXT NOT NULL,
    option_key TEXT NOT NULL,
    session_id TEXT NOT NULL,
    label TEXT NOT NULL,                -- the option's label when the link was made
    token_hash TEXT NOT NULL,           -- sha256 of the token; the token itself is never stored
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (prompt_id, option_key)
  );
  CREATE INDEX answer_links_session ON answer_links(session_id, created_at);`,
  // ntfy's Approve / Deny action tokens gave way to answer links: one mechanism behind every button.
  `DROP TABLE action_tokens;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
