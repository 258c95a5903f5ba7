import type { ScreenDialog } from "../../protocol/dialog.ts";

/**
 * Claude Code's form dialog for an MCP elicitation (docs/agents/claude-code.md, both layouts):
 *   MCP server “<name>” requests your input
 *   <message>
 *   one row per field: 2.1.330 `❯ * Name: Type something…` / `✔ Subscribe: ☐`,
 *     2.1.337 `❯ Name*:      Type something…` / `Subscribe:  No`; deeper rows under a field are its
 *     description or a validation message, or, while an enum is expanded (`Colour: ▾`), its choices
 *     (`❯ ◯ Red`) with `↑ N more` / `↓ N more` where the list is cut
 *   Accept    Decline
 *   Esc to cancel · ↑/↓ to navigate · Backspace to unset
 */
export function elicitationOnScreen(lines: string[], server: string): boolean {
  const title = lines.findIndex((l) => /MCP server\s+["“]?(.+?)["”]?\s+requests your input/.test(l) && l.includes(server));
  return title >= 0 && lines.slice(title).some((l) => /Esc to cancel/.test(l));
}

/** One field row as drawn. `value` is null while unset (`not set`, or `Type something…` when focused). */
export type ScreenFormField = {
  title: string;
  required: boolean;
  focused: boolean;
  value: string | null;
  /** The rows under it: its description, a validation message (`Must be an integer between 1 and 150`). */
  notes: string[];
};

/** An expanded enum's list: the labels drawn, where the cursor is among them, how many are cut above and below. */
export type ScreenChoices = { labels: string[]; cursor: number; above: number; below: number };

export type ScreenForm = {
  server: string;
  message: string;
  /** The fields drawn (a tall form shows a window of them). */
  fields: ScreenFormField[];
  /** Which row has the focus: a field's index in `fields`, or the buttons. */
  focus: number | "accept" | "decline" | null;
  /** Fields cut off above the window (`↑ N more`). */
  above: number;
  choices: ScreenChoices | null;
  footer: string;
};

const HEAD = /MCP server\s+“(.+?)”\s+requests your input/;
const BUTTONS = /^\s*(❯\s*)?Accept\s+(❯\s*)?Decline\s*$/;
// 2.1.330: `  ❯ * Name: value` (mark at column 4, title at 6); 2.1.337: `  ❯ Name*:   value` (title at 4).
const ROW = /^ {2}(❯| ) (?:([*✔⚠ ]) )?(\S[^:]*?)(\*)?:(?:\s+(.*))?$/;
const MORE = /^\s*([↑↓]) (\d+) more\s*$/;
const CHOICE = /^\s*(❯)?\s*[◯◉●○]\s+(.+?)\s*$/;

/** Reads the form dialog off the screen (its rows, top to bottom), or undefined when none is there. */
export function parseElicitationScreen(lines: string[]): ScreenForm | undefined {
  const head = lines.findIndex((l) => HEAD.test(l));
  if (head < 0) return undefined;
  const end = lines.findIndex((l, i) => i > head && BUTTONS.test(l));
  const footer = lines.slice(end + 1).find((l) => /Esc to cancel/.test(l));
  if (end < 0 || !footer) return undefined;
  const buttons = BUTTONS.exec(lines[end]!)!;
  const form: ScreenForm = {
    server: HEAD.exec(lines[head]!)![1]!,
    message: "",
    fields: [],
    focus: buttons[1] ? "accept" : buttons[2] ? "decline" : null,
    above: 0,
    choices: null,
    footer: footer.trim(),
  };
  const message: string[] = [];
  let expanded = false;
  for (const line of lines.slice(head + 1, end)) {
    if (line.trim() === "") continue;
    const more = MORE.exec(line);
    const row = ROW.exec(line);
    if (row && !/^\s{8,}/.test(line.replace("❯", " "))) {
      const mark = row[2] ?? "";
      const value = (row[5] ?? "").trim();
      form.fields.push({
        title: row[3]!.trim(),
        required: row[4] === "*" || mark === "*" || mark === "⚠",
        focused: row[1] === "❯",
        value: /^(▸\s*)?not set$|^Type something…?$/.test(value) ? null : value.replace(/^▸\s*/, ""),
        notes: [],
      });
      if (row[1] === "❯") form.focus = form.fields.length - 1;
      expanded = value === "▾";
      if (expanded) form.choices = { labels: [], cursor: -1, above: 0, below: 0 };
      continue;
    }
    const field = form.fields.at(-1);
    if (!field) {
      if (more?.[1] === "↑") form.above = Number(more[2]);
      else message.push(line.trim());
      continue;
    }
    const choice = expanded ? CHOICE.exec(line) : null;
    if (expanded && form.choices && (choice || more)) {
      if (choice) {
        if (choice[1]) form.choices.cursor = form.choices.labels.length;
        form.choices.labels.push(choice[2]!);
      } else if (more![1] === "↑") form.choices.above = Number(more![2]);
      else form.choices.below = Number(more![2]);
      continue;
    }
    if (!more) field.notes.push(line.trim());
  }
  form.message = message.join(" ");
  return form;
}

/** A field's value as a boolean, where it is drawn as one (`☐` / `☒`, or `No` / `Yes`). */
export function booleanValue(value: string | null): boolean | null {
  if (value === "☒" || value === "Yes") return true;
  if (value === "☐" || value === "No") return false;
  return null;
}

/** What the footer offers for the focused field: a toggle (boolean), a list (enum), or text. */
export function focusedKind(form: ScreenForm): "boolean" | "enum" | "text" {
  if (/Space to toggle/.test(form.footer)) return "boolean";
  if (/→ to expand|Space to select/.test(form.footer)) return "enum";
  return "text";
}

/** The form as a dialog for the screen watcher: its identity is the server and the message (fields redraw as they are filled). */
export function parseFormDialog(lines: string[]): ScreenDialog | null {
  const form = parseElicitationScreen(lines);
  if (!form) return null;
  const first = lines.findIndex((l) => HEAD.test(l));
  const last = lines.findIndex((l, i) => i > first && /Esc to cancel/.test(l));
  return {
    agent: "claude",
    kind: "elicitation",
    title: form.server,
    header: [],
    body: [],
    question: form.message,
    options: [
      { key: "accept", label: "Accept" },
      { key: "decline", label: "Decline" },
      { key: "cancel", label: "Cancel" },
    ],
    footer: form.footer,
    ...(typeof form.focus === "string" ? { selected: form.focus } : {}),
    rows: { first, last },
  };
}
