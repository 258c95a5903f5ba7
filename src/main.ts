/** `claude-remote` command line: see the CLI contract in the design (../shared/DESIGN.md, outside this repo) and `claude-remote help`. */
import { claudeAdapter } from "./cli/claude-adapter.ts";
import { codexAdapter, isCodex } from "./cli/codex-adapter.ts";
import { claudeBinary, printHelp, printVersion } from "./cli/about.ts";
import { pair } from "./cli/pair.ts";
import { runWrapped } from "./cli/run.ts";
import { usageError } from "./cli/usage.ts";
import { claudeSessionName, didYouMean } from "./cli/suggest.ts";

async function execCommand(args: string[]): Promise<number> {
  let name: string | undefined;
  let i = 0;
  for (; i < args.length && args[i] !== "--"; i++) {
    if (args[i] === "--name") {
      if (i + 1 >= args.length || args[i + 1] === "--") return usageError("exec", "--name needs a value");
      name = args[++i];
    } else if (args[i].startsWith("--name=")) name = args[i].slice(7);
    else break;
  }
  const command = args[i] === "--" ? args.slice(i + 1) : args.slice(i);
  if (command.length === 0) return usageError("exec", "exec needs a command after --");
  if (isCodex(command)) return runWrapped({ argv: command, name, agent: "codex", adapter: codexAdapter() });
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
    case "--help":
    case "-h":
    case "help":
      return printHelp();
    case "--version":
    case "-v":
      return printVersion();
    case "--":
      return runClaude(rest);
    case "exec":
      return execCommand(rest);
    case "serve": {
      if (rest.length) return usageError("serve", `serve takes no arguments (got ${rest.join(" ")})`);
      const { serve } = await import("./server/main.ts");
      await serve();
      return -1; // keeps running
    }
    case "backup": {
      const { backupCommand } = await import("./server/ops/backup.ts");
      return backupCommand(rest);
    }
    case "login-link": {
      if (rest.length) return usageError("login-link", `login-link takes no arguments (got ${rest.join(" ")})`);
      const { loginLinkCommand } = await import("./server/ops/login-link.ts");
      return loginLinkCommand();
    }
    case "deliver": {
      if (rest.length) return usageError("deliver", `deliver takes no arguments (got ${rest.join(" ")})`);
      const { deliverAll } = await import("./cli/deliver.ts");
      const r = await deliverAll();
      console.error(`claude-remote deliver: ${r.delivered} delivered, ${r.lost} reported lost, ${r.left} left`);
      return r.left ? 1 : 0;
    }
    case "daemon": {
      const { daemonCommand } = await import("./cli/daemon/command.ts");
      return daemonCommand(rest);
    }
    case "attach": {
      if (rest.length > 1) return usageError("attach", `attach takes at most one session (got ${rest.join(" ")})`);
      const { attachCommand } = await import("./cli/daemon/attach.ts");
      return attachCommand(rest[0]);
    }
    case "ls": {
      if (rest.length) return usageError("ls", `ls takes no arguments (got ${rest.join(" ")})`);
      const { lsCommand } = await import("./cli/daemon/ls.ts");
      return lsCommand();
    }
    case "__host": {
      const { hostMain } = await import("./cli/daemon/host.ts");
      return hostMain();
    }
    case "pair":
      if (rest.length < 2 || rest.length > 3) return usageError("pair", "pair needs <server-url> <code> and at most a name");
      return pair(rest[0], rest[1], rest[2]);
    default: {
      const near = didYouMean(first);
      if (near)
        console.error(`claude-remote: "${first}" is not a subcommand; did you mean \`claude-remote ${near}\`? Passing it on to claude.`);
      return runClaude(argv);
    }
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
