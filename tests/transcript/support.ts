/** Helpers for the transcript tests: the session's transcript file, figures from the fake's answers. */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import priceTable from "../../src/server/usage/prices.json" with { type: "json" };
import type { FakeResponse } from "../support/fake-anthropic.ts";
import type { Env } from "../prompts/support.ts";
import { post } from "../prompts/support.ts";

/** Approves every pending prompt of the server until stopped (these tests are about the transcript). */
export function approveAll(env: Env): () => void {
  let busy = false;
  const t = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const list = (await (await env.server.api("/api/prompts?status=pending")).json()) as { id: string }[];
      for (const p of list) await post(env, `/api/prompts/${p.id}/approve`);
    } catch {}
    busy = false;
  }, 200);
  return () => clearInterval(t);
}

/** The main transcript file Claude Code writes for a session in this HOME. */
export function transcriptFiles(home: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith(".jsonl") && !p.includes("/subagents/")) out.push(p);
    }
  };
  walk(join(home, ".claude", "projects"));
  return out;
}

export type Sums = { input: number; output: number; cacheRead: number; cacheWrite: number; responses: number };

export function sums(rs: FakeResponse[]): Sums {
  const s = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, responses: rs.length };
  for (const r of rs) {
    s.input += r.usage.input_tokens;
    s.output += r.usage.output_tokens;
    s.cacheRead += r.usage.cache_read_input_tokens;
    s.cacheWrite += r.usage.cache_creation_input_tokens;
  }
  return s;
}

/** What the price table says these responses cost (all 5-minute cache writes, as the fake reports none of 1 h). */
export function expectedCost(model: keyof typeof priceTable.models, s: Sums): number {
  const p = priceTable.models[model];
  return (s.input * p.input + s.output * p.output + s.cacheRead * p.cacheRead + s.cacheWrite * p.cacheWrite5m) / 1e6;
}
