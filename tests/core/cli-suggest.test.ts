/**
 * The command line's small helps: "did you mean" for a subcommand one edit away (the word still goes
 * on to claude), claude sessions named by `--name` (passed on to Claude Code) or their folder, and
 * `claude-remote --resume …` said at exit in place of Claude Code's own `claude --resume …`.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { claudeSessionName, didYouMean } from "../../src/cli/suggest.ts";
import { resumeHint } from "../../src/agents/claude/resume-hint.ts";
import { spawnInPty } from "../support/pty.ts";
import { BUN, CLI, startTestServer, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

let server: TestServer;
let configDir: string;
let fakeClaude: string;
let cwd: string;

beforeAll(async () => {
  server = await startTestServer();
  ({ configDir } = await server.pairDevice("laptop"));
  cwd = realpathSync(mkdtempSync(join(tmpdir(), "cr-my-project-")));
  fakeClaude = join(cwd, "fake-claude.sh");
  // stands in for claude: shows its argv, then ends as Claude Code does, with its resume line
  writeFileSync(
    fakeClaude,
    `#!/bin/sh\nfor a in "$@"; do case "$a" in --settings|{*) ;; *) printf 'arg[%s]\\n' "$a";; esac; done\nprintf 'Resume this session with:\\n\\033[1mclaude --resume 4f1c2e9a-77aa-4b6b-9c1d-0123456789ab\\033[0m\\n'\n`,
  );
  chmodSync(fakeClaude, 0o755);
});

afterAll(() => server?.stop());

test("didYouMean: one edit (a transposition too) from a subcommand, never a prompt or a flag", () => {
  expect(didYouMean("login-lnik")).toBe("login-link");
  expect(didYouMean("loginlink")).toBe("login-link");
  expect(didYouMean("pari")).toBe("pair");
  expect(didYouMean("server")).toBe("serve");
  expect(didYouMean("login-link")).toBeNull();
  expect(didYouMean("fix the login-lnik bug")).toBeNull();
  expect(didYouMean("--resume")).toBeNull();
  expect(didYouMean("hello")).toBeNull();
});

test("claudeSessionName: --name / -n / --name=, else the folder", () => {
  expect(claudeSessionName(["--name", "api work"], "/x/proj")).toBe("api work");
  expect(claudeSessionName(["-n", "fix"], "/x/proj")).toBe("fix");
  expect(claudeSessionName(["--model", "opus", "--name=tests"], "/x/proj")).toBe("tests");
  expect(claudeSessionName(["--model", "opus"], "/x/proj")).toBe("proj");
  expect(claudeSessionName(["--", "--name", "prompt text"], "/x/proj")).toBe("proj");
});

test("resumeHint finds Claude Code's resume line through its styling", () => {
  expect(resumeHint("bye\r\n\x1b[2mclaude --resume abc-123-def\x1b[0m\r\n")).toContain("claude-remote --resume abc-123-def");
  expect(resumeHint("no hint here")).toBeNull();
});

async function run(args: string[]) {
  const t = spawnInPty([BUN, CLI, ...args], { cwd, env: { CLAUDE_REMOTE_CONFIG_DIR: configDir, CLAUDE_REMOTE_BIN_CLAUDE: fakeClaude } });
  expect(await t.exited).toBe(0);
  return t.text();
}

test("a mistyped subcommand gets a 'did you mean' and still goes to claude; the session is named after its folder; exit says claude-remote --resume", async () => {
  const out = await run(["login-lnik"]);
  expect(out).toContain("did you mean `claude-remote login-link`?");
  expect(out).toContain("arg[login-lnik]");
  expect(out).toContain("claude-remote --resume 4f1c2e9a-77aa-4b6b-9c1d-0123456789ab");
  const s = await waitFor(
    async () =>
      ((await (await server.api("/api/sessions")).json()) as { name: string; cwd: string; command: string[] }[]).find((x) =>
        x.command.includes("login-lnik"),
      ),
    { what: "the session" },
  );
  expect(s.name).toBe(basename(cwd));
});

test("--name names a claude session and is passed on to Claude Code", async () => {
  const out = await run(["--name", "api refactor"]);
  expect(out).toContain("arg[--name]");
  expect(out).toContain("arg[api refactor]");
  expect(out).not.toContain("did you mean");
  await waitFor(
    async () => ((await (await server.api("/api/sessions")).json()) as { name: string }[]).some((x) => x.name === "api refactor"),
    { what: "the named session" },
  );
});
