/**
 * Small helpers for `claude-remote`'s command line that are not the grammar itself (main.ts):
 * a "did you mean" for a mistyped subcommand, and the session name of a claude session.
 */
import { basename } from "node:path";

const SUBCOMMANDS = ["exec", "serve", "backup", "login-link", "pair", "deliver"] as const;

/** Edit distance with adjacent transpositions (optimal string alignment), stopping early past `max`. */
function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The subcommand `word` is one edit away from (a typo), or null. A word with a space or a leading dash is a prompt or a flag. */
export function didYouMean(word: string | undefined): string | null {
  if (!word || word.length < 3 || /^-|\s/.test(word) || (SUBCOMMANDS as readonly string[]).includes(word)) return null;
  return SUBCOMMANDS.find((c) => editDistance(word.toLowerCase(), c) === 1) ?? null;
}

/**
 * What a claude session is called on the dashboard: the name given to Claude Code itself
 * (`-n`/`--name`, passed on unchanged), else the folder it runs in.
 */
export function claudeSessionName(args: string[], cwd = process.cwd()): string {
  for (let i = 0; i < args.length && args[i] !== "--"; i++) {
    const a = args[i]!;
    if ((a === "-n" || a === "--name") && args[i + 1]) return args[i + 1]!.slice(0, 100);
    if (a.startsWith("--name=") && a.length > 7) return a.slice(7, 107);
  }
  return basename(cwd) || "claude";
}
