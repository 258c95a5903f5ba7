// The README's install line for a dev machine gives a claude-remote that stands alone: its own Bun, no checkout.
import { expect, test } from "bun:test";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { REPO, tempDir } from "../support/server.ts";

test("npm install -g --install-links --allow-scripts=bun . installs a working claude-remote", () => {
  const prefix = tempDir("cr-global-");
  // --offline: npm ci already put every package in npm's cache; nothing is fetched.
  const install = Bun.spawnSync(
    ["npm", "install", "-g", "--install-links", "--allow-scripts=bun", "--offline", "--no-audit", "--no-fund", "--prefix", prefix, "."],
    {
      cwd: REPO,
      env: { ...process.env, npm_config_loglevel: "warn" },
    },
  );
  const log = install.stdout.toString() + install.stderr.toString();
  expect(log).not.toContain("install-scripts");
  expect(install.exitCode).toBe(0);
  // No bun on PATH: the installed shim must find the Bun that came with the package.
  const run = Bun.spawnSync([join(prefix, "bin/claude-remote"), "--version"], {
    env: { PATH: "/usr/bin:/bin", HOME: tempDir("cr-home-") },
  });
  expect(run.stderr.toString()).toBe("");
  expect(run.stdout.toString().split("\n")[0]).toBe(`claude-remote ${pkg.version} (bun ${Bun.version})`);
  expect(run.exitCode).toBe(0);
});
