/**
 * Codex's own session log (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl`) → TranscriptEntries,
 * for the figures. Format as codex-rs writes it (protocol.rs: `RolloutLine {timestamp, type,
 * payload}`, `EventMsg` tagged by `type` in snake_case): `turn_context` carries the model;
 * `event_msg` `token_count` carries `info.last_token_usage` (this response) and
 * `info.total_token_usage` (the session so far; `info` null = not known yet); `user_message`
 * starts a turn; `turn_complete` (older: `task_complete`) ends it, with `duration_ms` where known.
 * OpenAI's `input_tokens` include the cached ones (`cached_input_tokens`), and `output_tokens`
 * include the reasoning ones: stored as input = uncached, cacheRead = cached, output = output.
 * Untrusted like any transcript: odd shapes are skipped, never thrown.
 */
import { createHash } from "node:crypto";
import { TRANSCRIPT_TEXT_MAX, type TranscriptEntry, TranscriptEntry as EntrySchema } from "../../protocol/transcript.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0);
const digest = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 32);

/** A reader for one rollout file: it remembers the model of the latest `turn_context`. */
export function codexReader(): (line: unknown) => TranscriptEntry | null {
  let model: string | null = null;
  return (line) => {
    if (!isObj(line) || !isObj(line.payload)) return null;
    const p = line.payload;
    if (line.type === "turn_context") {
      if (typeof p.model === "string" && p.model) model = p.model.slice(0, 128);
      return null;
    }
    if (line.type !== "event_msg") return null;
    const stamp = typeof line.timestamp === "string" ? line.timestamp : "";
    const at = Date.parse(stamp) || 0;
    const base = {
      at,
      agentId: null,
      messageId: null,
      model: null,
      usage: null,
      costUsd: null,
      durationMs: null,
      linesAdded: 0,
      linesRemoved: 0,
      blocks: [],
    };
    let entry: TranscriptEntry | null = null;
    if (p.type === "token_count" && isObj(p.info) && isObj(p.info.last_token_usage) && isObj(p.info.total_token_usage)) {
      const last = p.info.last_token_usage;
      const total = p.info.total_token_usage;
      // Codex repeats a token_count (e.g. when only its rate limits changed): the running total names the response, so a repeat is stored once
      const uuid = `codex-t-${num(total.total_tokens)}-${num(total.input_tokens)}-${num(total.output_tokens)}`;
      const cached = num(last.cached_input_tokens);
      entry = {
        ...base,
        uuid,
        kind: "assistant",
        messageId: uuid,
        model,
        usage: {
          input: Math.max(0, num(last.input_tokens) - cached),
          output: num(last.output_tokens),
          cacheRead: cached,
          cacheWrite: 0,
          cacheWrite1h: 0,
        },
      };
    } else if (p.type === "user_message" && typeof p.message === "string") {
      const text = p.message.length > TRANSCRIPT_TEXT_MAX ? `${p.message.slice(0, TRANSCRIPT_TEXT_MAX)}…` : p.message;
      entry = { ...base, uuid: `codex-u-${digest(`${stamp}\n${p.message}`)}`, kind: "user", blocks: [{ type: "text", text }] };
    } else if (p.type === "turn_complete" || p.type === "task_complete") {
      const id = typeof p.turn_id === "string" ? p.turn_id : stamp;
      entry = { ...base, uuid: `codex-e-${digest(id)}`, kind: "turn_end", durationMs: num(p.duration_ms) };
    }
    return entry && EntrySchema.safeParse(entry).success ? entry : null;
  };
}
