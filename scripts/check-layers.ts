/**
 * The folders of src/ are layers of the data flow; each may import only the layers below it, so the
 * wrapper never loads the server's code and no two folders import each other. `src/main.ts` (the
 * command dispatcher) sits on top and may import any of them.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

export const ALLOWED: Record<string, readonly string[]> = {
  protocol: [],
  terminal: ["protocol"],
  agents: ["protocol", "terminal"],
  store: ["protocol", "terminal"],
  cli: ["protocol", "terminal", "agents"],
  server: ["protocol", "terminal", "agents", "store"],
};

export type Edge = { from: string; to: string; spec: string };

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|new URL\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

/** Every relative import in one source text, as paths relative to `root`. */
export function importsOf(file: string, text: string, root: string): Edge[] {
  const edges: Edge[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1]!;
    edges.push({ from: file, to: relative(root, normalize(join(root, dirname(file), spec))), spec });
  }
  return edges;
}

/** `src/<layer>/...` → layer; `src/main.ts` → "main"; anything outside src → null (package.json and the like). */
export function layerOf(path: string): string | null {
  const parts = path.split("/");
  if (parts[0] !== "src") return null;
  return parts.length > 2 ? parts[1]! : parts[1]!.replace(/\.ts$/, "");
}

/** The imports that break the layering, each as a readable line. */
export function layerProblems(edges: readonly Edge[]): string[] {
  const problems: string[] = [];
  for (const e of edges) {
    const from = layerOf(e.from);
    const to = layerOf(e.to);
    if (from === null || to === null || from === to || from === "main") continue;
    const allowed = ALLOWED[from];
    if (allowed === undefined) problems.push(`${e.from}: src/${from} is not a known layer (add it to ALLOWED)`);
    else if (!allowed.includes(to))
      problems.push(`${e.from} imports ${e.spec}: src/${from} may import only ${allowed.join(", ") || "nothing outside itself"}`);
  }
  return problems;
}

export function sourceFiles(root: string, dir = "src"): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) out.push(...sourceFiles(root, path));
    else if (/\.(ts|js)$/.test(name)) out.push(path);
  }
  return out;
}

export function repoEdges(root: string): Edge[] {
  return sourceFiles(root).flatMap((f) => importsOf(f, readFileSync(join(root, f), "utf8"), root));
}

if (import.meta.main) {
  const problems = layerProblems(repoEdges(join(import.meta.dir, "..")));
  for (const p of problems) console.error(p);
  process.exit(problems.length ? 1 : 0);
}
