/** `claude-remote` command line: see the CLI contract in DESIGN.md. */
import { claudeAdapter } from "../agents/claude/adapter.ts";
import { pair } from "./pair.ts";
import { runWrapped } from "./run.ts";
import { claudeSessionName, didYouMean } from "./suggest.ts";

const USAGE = `usage:
  claude-remote [claude args…]                 run claude, streamed to your server
  claude-remote -- [claude args…]              the same, even if an arg looks like a subcommand
  claude-remote exec [--name N] -- <cmd> [args…]   wrap any command
  claude-remote serve                          run the server (same as npm start)
  claude-remote backup <file>                  consistent copy of the server's database (safe while it runs)
  claude-remote login-link                     a new one-time login link for the dashboard (run where the server's data is)
  claude-remote pair <server-url> <code>       pair this machine with a server
  claude-remote deliver                        send output kept while the server was unreachable, and report
                                               sessions whose wrapper was killed (runs by itself)`;

function fail(msg: string): number {
  console.error(`claude-remote: ${msg}\n${USAGE}`);
  return 2;
}

export function claudeBinary(): string | null {
  return process.env.CLAUDE_REMOTE_BIN_CLAUDE || Bun.which("claude");
}

async function execCommand(args: string[]): Promise<number> {
  let name: string | undefined;
  let i = 0;
  for (; i < args.length && args[i] !== "--"; i++) {
    if (args[i] === "--name" && i + 1 < args.length) name = args[++i];
    else if (args[i].startsWith("--name=")) name = args[i].slice(7);
    else break;
  }
  const command = args[i] === "--" ? args.slice(i + 1) : args.slice(i);
  if (command.length === 0) return fail("exec needs a command after --");
  return runWrapped({ argv: command, name });
}

async function runClaude(args: string[]): Promise<number> {
  const bin = claudeBinary();
  if (!bin) {
    console.error("claude-remote: `claude` not found on PATH (set CLAUDE_REMOTE_BIN_CLAUDE to its path)");
    return 127;
  }
  return runWrapped({ argv: [bin, ...args], name: claudeSessionName(args), agent: "claude", adapter: claudeAdapter() });
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  switch (first) {
    case "--":
      return runClaude(rest);
    case "exec":
      return execCommand(rest);
    case "serve": {
      const { serve } = await import("../server/main.ts");
      await serve();
      return -1; // keeps running
    }
    case "backup": {
      const { backupCommand } = await import("../server/backup.ts");
      return backupCommand(rest);
    }
    case "login-link": {
      const { loginLinkCommand } = await import("../server/login-link.ts");
      return loginLinkCommand();
    }
    case "deliver": {
      const { deliverAll } = await import("./deliver.ts");
      const r = await deliverAll();
      console.error(`claude-remote deliver: ${r.delivered} delivered, ${r.lost} reported lost, ${r.left} left`);
      return r.left ? 1 : 0;
    }
    case "pair":
      if (rest.length < 2) return fail("pair needs <server-url> <code>");
      return pair(rest[0], rest[1], rest[2]);
    default: {
      const near = didYouMean(first);
      if (near) console.error(`claude-remote: "${first}" is not a subcommand; did you mean \`claude-remote ${near}\`? Passing it on to claude.`);
      return runClaude(argv);
    }
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
