// All SQL lives in src/store: nothing else opens the database or writes a statement.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../support/server.ts";

const SQL = /\b(SELECT\s+[\w*(].*\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|PRAGMA\s+\w+|VACUUM\s+INTO)\b/;

export function sqlOutsideStore(files: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [path, text] of Object.entries(files)) {
    if (path.startsWith("src/store/")) continue;
    if (/from\s+["']bun:sqlite["']/.test(text)) found.push(`${path}: imports bun:sqlite`);
    text.split("\n").forEach((line, i) => SQL.test(line) && found.push(`${path}:${i + 1}: ${line.trim().slice(0, 80)}`));
  }
  return found;
}

const sources = () =>
  Object.fromEntries([...new Bun.Glob("src/**/*.ts").scanSync(REPO)].map((p) => [p, readFileSync(join(REPO, p), "utf8")]));

test("no file outside src/store opens SQLite or holds SQL", () => {
  expect(sqlOutsideStore(sources())).toEqual([]);
});

test("SQL in a server file is caught (the check can fail)", () => {
  const files = {
    "src/server/ops/x.ts": 'import { Database } from "bun:sqlite";\ndb.query("SELECT status, COUNT(*) FROM sessions GROUP BY status");',
  };
  expect(sqlOutsideStore(files)).toHaveLength(2);
});
