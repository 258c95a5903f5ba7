// Environment for running the real Claude Code offline against tests/support/fake-anthropic.ts.
import { mkdtempSync, realpathSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";

/** The repository root (the directory holding package.json above this file). */
export function repoRoot(): string {
  let dir = dirname(new URL(import.meta.url).pathname);
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("claude-env: repo root not found");
    dir = up;
  }
  return dir;
}

/**
 * The Claude Code binary under test: `CLAUDE_REMOTE_TEST_CLAUDE_BIN` if set (e.g. a newer version
 * installed with `npm install --prefix /tmp/cc-new @anthropic-ai/claude-code@<ver>`), else the
 * pinned devDependency (node_modules/.bin/claude).
 */
export function claudeBin(): string {
  const chosen = process.env.CLAUDE_REMOTE_TEST_CLAUDE_BIN;
  if (chosen) return resolve(chosen);
  return resolve(repoRoot(), "node_modules/.bin/claude");
}

export type ClaudeEnv = { env: Record<string, string>; home: string };

/**
 * A fresh HOME with `.claude.json` (onboarding done, the key approved, `cwd` trusted, dark theme)
 * and a clean environment (nothing inherited but PATH, so an outer Claude Code or real API key
 * cannot leak in).
 */
export function makeClaudeEnv(opts: { cwd: string; baseUrl: string; apiKey: string; extraEnv?: Record<string, string> }): ClaudeEnv {
  const home = mkdtempSync(join(tmpdir(), "cr-claude-home-"));
  const cwd = realpathSync(opts.cwd);
  const config = {
    hasCompletedOnboarding: true,
    theme: "dark",
    customApiKeyResponses: { approved: [opts.apiKey.slice(-20)], rejected: [] },
    projects: {
      [cwd]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true, allowedTools: [] },
    },
  };
  writeFileSync(join(home, ".claude.json"), JSON.stringify(config, null, 2));
  mkdirSync(join(home, ".claude"), { recursive: true });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: home,
    USER: process.env.USER ?? "test",
    SHELL: "/bin/bash",
    TERM: "xterm-256color",
    COLORTERM: "truecolor",
    LANG: "C.UTF-8",
    ANTHROPIC_BASE_URL: opts.baseUrl,
    ANTHROPIC_API_KEY: opts.apiKey,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    ...(opts.extraEnv ?? {}),
  };
  return { env, home };
}
