// A small stdio MCP server for tests: plain JSON-RPC 2.0, one message per line, no SDK.
//
// It offers one tool, `ask` ({message, schema}). A call sends the client an `elicitation/create`
// request (form mode) with that message and `schema` as the requestedSchema, waits for the
// answer, appends it as one JSON line ({message, result}) to the file named by MCP_ELICIT_OUT, and
// returns it to the model as the tool result's text: `elicitation result: <json>`.
import { appendFileSync } from "node:fs";

const out = process.env.MCP_ELICIT_OUT;
let nextId = 1;
const waiting = new Map<number, (msg: any) => void>();

function send(msg: unknown): void {
  process.stdout.write(`${JSON.stringify(msg)}\n`);
}

function request(method: string, params: unknown): Promise<any> {
  const id = nextId++;
  send({ jsonrpc: "2.0", id, method, params });
  return new Promise((resolve) => waiting.set(id, resolve));
}

const TOOL = {
  name: "ask",
  description: "Asks the user to fill in a form and returns what they answered.",
  inputSchema: {
    type: "object",
    properties: { message: { type: "string" }, schema: { type: "object" } },
    required: ["message", "schema"],
  },
};

async function handle(msg: any): Promise<void> {
  if (msg.method === undefined && msg.id !== undefined) {
    const done = waiting.get(msg.id);
    waiting.delete(msg.id);
    done?.(msg);
    return;
  }
  const reply = (result: unknown) => send({ jsonrpc: "2.0", id: msg.id, result });
  switch (msg.method) {
    case "initialize":
      return reply({
        protocolVersion: msg.params?.protocolVersion ?? "2025-06-18",
        capabilities: { tools: {} },
        serverInfo: { name: "mcp-elicit", version: "1.0.0" },
      });
    case "tools/list":
      return reply({ tools: [TOOL] });
    case "tools/call": {
      const args = msg.params?.arguments ?? {};
      const answer = await request("elicitation/create", { mode: "form", message: String(args.message), requestedSchema: args.schema });
      const result = answer.error ? { error: answer.error } : answer.result;
      if (out) appendFileSync(out, `${JSON.stringify({ message: args.message, result })}\n`);
      return reply({ content: [{ type: "text", text: `elicitation result: ${JSON.stringify(result)}` }] });
    }
    case "ping":
      return reply({});
    default:
      if (msg.id !== undefined) send({ jsonrpc: "2.0", id: msg.id, error: { code: -32601, message: `no method ${msg.method}` } });
  }
}

let buf = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  buf += chunk;
  for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
    const line = buf.slice(0, nl).trim();
    buf = buf.slice(nl + 1);
    if (!line) continue;
    try {
      void handle(JSON.parse(line));
    } catch {}
  }
});
