/**
 * Claude Code's form dialog for an MCP elicitation, as 2.1.330 draws it:
 *   MCP server “<name>” requests your input
 *   <message> … the fields … Accept    Decline
 *   Esc to cancel · ↑/↓ to navigate · Backspace to unset
 */
export function elicitationOnScreen(lines: string[], server: string): boolean {
  const title = lines.findIndex((l) => /MCP server\s+["“]?(.+?)["”]?\s+requests your input/.test(l) && l.includes(server));
  return title >= 0 && lines.slice(title).some((l) => /Esc to cancel/.test(l));
}
