// A fake Anthropic Messages API for running the real Claude Code offline.
//
// POST /v1/messages answers (streaming SSE, or JSON when `stream` is false):
//  - for a request with tools whose scenario (found from the user's text `scenario <key>`, or any
//    scenario key contained in it) still has a step to play: that step's tool_use block(s);
//  - otherwise a plain text reply ("Done.").
// A scenario is either one list of tool uses (played once, in one assistant message) or a list of
// steps (each step one assistant message; the next step is played after the tool results come back).
// POST /v1/messages/count_tokens answers {input_tokens}. GET/HEAD anywhere answer 200 so probes do
// not hang. Every parsed POST /v1/messages body is kept in `requests`, and what was answered (the
// message id, model, text and `usage`) in `responses`. Each response has its own known usage
// (`usageFor(n)`, n = 1, 2, …; override with `opts.usage`), so tests can check sums.
// A scenario step may be text instead of tool uses: `{ text: "..." }` (the model's answer).

/** `input` may be computed from the request (e.g. the plan file path Claude Code names in plan mode). */
export type ToolUse = { name: string; input: Record<string, unknown> | ((body: any) => Record<string, unknown>) };
export type TextStep = { text: string };
export type Scenario = ToolUse[] | (ToolUse[] | TextStep)[];
export type FakeUsage = {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
};
/** `scenario`: the scenario key the request was answered from (undefined: the default "Done."). */
export type FakeResponse = { id: string; model: string; tools: number; text: string; usage: FakeUsage; scenario?: string };

/** The default usage of the n-th response (1-based): distinct numbers, so a sum shows what was counted. */
export function usageFor(n: number): FakeUsage {
  return { input_tokens: 100 + n, output_tokens: 10 + n, cache_creation_input_tokens: 50 + 2 * n, cache_read_input_tokens: 1000 + 7 * n };
}

export type FakeAnthropic = {
  url: string;
  apiKey: string;
  /** every parsed POST /v1/messages body, in arrival order (side calls included) */
  requests: any[];
  /** what each POST /v1/messages was answered with, in order */
  responses: FakeResponse[];
  /** paths that were not /v1/messages(/count_tokens), for debugging */
  unknown: string[];
  stop(): Promise<void>;
};

export const DEFAULT_SCENARIOS: Record<string, Scenario> = {
  "bash-echo": [{ name: "Bash", input: { command: "echo hello > out.txt", description: "Write hello to out.txt" } }],
  "two-bash": [
    { name: "Bash", input: { command: "echo one > one.txt", description: "Write one to one.txt" } },
    { name: "Bash", input: { command: "echo two > two.txt", description: "Write two to two.txt" } },
  ],
  "write-new-file": [{ name: "Write", input: { file_path: "new.txt", content: "new file\n" } }],
  "git-push": [{ name: "Bash", input: { command: "git push origin main", description: "Push to origin" } }],
};

type Msg = { role: string; content: string | any[] };

function textOf(m: Msg): string {
  if (typeof m.content === "string") return m.content;
  return m.content
    .filter((b) => b && b.type === "text" && typeof b.text === "string")
    .map((b) => b.text as string)
    .join("\n");
}

function hasToolResult(m: Msg | undefined): boolean {
  return !!m && Array.isArray(m.content) && m.content.some((b) => b && b.type === "tool_result");
}

type Step = ToolUse[] | TextStep;
function stepsOf(s: Scenario): Step[] {
  if (s.length === 0) return [];
  return Array.isArray(s[0]) || "text" in (s[0] as object) ? (s as Step[]) : [s as ToolUse[]];
}

/** Finds the scenario for the conversation and how many of its steps were already played. */
export function pickScenario(
  messages: Msg[],
  scenarios: Record<string, Scenario>,
): { key: string; steps: Step[]; played: number } | undefined {
  // The user's prompt: the last user message with text of its own (not only tool results).
  let promptIdx = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== "user") continue;
    const t = textOf(m);
    if (/\bscenario\s+\S+/.test(t) || (!hasToolResult(m) && t.trim() !== "")) {
      promptIdx = i;
      break;
    }
  }
  if (promptIdx < 0) return undefined;
  const text = textOf(messages[promptIdx]!);
  const keys = Object.keys(scenarios).sort((a, b) => b.length - a.length);
  let key: string | undefined;
  const m = /\bscenario\s+([\w.-]+)/.exec(text);
  if (m && scenarios[m[1]!]) key = m[1]!;
  else key = keys.find((k) => text.includes(k));
  if (!key) return undefined;
  const played = messages.slice(promptIdx + 1).filter((x) => x.role === "assistant").length;
  return { key, steps: stepsOf(scenarios[key]!), played };
}

let idCounter = 0;
const nextId = (p: string) => `${p}_fake${Date.now().toString(36)}${(++idCounter).toString(36)}`;

type Block = { type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: any };

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function streamBody(id: string, model: string, blocks: Block[], stopReason: string, usage: FakeUsage): string {
  let out = sse("message_start", {
    type: "message_start",
    message: {
      id,
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 1 },
    },
  });
  blocks.forEach((b, index) => {
    if (b.type === "text") {
      out += sse("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } });
      out += sse("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: b.text } });
    } else {
      out += sse("content_block_start", {
        type: "content_block_start",
        index,
        content_block: { type: "tool_use", id: b.id, name: b.name, input: {} },
      });
      const json = JSON.stringify(b.input);
      // split the JSON in two deltas, like the real API streams it in pieces
      const cut = Math.floor(json.length / 2);
      for (const part of [json.slice(0, cut), json.slice(cut)]) {
        out += sse("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: part } });
      }
    }
    out += sse("content_block_stop", { type: "content_block_stop", index });
  });
  out += sse("message_delta", {
    type: "message_delta",
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  out += sse("message_stop", { type: "message_stop" });
  return out;
}

function jsonBody(id: string, model: string, blocks: Block[], stopReason: string, usage: FakeUsage) {
  return {
    id,
    type: "message",
    role: "assistant",
    model,
    content: blocks,
    stop_reason: stopReason,
    stop_sequence: null,
    usage,
  };
}

/** The plan file Claude Code asks the model to write in plan mode (named in the request's system prompt or messages). */
export function planFilePath(body: any): string {
  const m = /create your plan at (\S+\.md)|plan file (?:exists )?at (\S+\.md)/.exec(JSON.stringify(body));
  const path = m?.[1] ?? m?.[2];
  if (!path) throw new Error("fake-anthropic: no plan file path in the request");
  return path;
}

/** What the fake model says for one request. */
export function replyFor(body: any, scenarios: Record<string, Scenario>): { blocks: Block[]; stopReason: string; scenario?: string } {
  const messages: Msg[] = Array.isArray(body?.messages) ? body.messages : [];
  const hasTools = Array.isArray(body?.tools) && body.tools.length > 0;
  if (hasTools) {
    const pick = pickScenario(messages, scenarios);
    if (pick && pick.played < pick.steps.length) {
      const step = pick.steps[pick.played]!;
      if (!Array.isArray(step)) return { blocks: [{ type: "text", text: step.text }], stopReason: "end_turn", scenario: pick.key };
      return {
        scenario: pick.key,
        blocks: step.map((t) => ({
          type: "tool_use" as const,
          id: nextId("toolu"),
          name: t.name,
          input: typeof t.input === "function" ? t.input(body) : t.input,
        })),
        stopReason: "tool_use",
      };
    }
    return { blocks: [{ type: "text", text: "Done." }], stopReason: "end_turn", scenario: pick?.key };
  }
  // Side calls (title / summary generation on a small model). Some ask for JSON; answer JSON-ish
  // when the system prompt mentions it, which Claude Code tolerates either way.
  const system = JSON.stringify(body?.system ?? "");
  if (/json/i.test(system) && /title/i.test(system)) {
    return { blocks: [{ type: "text", text: '{"title": "Fake session"}' }], stopReason: "end_turn" };
  }
  return { blocks: [{ type: "text", text: "Done." }], stopReason: "end_turn" };
}

export async function startFakeAnthropic(
  opts: { scenarios?: Record<string, Scenario>; apiKey?: string; log?: (msg: string) => void; usage?: (n: number) => FakeUsage } = {},
): Promise<FakeAnthropic> {
  const scenarios = { ...DEFAULT_SCENARIOS, ...(opts.scenarios ?? {}) };
  const apiKey = opts.apiKey ?? "sk-ant-fake-" + crypto.randomUUID().replace(/-/g, "");
  const requests: any[] = [];
  const responses: FakeResponse[] = [];
  const usageOf = opts.usage ?? usageFor;
  const unknown: string[] = [];
  const log = opts.log ?? ((m: string) => process.env.FAKE_ANTHROPIC_DEBUG && console.error(m));

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const path = url.pathname.replace(/\/+$/, "");
      if (req.method === "POST" && path === "/v1/messages") {
        let body: any;
        try {
          body = await req.json();
        } catch {
          return Response.json({ type: "error", error: { type: "invalid_request_error", message: "bad json" } }, { status: 400 });
        }
        requests.push(body);
        const model = typeof body?.model === "string" ? body.model : "claude-fake";
        const { blocks, stopReason, scenario } = replyFor(body, scenarios);
        log(
          `[fake-anthropic] #${requests.length} model=${model} tools=${body?.tools?.length ?? 0} stream=${!!body?.stream} -> ${blocks.map((b) => (b.type === "tool_use" ? `tool_use:${b.name}` : "text")).join(",")}`,
        );
        const id = nextId("msg");
        const usage = usageOf(responses.length + 1);
        responses.push({
          id,
          model,
          tools: body?.tools?.length ?? 0,
          text: blocks.map((b) => (b.type === "text" ? b.text : "")).join(""),
          usage,
          scenario,
        });
        if (body?.stream) {
          return new Response(streamBody(id, model, blocks, stopReason, usage), {
            headers: { "content-type": "text/event-stream", "cache-control": "no-cache", "request-id": nextId("req") },
          });
        }
        return Response.json(jsonBody(id, model, blocks, stopReason, usage), { headers: { "request-id": nextId("req") } });
      }
      if (req.method === "POST" && path === "/v1/messages/count_tokens") {
        let n = 100;
        try {
          n = Math.max(1, Math.ceil(JSON.stringify(await req.json()).length / 4));
        } catch {}
        return Response.json({ input_tokens: n });
      }
      unknown.push(`${req.method} ${url.pathname}${url.search}`);
      log(`[fake-anthropic] unknown ${req.method} ${url.pathname}${url.search}`);
      if (req.method === "HEAD") return new Response(null, { status: 200 });
      if (req.method === "GET") return Response.json({});
      if (req.method === "POST") return Response.json({});
      return new Response(null, { status: 200 });
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    apiKey,
    requests,
    responses,
    unknown,
    async stop() {
      await server.stop(true);
    },
  };
}
