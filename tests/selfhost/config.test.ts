// The README's configuration tables cannot drift from the code, and bad values name their variable.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { configTable, TABLE_END, TABLE_START, withConfigTable } from "../../src/server/config-table.ts";
import { CONFIG_VARS, ConfigError, loadConfig } from "../../src/server/config.ts";
import { BUN, REPO } from "../support/server.ts";

const readme = readFileSync(join(REPO, "README.md"), "utf8");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath, e.name));
}

describe("README configuration", () => {
  test("the server table is exactly the one generated from CONFIG_VARS", () => {
    const table = readme.slice(readme.indexOf(TABLE_START) + TABLE_START.length, readme.indexOf(TABLE_END)).trim();
    if (table !== configTable())
      throw new Error(
        "README.md's configuration table differs from CONFIG_VARS: run `bun scripts/config-table.ts --write` (or `just fmt`)",
      );
    expect(withConfigTable(readme)).toBe(readme);
    for (const v of CONFIG_VARS) expect(table).toContain(`| \`${v.name}\` |`);
  });

  test("scripts/config-table.ts --check agrees", () => {
    const r = Bun.spawnSync([BUN, join(REPO, "scripts/config-table.ts"), "--check"], { cwd: REPO });
    expect(r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
  });

  test("every environment variable the server code reads is in CONFIG_VARS", () => {
    const declared = new Set<string>(CONFIG_VARS.map((v) => v.name));
    const read = new Set<string>();
    for (const f of filesUnder(join(REPO, "src/server"))) {
      for (const m of readFileSync(f, "utf8").matchAll(/(?:process\.)?env\.([A-Z][A-Z0-9_]+)|env\[["']([A-Z][A-Z0-9_]+)["']\]/g))
        read.add(m[1] ?? m[2]);
    }
    read.delete("NODE_ENV");
    expect(read.size).toBeGreaterThan(0);
    for (const name of read) expect(declared.has(name) ? name : `${name} (read in src/server but not in CONFIG_VARS)`).toBe(name);
  });

  test("every CLAUDE_REMOTE_* variable the wrapper reads is in the README's wrapper table", () => {
    const wrapperTable = readme.slice(readme.indexOf(TABLE_END));
    const names = new Set<string>();
    for (const f of filesUnder(join(REPO, "src/cli")))
      for (const m of readFileSync(f, "utf8").matchAll(/env\.(CLAUDE_REMOTE_[A-Z0-9_]+)/g)) names.add(m[1]);
    expect(names.size).toBeGreaterThan(0);
    for (const n of names) expect(wrapperTable.includes(`\`${n}\``) ? n : `${n} (missing from README)`).toBe(n);
  });
});

describe("loadConfig", () => {
  test("defaults are valid and typed", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 7200,
      host: "127.0.0.1",
      dataDir: "./data",
      retentionDays: 30,
      trustProxy: false,
      ntfyUrl: "",
      webhookUrl: "",
    });
  });

  test("an invalid value throws a ConfigError naming the variable and the value", () => {
    const cases: Record<string, string> = {
      PORT: "abc",
      HOST: "",
      TRUST_PROXY: "maybe",
      LOG_LEVEL: "loud",
      CLAUDE_REMOTE_RETENTION_DAYS: "1.5",
      CLAUDE_REMOTE_NTFY_URL: "ntfy",
      CLAUDE_REMOTE_ADMIN_TOKEN: "short",
    };
    for (const [name, value] of Object.entries(cases)) {
      let err: unknown;
      try {
        loadConfig({ [name]: value });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain(`${name}=${JSON.stringify(value)}`);
    }
  });
});
