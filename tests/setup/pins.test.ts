// A fresh clone installs with `npm ci`: every dependency is pinned exactly and the lock file matches.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LockFile, type PackageJson, pinProblems } from "../../scripts/check-pins.ts";
import { REPO } from "../support/server.ts";

const pkgText = readFileSync(join(REPO, "package.json"), "utf8");
const lockText = readFileSync(join(REPO, "package-lock.json"), "utf8");
const pkg = (): PackageJson => JSON.parse(pkgText);
const lock = (): LockFile => JSON.parse(lockText);

describe("dependency pins", () => {
  test("package.json and package-lock.json have no problem", () => {
    expect(pinProblems(pkg(), lock())).toEqual([]);
  });

  test("a dist-tag is caught", () => {
    const p = pkg();
    p.devDependencies!["@types/bun"] = "latest";
    expect(pinProblems(p, lock()).join("\n")).toContain('devDependencies.@types/bun is "latest", not an exact version');
  });

  test("a range is caught", () => {
    const p = pkg();
    p.dependencies!.zod = `^${p.dependencies!.zod}`;
    expect(pinProblems(p, lock()).join("\n")).toContain('dependencies.zod is "^');
  });

  test("an exact version the lock file does not hold is caught", () => {
    const p = pkg();
    p.dependencies!.zod = "4.0.0";
    expect(pinProblems(p, lock()).join("\n")).toContain("dependencies.zod is 4.0.0 but the lock file has");
  });

  test("an install script allowScripts does not cover is caught", () => {
    const p = pkg();
    delete p.allowScripts!.bun;
    expect(pinProblems(p, lock()).join("\n")).toMatch(/^bun@\S+ has an install script/m);
  });

  test("npm itself finds the lock file in sync (npm ci --dry-run, offline)", () => {
    const r = Bun.spawnSync(["npm", "ci", "--dry-run", "--offline", "--no-audit", "--no-fund"], {
      cwd: REPO,
      env: { ...process.env, npm_config_loglevel: "error" },
    });
    expect(r.stderr.toString()).not.toContain("in sync");
    expect(r.exitCode).toBe(0);
  });

  test("npm refuses a copy whose spec the lock file cannot satisfy", () => {
    const dir = mkdtempSync(join(tmpdir(), "pins-"));
    const p = pkg();
    p.dependencies!.zod = "4.0.0";
    writeFileSync(join(dir, "package.json"), JSON.stringify(p));
    writeFileSync(join(dir, "package-lock.json"), lockText);
    const r = Bun.spawnSync(["npm", "ci", "--dry-run", "--offline", "--no-audit", "--no-fund"], { cwd: dir });
    expect(r.stderr.toString()).toContain("in sync");
    expect(r.exitCode).not.toBe(0);
  });
});
