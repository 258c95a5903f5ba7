/** What `claude-remote --help` prints, and the one-line usage a wrong call gets (exit code 2). */

const COMMANDS = {
  exec: { usage: "claude-remote exec [--name N] -- <cmd> [args…]", what: "wrap any command (codex, gemini, bash…)" },
  serve: { usage: "claude-remote serve", what: "run the server (same as npm start)" },
  backup: { usage: "claude-remote backup <file>", what: "consistent copy of the server's database, safe while it runs" },
  "login-link": { usage: "claude-remote login-link", what: "a new one-time login link (run where the server's data is)" },
  pair: { usage: "claude-remote pair <server-url> <code> [name]", what: "pair this machine with a server" },
  daemon: {
    usage: "claude-remote daemon --allow-folder <dir>… [--preset <name>]… [--allow-mode <mode>]… [--install [--yes] | --uninstall]",
    what: "let the dashboard start sessions here, in these folders only",
  },
  attach: { usage: "claude-remote attach [session]", what: "take over a background session in this terminal (Ctrl-] detaches)" },
  ls: { usage: "claude-remote ls", what: "this machine's running sessions" },
  deliver: { usage: "claude-remote deliver", what: "send output kept while the server was away (runs by itself)" },
} as const;

export type Subcommand = keyof typeof COMMANDS;

const lines: [string, string][] = [
  ["claude-remote [claude args…]", "run claude, streamed to your server"],
  ["claude-remote -- [claude args…]", "the same, even if an arg looks like a subcommand"],
  ...Object.values(COMMANDS).map((c): [string, string] => [c.usage, c.what]),
  ["claude-remote --help | --version", "this help | the versions of claude-remote and claude"],
];
const width = Math.max(...lines.map(([u]) => u.length)) + 2;

export const USAGE = `usage:\n${lines.map(([u, w]) => `  ${u.padEnd(width)}${w}`).join("\n")}`;

/** A short complaint about one subcommand's arguments: its usage line and where the rest is. */
export function usageError(command: Subcommand, problem: string): number {
  console.error(`claude-remote: ${problem}\nusage: ${COMMANDS[command].usage}\n(claude-remote --help lists every command)`);
  return 2;
}
