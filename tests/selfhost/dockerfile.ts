/** A small Dockerfile reader for the deploy tests: instructions of the final stage, ENV, CMD. */
export type Instruction = { op: string; args: string };

export function parseDockerfile(text: string): Instruction[][] {
  const logical: string[] = [];
  let cur = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#")) continue; // comments, also inside a continued instruction
    if (line.endsWith("\\")) {
      cur += line.slice(0, -1) + " ";
      continue;
    }
    cur += line;
    if (cur.trim()) logical.push(cur.trim());
    cur = "";
  }
  const stages: Instruction[][] = [];
  for (const l of logical) {
    const m = /^(\w+)\s+(.*)$/s.exec(l);
    if (!m) throw new Error(`unparsable Dockerfile line: ${l}`);
    const ins = { op: m[1].toUpperCase(), args: m[2].trim() };
    if (ins.op === "FROM") stages.push([]);
    stages.at(-1)!.push(ins);
  }
  return stages;
}

/** `ENV a=b c=d` (and the legacy `ENV a b`) of a stage, in order. */
export function envOf(stage: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of stage.filter((i) => i.op === "ENV")) {
    if (!i.args.includes("=")) {
      const [k, ...v] = i.args.split(/\s+/);
      env[k] = v.join(" ");
      continue;
    }
    for (const m of i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g))
      env[m[1]] = m[2].startsWith('"') ? JSON.parse(m[2]) : m[2];
  }
  return env;
}

/** The exec-form (JSON array) argument of CMD / HEALTHCHECK ... CMD. */
export function execForm(args: string): string[] {
  const at = args.indexOf("[");
  if (at < 0) throw new Error(`not exec form: ${args}`);
  const v = JSON.parse(args.slice(at));
  if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) throw new Error(`not an array of strings: ${args}`);
  return v;
}

export function last(stage: Instruction[], op: string): Instruction | undefined {
  return stage.filter((i) => i.op === op).at(-1);
}
