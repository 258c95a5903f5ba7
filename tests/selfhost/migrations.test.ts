// An old database is upgraded in place by the current code and keeps its data.
import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { join } from "node:path";
import { migrate, schemaVersion } from "../../src/store/db.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "../../src/store/migrations.ts";
import { Store } from "../../src/store/index.ts";
import { SearchIndex } from "../../src/store/search.ts";
import { openSearchDatabase, searchDbPath } from "../../src/store/search-db.ts";
import { tempDir } from "../support/server.ts";

test("a database at schema v1 with data is migrated to the current version and keeps its rows", () => {
  const path = join(tempDir("cr-migrate-"), "claude-remote.db");
  const old = new Database(path, { create: true, strict: true });
  old.exec("PRAGMA journal_mode = WAL");
  migrate(old, MIGRATIONS.slice(0, 1));
  expect(schemaVersion(old)).toBe(1);
  old.query("INSERT INTO devices (id, name, host, key_wrapped, created_at) VALUES ('dev_old', 'laptop', 'h', x'00', 1)").run();
  old
    .query(
      "INSERT INTO sessions (id, device_id, name, command, cwd, status, started_at, ended_at, exit_code, cols, rows, last_seq, bytes) VALUES ('sess_old_1', 'dev_old', 'old-session', '[\"bash\"]', '/', 'exited', 1000, 2000, 0, 80, 24, 2, 23)",
    )
    .run();
  old
    .query("INSERT INTO output (session_id, seq, ts, data) VALUES ('sess_old_1', 1, 1000, ?), ('sess_old_1', 2, 1001, ?)")
    .run(Buffer.from("hello \x1b[1mancient\x1b[0m "), Buffer.from("world\r\n"));
  old.query("INSERT INTO audit (ts, actor, action) VALUES (5, 'admin', 'login')").run();
  old.close();

  const store = Store.open(path);
  try {
    expect(schemaVersion(store.db)).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThan(1);
    const s = store.sessions.get("sess_old_1")!;
    expect(s).toMatchObject({ name: "old-session", status: "exited", exitCode: 0, lastSeq: 2, bytes: 23 });
    expect(Buffer.concat([...store.output.iterate("sess_old_1")].map((c) => c.data)).toString()).toBe(
      "hello \x1b[1mancient\x1b[0m world\r\n",
    );
    expect(store.audit.list(null, 10)[0]).toMatchObject({ actor: "admin", action: "login" });
    expect(store.devices.activeKey("dev_old")).not.toBeNull();
    // The search index (its own file since v10) backfills the old output.
    const search = new SearchIndex(store.db, openSearchDatabase(searchDbPath(path)));
    search.indexAll();
    expect(search.search('"ancient"').map((h) => h.sessionId)).toEqual(["sess_old_1"]);
  } finally {
    store.close();
  }
  // Opening again is a no-op.
  const again = Store.open(path);
  expect(schemaVersion(again.db)).toBe(SCHEMA_VERSION);
  again.close();
});
