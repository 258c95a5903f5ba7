/**
 * `claude-remote --help` and `--version`: answered by claude-remote itself, with no session, no
 * PTY and no notice. Claude's own version is asked for directly (not through a PTY), so a pipe
 * gets plain text.
 */
import pkg from "../../package.json" with { type: "json" };
import { USAGE } from "./usage.ts";

const CLAUDE_VERSION_TIMEOUT_MS = 10_000;

export function claudeBinary(): string | null {
  return process.env.CLAUDE_REMOTE_BIN_CLAUDE || Bun.which("claude");
}

/** `claude --version`'s first line, or why there is none. */
async function claudeVersion(): Promise<string> {
  const bin = claudeBinary();
  if (!bin) return "not found on PATH (set CLAUDE_REMOTE_BIN_CLAUDE to its path)";
  try {
    const child = Bun.spawn([bin, "--version"], { stdin: "ignore", stdout: "pipe", stderr: "ignore" });
    const timer = setTimeout(() => child.kill(), CLAUDE_VERSION_TIMEOUT_MS);
    const out = await new Response(child.stdout).text();
    const code = await child.exited;
    clearTimeout(timer);
    const first = out.split("\n")[0].trim();
    if (code !== 0 || !first) return `${bin} did not say (exit ${code})`;
    return `${first} (${bin})`;
  } catch (e) {
    return `${bin} could not be run: ${(e as Error).message}`;
  }
}

export async function printVersion(): Promise<number> {
  console.log(`claude-remote ${pkg.version} (bun ${Bun.version})`);
  console.log(`claude: ${await claudeVersion()}`);
  return 0;
}

export async function printHelp(): Promise<number> {
  console.log(`claude-remote ${pkg.version}: run a coding agent in your terminal and on your phone at once.\n`);
  console.log(USAGE);
  console.log(`\nclaude: ${await claudeVersion()}`);
  console.log("Claude's own options: claude-remote -- --help");
  return 0;
}
