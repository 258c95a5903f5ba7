/** Token and cost counters for /metrics, summed from the stored transcripts at scrape time. */
import type { Store } from "../../store/index.ts";
import { tableCost } from "./figures.ts";

type Sample = { labels?: Record<string, string>; value: number };
type Family = { name: string; help: string; type: "counter"; samples: Sample[] };

export function usageFamilies(store: Store): Family[] {
  const tokens: Sample[] = [];
  const cost: Sample[] = [];
  const unknown: Sample[] = [];
  for (const r of store.transcript.tokensByModel()) {
    const model = r.model ?? "unknown";
    for (const [kind, value] of [
      ["input", r.input],
      ["output", r.output],
      ["cache_read", r.cache_read],
      ["cache_write", r.cache_write],
    ] as const)
      tokens.push({ labels: { model, kind }, value });
    // Claude Code's own figures where it wrote them, the price table for the rest
    const priced = tableCost({
      model: r.model,
      input: r.p_input,
      output: r.p_output,
      cacheRead: r.p_cache_read,
      cacheWrite: r.p_cache_write,
      cacheWrite1h: r.p_cache_write_1h,
      costUsd: null,
    });
    if (priced === null && r.p_responses > 0) unknown.push({ labels: { model }, value: r.p_responses });
    cost.push({ labels: { model }, value: (r.own_cost ?? 0) + (priced ?? 0) });
  }
  return [
    {
      name: "claude_remote_tokens_total",
      help: "Tokens the agents' transcripts record, by model and kind (input, output, cache_read, cache_write)",
      type: "counter",
      samples: tokens,
    },
    {
      name: "claude_remote_cost_usd_total",
      help: "Cost in US dollars by model: Claude Code's own figure where it writes one, else the price table (models it lacks are not counted: see claude_remote_unpriced_responses_total)",
      type: "counter",
      samples: cost,
    },
    {
      name: "claude_remote_unpriced_responses_total",
      help: "Responses of models the price table lacks and Claude Code gave no cost for",
      type: "counter",
      samples: unknown,
    },
  ];
}
