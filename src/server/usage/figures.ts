/**
 * Usage figures, computed from stored transcript entries (never stored themselves): tokens per
 * response (a response written as several lines counted once), cost from Claude Code's own figure
 * where it wrote one, else from prices.json, else unknown. Turns, active and wall time, lines.
 */
import type { SessionUsage, UsageFigures } from "../../protocol/transcript.ts";
import type { FigureRow } from "../../store/transcript.ts";
import PRICES from "./prices.json" with { type: "json" };

type Price = { input: number; cacheWrite5m: number; cacheWrite1h: number; cacheRead: number; output: number };
const MODELS = PRICES.models as Record<string, Price>;
const PRICE_SOURCE = { date: PRICES.date, source: PRICES.source };

/** The price of a model: an exact key, or a key followed by a date (`-20250929`). Nothing else. */
export function priceOf(model: string | null): Price | null {
  if (!model) return null;
  const exact = MODELS[model];
  if (exact) return exact;
  const m = /^(.*)-\d{8}$/.exec(model);
  return m ? (MODELS[m[1]!] ?? null) : null;
}

export type Response = {
  model: string | null;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cacheWrite1h: number;
  costUsd: number | null;
};

export function emptyFigures(): UsageFigures {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, responses: 0, costUsd: 0, costSource: "none", unknownModels: [] };
}

/** Dollars for one response from the price table, or null for a model it lacks. */
export function tableCost(r: Response): number | null {
  const p = priceOf(r.model);
  if (!p) return null;
  const w5 = r.cacheWrite - r.cacheWrite1h;
  return (
    (r.input * p.input + r.output * p.output + r.cacheRead * p.cacheRead + w5 * p.cacheWrite5m + r.cacheWrite1h * p.cacheWrite1h) / 1e6
  );
}

/** Adds one response to a running total (in place). */
export function addResponse(f: UsageFigures, r: Response): void {
  f.input += r.input;
  f.output += r.output;
  f.cacheRead += r.cacheRead;
  f.cacheWrite += r.cacheWrite;
  f.responses++;
  const own = r.costUsd;
  const cost = own ?? tableCost(r);
  const source = own !== null ? "claude" : cost !== null ? "price-table" : "unknown";
  if (cost === null) {
    f.costUsd = null;
    const name = r.model ?? "(no model)";
    if (!f.unknownModels.includes(name)) f.unknownModels.push(name);
  } else if (f.costUsd !== null) f.costUsd = round(f.costUsd + cost);
  f.costSource =
    f.costSource === "none" || f.costSource === source ? source : f.costSource === "unknown" || source === "unknown" ? "unknown" : "mixed";
}

export function mergeFigures(a: UsageFigures, b: UsageFigures): UsageFigures {
  const out = { ...a, unknownModels: [...new Set([...a.unknownModels, ...b.unknownModels])] };
  out.input += b.input;
  out.output += b.output;
  out.cacheRead += b.cacheRead;
  out.cacheWrite += b.cacheWrite;
  out.responses += b.responses;
  out.costUsd = a.costUsd === null || b.costUsd === null ? null : round(a.costUsd + b.costUsd);
  out.costSource =
    a.costSource === "none"
      ? b.costSource
      : b.costSource === "none" || a.costSource === b.costSource
        ? a.costSource
        : a.costSource === "unknown" || b.costSource === "unknown"
          ? "unknown"
          : "mixed";
  return out;
}

const round = (x: number) => Math.round(x * 1e9) / 1e9;

/** Responses among entry rows: one per message id (the max of its lines' figures, as Claude Code repeats them). */
function responsesOf(rows: FigureRow[]): Map<string, Response & { sub: boolean; firstId: number }> {
  const out = new Map<string, Response & { sub: boolean; firstId: number }>();
  for (const r of rows) {
    if (r.kind !== "assistant") continue;
    const key = r.message_id ?? `row-${r.id}`;
    const prev = out.get(key);
    const next = {
      model: r.model,
      input: r.input_tokens,
      output: r.output_tokens,
      cacheRead: r.cache_read_tokens,
      cacheWrite: r.cache_write_tokens,
      cacheWrite1h: r.cache_write_1h_tokens,
      costUsd: r.cost_usd,
      sub: r.agent_id !== null,
      firstId: r.id,
    };
    if (!prev) out.set(key, next);
    else {
      prev.input = Math.max(prev.input, next.input);
      prev.output = Math.max(prev.output, next.output);
      prev.cacheRead = Math.max(prev.cacheRead, next.cacheRead);
      prev.cacheWrite = Math.max(prev.cacheWrite, next.cacheWrite);
      prev.cacheWrite1h = Math.max(prev.cacheWrite1h, next.cacheWrite1h);
      prev.costUsd = next.costUsd ?? prev.costUsd;
    }
  }
  return out;
}

/** The whole usage of one session: main agent and subagents apart, per turn, times, lines. */
export function sessionUsage(
  sessionId: string,
  rows: FigureRow[],
  partial: string[],
  hasTranscript: boolean,
  wallMs: number,
): SessionUsage {
  const main = emptyFigures();
  const subagents = emptyFigures();
  const models = new Set<string>();
  type Turn = SessionUsage["perTurn"][number];
  const turns: Turn[] = [];
  const turnOfRow = new Map<number, Turn>();
  const turnOfAgent = new Map<string, Turn>();
  let activeMs = 0;
  let linesAdded = 0;
  let linesRemoved = 0;
  for (const r of rows) {
    if (r.kind === "user" && r.agent_id === null) {
      const t: Turn = {
        turn: turns.length + 1,
        startedAt: r.at,
        prompt: r.prompt ?? "",
        usage: emptyFigures(),
        subagents: emptyFigures(),
        activeMs: 0,
        linesAdded: 0,
        linesRemoved: 0,
      };
      turns.push(t);
    }
    const current = turns.at(-1);
    // a subagent runs in the background past its turn: its work counts in the turn that started it
    if (current && r.agent_id !== null && !turnOfAgent.has(r.agent_id)) turnOfAgent.set(r.agent_id, current);
    const owner = r.agent_id !== null ? turnOfAgent.get(r.agent_id) : current;
    if (owner && r.kind === "assistant") turnOfRow.set(r.id, owner);
    if (r.kind === "turn_end" && r.agent_id === null) {
      activeMs += r.duration_ms ?? 0;
      if (current) current.activeMs += r.duration_ms ?? 0;
    }
    linesAdded += r.lines_added;
    linesRemoved += r.lines_removed;
    if (current) {
      current.linesAdded += r.lines_added;
      current.linesRemoved += r.lines_removed;
    }
  }
  for (const resp of responsesOf(rows).values()) {
    if (resp.model) models.add(resp.model);
    addResponse(resp.sub ? subagents : main, resp);
    const turn = turnOfRow.get(resp.firstId);
    if (turn) addResponse(resp.sub ? turn.subagents : turn.usage, resp);
  }
  return {
    sessionId,
    transcript: hasTranscript,
    models: [...models],
    main,
    subagents,
    total: mergeFigures(main, subagents),
    turns: turns.length,
    activeMs,
    wallMs,
    linesAdded,
    linesRemoved,
    partial,
    perTurn: turns,
    prices: PRICE_SOURCE,
  };
}
