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

/** One field row of the form as the screen draws it; `unset` is a number or an enum (not told apart unfocused). */
export type ScreenFormField = { title: string; required: boolean; kind: "string" | "boolean" | "unset"; focused: boolean };
export type ScreenForm = { server: string; message: string; fields: ScreenFormField[] };

// 2.1.330: `❯ * Name: Type something…` / `✔ Subscribe: ☐`; 2.1.337: `❯ Name*:      Type something…` / `Subscribe:  No`.
const ROW = /^\s*(❯)?\s*(?:[*✔⚠]\s+)?([^:]+?)(\*)?:\s+(.*)$/;

/**
 * Reads the form dialog (both layouts, see docs/agents/claude-code.md) off the screen, or undefined
 * when none is there. A field set to a value (typed text) reads as `string`.
 */
export function parseElicitationScreen(lines: string[]): ScreenForm | undefined {
  const head = lines.findIndex((l) => /MCP server\s+“(.+?)”\s+requests your input/.test(l));
  if (head < 0) return undefined;
  const server = /“(.+?)”/.exec(lines[head] ?? "")?.[1] ?? "";
  const end = lines.findIndex((l, i) => i > head && /^\s*(❯\s*)?Accept\s+Decline\s*$/.test(l));
  if (end < 0 || !lines.slice(end).some((l) => /Esc to cancel/.test(l))) return undefined;
  const body = lines.slice(head + 1, end).filter((l) => l.trim() !== "");
  const message = body.shift()?.trim() ?? "";
  const fields: ScreenFormField[] = [];
  for (const l of body) {
    const m = ROW.exec(l);
    if (!m || /^\s{8,}/.test(l.replace(/^\s*❯/, ""))) continue; // descriptions / "This field is required" sit deeper
    const raw = l.trim();
    const value = (m[4] ?? "").trim();
    const kind = /^(☐|☒|No|Yes)$/.test(value) ? "boolean" : /^(▸\s*)?not set$/.test(value) ? "unset" : "string";
    const required = m[3] === "*" || /^(❯\s*)?[*⚠]\s/.test(raw);
    fields.push({ title: (m[2] ?? "").trim(), required, kind, focused: m[1] === "❯" });
  }
  return { server, message, fields };
}
