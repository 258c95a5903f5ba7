// `--mcp-config` for the test MCP server (tests/support/mcp-elicit.ts): what it receives goes to `out`.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUN } from "./server.ts";
import { waitFor } from "./wait.ts";

export const ELICIT_SERVER = "elicit";
export const ELICIT_TOOL = `mcp__${ELICIT_SERVER}__ask`;

/** The form the tests ask for: one field of each kind. */
export const FORM_SCHEMA = {
  type: "object",
  properties: {
    name: { type: "string", title: "Name", description: "Your name", minLength: 2, maxLength: 20 },
    age: { type: "integer", title: "Age", minimum: 1, maximum: 150 },
    subscribe: { type: "boolean", title: "Subscribe", default: false },
    colour: { type: "string", title: "Colour", enum: ["red", "green"], enumNames: ["Red", "Green"] },
  },
  required: ["name", "colour"],
};

/** Writes the config into `dir`; returns claude's args for it (the tool allowed, so no permission prompt comes first). */
export function elicitMcpArgs(dir: string, out: string): string[] {
  const file = join(dir, "mcp-elicit.json");
  const server = { type: "stdio", command: BUN, args: [join(import.meta.dir, "mcp-elicit.ts")], env: { MCP_ELICIT_OUT: out } };
  writeFileSync(file, JSON.stringify({ mcpServers: { [ELICIT_SERVER]: server } }));
  return ["--mcp-config", file, "--allowedTools", ELICIT_TOOL];
}

/** What the test MCP server received for the elicitation with this message (from its `out` file). */
export function mcpReceived(out: string, message: string, what: () => string = () => ""): Promise<any> {
  return waitFor(
    () => {
      if (!existsSync(out)) return undefined;
      const lines = readFileSync(out, "utf8").trim().split("\n").filter(Boolean);
      return lines.map((l) => JSON.parse(l)).find((l) => l.message === message)?.result;
    },
    { timeoutMs: 20_000, what: () => `the MCP server's answer to "${message}"${what()}` },
  );
}
