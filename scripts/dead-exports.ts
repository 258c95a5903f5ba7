/**
 * Exported values (const, function, class) of src/ that no other file names: dead code, or an
 * `export` that can go. A name counts as used when another file of src, tests, bench, bin or
 * scripts mentions it as a word (so a re-export or a dynamic use keeps it). Not checked: types
 * (a type in an exported signature is part of it) and src/protocol, whose exports are the wire
 * vocabulary (every frame and body schema, whether or not the server parses it).
 * `bun scripts/dead-exports.ts` lists them; tests/setup/dead-exports.test.ts fails on any not in KEEP.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Exports to keep although no other file uses them (none now: a new entry needs its reason here). */
export const KEEP = new Set<string>([]);

const EXPORT = /^export\s+(?:async\s+)?(?:abstract\s+)?(?:const|let|function\*?|class)\s+([A-Za-z_$][\w$]*)/gm;

export type Dead = { file: string; name: string };

export function deadExports(files: Record<string, string>): Dead[] {
  const dead: Dead[] = [];
  const words = new Map<string, Set<string>>(); // word -> files mentioning it
  for (const [file, text] of Object.entries(files)) {
    for (const w of text.match(/[A-Za-z_$][\w$]*/g) ?? []) {
      let set = words.get(w);
      if (!set) words.set(w, (set = new Set()));
      set.add(file);
    }
  }
  for (const [file, text] of Object.entries(files)) {
    if (!file.startsWith("src/") || file.startsWith("src/protocol/")) continue;
    for (const m of text.matchAll(EXPORT)) {
      const name = m[1]!;
      if (KEEP.has(`${file}:${name}`)) continue;
      const users = words.get(name) ?? new Set();
      if ([...users].every((f) => f === file)) dead.push({ file, name });
    }
  }
  return dead;
}

export function repoFiles(repo: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pattern of ["src/**/*.ts", "tests/**/*.ts", "bench/**/*.ts", "scripts/**/*.ts", "bin/*"]) {
    for (const p of new Bun.Glob(pattern).scanSync(repo)) out[p] = readFileSync(join(repo, p), "utf8");
  }
  return out;
}

if (import.meta.main) {
  const dead = deadExports(repoFiles(join(import.meta.dir, "..")));
  for (const d of dead) console.log(`${d.file}: ${d.name}`);
  process.exit(dead.length ? 1 : 0);
}
