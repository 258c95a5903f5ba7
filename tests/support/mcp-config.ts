// `--mcp-config` for the test MCP server (tests/support/mcp-elicit.ts): what it receives goes to `out`.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUN } from "./server.ts";

export const ELICIT_SERVER = "elicit";
export const ELICIT_TOOL = `mcp__${ELICIT_SERVER}__ask`;

/** Writes the config into `dir`; returns claude's args for it (the tool allowed, so no permission prompt comes first). */
export function elicitMcpArgs(dir: string, out: string): string[] {
  const file = join(dir, "mcp-elicit.json");
  const server = { type: "stdio", command: BUN, args: [join(import.meta.dir, "mcp-elicit.ts")], env: { MCP_ELICIT_OUT: out } };
  writeFileSync(file, JSON.stringify({ mcpServers: { [ELICIT_SERVER]: server } }));
  return ["--mcp-config", file, "--allowedTools", ELICIT_TOOL];
}
