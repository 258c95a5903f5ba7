/**
 * Dependency pins: every spec in package.json is an exact version the lock file holds, and every
 * package in the lock with an install script is approved (or denied) in allowScripts.
 * `bun scripts/check-pins.ts` prints the problems and exits 1 if there are any.
 */
import { join } from "node:path";

type Deps = Record<string, string>;
export type PackageJson = {
  dependencies?: Deps;
  devDependencies?: Deps;
  optionalDependencies?: Deps;
  peerDependencies?: Deps;
  allowScripts?: Record<string, boolean>;
};
export type LockFile = {
  packages: Record<string, { version?: string; hasInstallScript?: boolean; dependencies?: Deps; devDependencies?: Deps }>;
};

const EXACT = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const KINDS = ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"] as const;

export function pinProblems(pkg: PackageJson, lock: LockFile): string[] {
  const problems: string[] = [];
  const root = lock.packages[""] ?? {};
  for (const kind of KINDS) {
    for (const [name, spec] of Object.entries(pkg[kind] ?? {})) {
      if (!EXACT.test(spec)) {
        problems.push(`${kind}.${name} is "${spec}", not an exact version: a dist-tag or range is resolved again at every install`);
        continue;
      }
      const locked = lock.packages[`node_modules/${name}`]?.version;
      if (locked !== spec) problems.push(`${kind}.${name} is ${spec} but the lock file has ${locked ?? "nothing"}: run npm install`);
      const rootSpec = (root as Record<string, Deps | undefined>)[kind]?.[name];
      if ((kind === "dependencies" || kind === "devDependencies") && rootSpec !== spec)
        problems.push(`${kind}.${name} is ${spec} but the lock file's root records ${rootSpec ?? "nothing"}: run npm install`);
    }
  }
  const allow = pkg.allowScripts ?? {};
  for (const key of Object.keys(allow)) {
    const at = key.lastIndexOf("@");
    const version = at > 0 ? key.slice(at + 1) : "";
    if (at > 0 && !EXACT.test(version)) problems.push(`allowScripts "${key}" names a tag or range: approve a bare name or name@exact`);
  }
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!entry.hasInstallScript || path === "") continue;
    const name = path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
    const covered = name in allow || `${name}@${entry.version}` in allow;
    if (!covered) problems.push(`${name}@${entry.version} has an install script that allowScripts neither approves nor denies`);
  }
  return problems;
}

if (import.meta.main) {
  const repo = join(import.meta.dir, "..");
  const pkg = (await Bun.file(join(repo, "package.json")).json()) as PackageJson;
  const lock = (await Bun.file(join(repo, "package-lock.json")).json()) as LockFile;
  const problems = pinProblems(pkg, lock);
  for (const p of problems) console.error(`package.json: ${p}`);
  process.exit(problems.length ? 1 : 0);
}
