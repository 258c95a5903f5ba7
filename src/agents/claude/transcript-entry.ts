/**
 * One line of Claude Code's transcript (verified on 2.1.330) → a TranscriptEntry, or null for the
 * many bookkeeping lines (attachments, api-request blobs, snapshots, modes) the conversation and
 * the figures do not need. Everything here is untrusted: unknown shapes are skipped, never thrown.
 */
import {
  type EntryBlock,
  TRANSCRIPT_TEXT_MAX,
  type TranscriptEntry,
  TranscriptEntry as EntrySchema,
  type Usage,
} from "../../protocol/transcript.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown, max = 128): string | null => (typeof v === "string" && v.length > 0 ? v.slice(0, max) : null);
const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0);

function clipText(s: string, max = TRANSCRIPT_TEXT_MAX): string {
  return s.length > max ? `${s.slice(0, max)}… [${s.length - max} more characters]` : s;
}

/** Tool inputs keep their shape with long strings cut (a Write's whole file). */
function clipInput(v: unknown, depth = 0): unknown {
  if (typeof v === "string") return clipText(v, 4096);
  if (depth > 4) return "…";
  if (Array.isArray(v)) return v.slice(0, 50).map((x) => clipInput(x, depth + 1));
  if (isObj(v))
    return Object.fromEntries(
      Object.entries(v)
        .slice(0, 50)
        .map(([k, x]) => [k.slice(0, 100), clipInput(x, depth + 1)]),
    );
  return v;
}

function resultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content
      .map((b) => (isObj(b) && typeof b.text === "string" ? b.text : isObj(b) && b.type === "image" ? "[image]" : ""))
      .join("\n");
  return "";
}

function usageOf(u: unknown): Usage | null {
  if (!isObj(u)) return null;
  const cacheWrite = num(u.cache_creation_input_tokens);
  const split = isObj(u.cache_creation) ? num(u.cache_creation.ephemeral_1h_input_tokens) : 0;
  return {
    input: num(u.input_tokens),
    output: num(u.output_tokens),
    cacheRead: num(u.cache_read_input_tokens),
    cacheWrite,
    cacheWrite1h: Math.min(split, cacheWrite),
  };
}

type Patch = NonNullable<Extract<EntryBlock, { type: "tool_result" }>["patch"]>;

/** The file change in a tool's `toolUseResult` (Edit/MultiEdit: structuredPatch; Write of a new file: its content). */
function patchOf(r: unknown): Patch | null {
  if (!isObj(r)) return null;
  const file = str(r.filePath, 4096);
  if (!file) return null;
  const hunks: Patch["hunks"] = [];
  if (Array.isArray(r.structuredPatch)) {
    for (const h of r.structuredPatch.slice(0, 200)) {
      if (!isObj(h) || !Array.isArray(h.lines)) continue;
      hunks.push({
        oldStart: num(h.oldStart),
        newStart: num(h.newStart),
        lines: h.lines
          .slice(0, 2000)
          .filter((l): l is string => typeof l === "string")
          .map((l) => clipText(l, 2000)),
      });
    }
  }
  const create = r.type === "create";
  if (create && hunks.length === 0 && typeof r.content === "string") {
    const lines = r.content.split("\n");
    if (lines.at(-1) === "") lines.pop();
    hunks.push({ oldStart: 0, newStart: 1, lines: lines.slice(0, 2000).map((l) => `+${clipText(l, 2000)}`) });
  }
  return { file, create, hunks };
}

function countLines(p: Patch | null): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const h of p?.hunks ?? []) for (const l of h.lines) l.startsWith("+") ? added++ : l.startsWith("-") ? removed++ : 0;
  return { added, removed };
}

function blocksOf(content: unknown, toolUseResult: unknown): { blocks: EntryBlock[]; added: number; removed: number } {
  if (typeof content === "string") return { blocks: [{ type: "text", text: clipText(content) }], added: 0, removed: 0 };
  const blocks: EntryBlock[] = [];
  let added = 0;
  let removed = 0;
  if (!Array.isArray(content)) return { blocks, added, removed };
  for (const b of content.slice(0, 64)) {
    if (!isObj(b)) continue;
    if (b.type === "text" && typeof b.text === "string") blocks.push({ type: "text", text: clipText(b.text) });
    else if (b.type === "thinking" && typeof b.thinking === "string" && b.thinking)
      blocks.push({ type: "thinking", text: clipText(b.thinking) });
    else if (b.type === "tool_use")
      blocks.push({
        type: "tool_use",
        id: str(b.id) ?? "",
        name: str(b.name, 256) ?? "?",
        input: (isObj(b.input) ? clipInput(b.input) : {}) as Record<string, unknown>,
      });
    else if (b.type === "tool_result") {
      const patch = patchOf(toolUseResult);
      const lines = countLines(patch);
      added += lines.added;
      removed += lines.removed;
      const agentId = isObj(toolUseResult) ? str(toolUseResult.agentId, 64) : null;
      blocks.push({
        type: "tool_result",
        toolUseId: str(b.tool_use_id) ?? "",
        text: clipText(resultText(b.content)),
        isError: b.is_error === true,
        ...(patch ? { patch } : {}),
        ...(agentId ? { agentId } : {}),
      });
    }
  }
  return { blocks, added, removed };
}

/** The entry for one parsed transcript line, or null when the line is not part of the conversation. */
export function entryOf(line: unknown): TranscriptEntry | null {
  if (!isObj(line)) return null;
  const uuid = str(line.uuid, 64);
  if (!uuid) return null;
  const at = Date.parse(typeof line.timestamp === "string" ? line.timestamp : "") || 0;
  const agentId = line.isSidechain === true ? (str(line.agentId, 64) ?? "subagent") : null;
  const base = {
    uuid,
    at,
    agentId,
    messageId: null,
    model: null,
    usage: null,
    costUsd: null,
    durationMs: null,
    linesAdded: 0,
    linesRemoved: 0,
  };
  let entry: TranscriptEntry | null = null;
  if (line.type === "system" && line.subtype === "turn_duration") {
    entry = { ...base, kind: "turn_end", durationMs: num(line.durationMs), blocks: [] };
  } else if ((line.type === "user" || line.type === "assistant") && isObj(line.message)) {
    if (line.isMeta === true) return null;
    const m = line.message;
    const { blocks, added, removed } = blocksOf(m.content, line.toolUseResult);
    if (blocks.length === 0) return null;
    if (line.type === "assistant") {
      const cost = typeof line.costUSD === "number" && Number.isFinite(line.costUSD) && line.costUSD >= 0 ? line.costUSD : null;
      entry = { ...base, kind: "assistant", messageId: str(m.id), model: str(m.model), usage: usageOf(m.usage), costUsd: cost, blocks };
    } else {
      const kind = blocks.some((b) => b.type === "tool_result") ? "tool_result" : "user";
      entry = { ...base, kind, linesAdded: added, linesRemoved: removed, blocks };
    }
  }
  if (!entry) return null;
  // what leaves the wrapper must pass the frame's own schema; anything odd is dropped here, not at the server
  return EntrySchema.safeParse(entry).success ? entry : null;
}
