// The first commands a user types about the tool answer about the tool: no session, no notice, no escapes.
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { CLI, REPO, tempDir } from "../support/server.ts";

const REAL_CLAUDE = join(REPO, "node_modules/.bin/claude");
const ESC = "\x1b";

/** Runs bin/claude-remote as a user does (through its shell shim), stdin and stdout not terminals. */
function run(args: string[], env: Record<string, string | undefined> = {}) {
  const configDir = tempDir("cr-about-");
  const r = Bun.spawnSync([CLI, ...args], {
    env: { ...process.env, CLAUDE_REMOTE_CONFIG_DIR: configDir, CLAUDE_REMOTE_BIN_CLAUDE: REAL_CLAUDE, HOME: tempDir("cr-home-"), ...env },
    stdin: "ignore",
  });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString(), configDir };
}

/** A stand-in `claude` that prints the arguments it was given, one per line. */
function argEcho(): string {
  const path = join(tempDir("cr-echo-"), "claude");
  writeFileSync(path, '#!/bin/sh\nfor a in "$@"; do echo "arg:$a"; done\n');
  chmodSync(path, 0o755);
  return path;
}

describe("claude-remote about itself", () => {
  for (const flag of ["--version", "-v"]) {
    test(`${flag} prints claude-remote's version and Claude's beneath, and starts nothing`, () => {
      const r = run([flag]);
      expect(r.code).toBe(0);
      expect(r.out.split("\n")[0]).toBe(`claude-remote ${pkg.version} (bun ${Bun.version})`);
      expect(r.out).toMatch(/^claude: 2\.1\.\d+ \(Claude Code\)/m);
      expect(r.out + r.err).not.toContain(ESC);
      expect(r.err).toBe("");
      expect(readdirSync(r.configDir)).toEqual([]); // no spool, no live marker: no session
    });
  }

  for (const flag of ["--help", "-h", "help"]) {
    test(`${flag} lists every subcommand`, () => {
      const r = run([flag]);
      expect(r.code).toBe(0);
      for (const sub of ["exec", "serve", "backup", "login-link", "pair", "deliver"]) expect(r.out).toContain(`claude-remote ${sub}`);
      expect(r.out).toContain("claude-remote --help | --version");
      expect(r.out).toContain("claude-remote -- --help");
      expect(r.out + r.err).not.toContain(ESC);
      expect(r.err).toBe("");
    });
  }

  test("without claude anywhere, --version still answers and says claude is missing", () => {
    const r = run(["--version"], { CLAUDE_REMOTE_BIN_CLAUDE: undefined, PATH: "/usr/bin:/bin" });
    expect(r.code).toBe(0);
    expect(r.out).toContain(`claude-remote ${pkg.version}`);
    expect(r.out).toContain("claude: not found on PATH");
  });

  test("-- --help and -- exec reach claude untouched, as the CLI contract says", () => {
    const echo = argEcho();
    const help = run(["--", "--help"], { CLAUDE_REMOTE_BIN_CLAUDE: echo });
    expect(help.code).toBe(0);
    expect(help.out).toContain("arg:--help");
    expect(help.out).not.toContain("usage:");
    const exec = run(["--", "exec", "--name", "x"], { CLAUDE_REMOTE_BIN_CLAUDE: echo });
    expect(exec.out.replaceAll("\r", "")).toContain("arg:exec\narg:--name\narg:x\n");
  });

  test("-- --version reaches the real claude", () => {
    const r = run(["--", "--version"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/2\.1\.\d+ \(Claude Code\)/);
    expect(r.out).not.toContain("claude-remote ");
  });

  const wrong: [string[], string][] = [
    [["pair", "http://x"], "usage: claude-remote pair <server-url> <code> [name]"],
    [["pair", "a", "b", "c", "d"], "usage: claude-remote pair"],
    [["exec"], "usage: claude-remote exec"],
    [["exec", "--name"], "--name needs a value"],
    [["serve", "now"], "serve takes no arguments"],
    [["login-link", "x"], "login-link takes no arguments"],
    [["deliver", "x"], "deliver takes no arguments"],
    [["backup"], "backup needs exactly one target file"],
  ];
  for (const [args, says] of wrong) {
    test(`${args.join(" ")} gets a short usage message and exit code 2`, () => {
      const r = run(args);
      expect(r.code).toBe(2);
      expect(r.err).toContain(says);
      expect(r.out).toBe("");
      expect(existsSync(join(r.configDir, "spool"))).toBe(false);
    });
  }
});
