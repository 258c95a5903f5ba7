/**
 * MCP elicitation: an MCP server asks the user to fill in a form (`elicitation/create`, form mode).
 * Claude Code 2.1.330 passes it to the Elicitation hook (docs/agents/claude-code.md); the wrapper
 * opens a prompt with tool `Elicitation` and input {server, message, requestedSchema, mode, tool?}.
 * The form here is the requestedSchema read into fields (MCP allows only flat primitive
 * properties: string, number, integer, boolean, and string enums).
 */
import { z } from "zod";

export const ELICITATION_TOOL = "Elicitation";

/** accept (with content) / decline / cancel: what the MCP server gets back. */
export const ElicitationAction = z.enum(["accept", "decline", "cancel"]);
export type ElicitationAction = z.infer<typeof ElicitationAction>;

/** The form's answers: field name → value. */
export const ElicitationContent = z.record(z.string().max(200), z.union([z.string().max(8000), z.number(), z.boolean()]));
export type ElicitationContent = z.infer<typeof ElicitationContent>;

/** One field of the form. `enum` fields have `choices` (value and its title). */
export const ElicitationField = z.object({
  name: z.string(),
  type: z.enum(["string", "number", "integer", "boolean", "enum"]),
  title: z.string(),
  description: z.string().nullable(),
  required: z.boolean(),
  default: z.union([z.string(), z.number(), z.boolean()]).nullable(),
  minLength: z.number().nullable(),
  maxLength: z.number().nullable(),
  /** email, uri, date, date-time (strings). */
  format: z.string().nullable(),
  minimum: z.number().nullable(),
  maximum: z.number().nullable(),
  choices: z.array(z.object({ value: z.string(), label: z.string() })),
});
export type ElicitationField = z.infer<typeof ElicitationField>;

export const ElicitationForm = z.object({
  server: z.string(),
  message: z.string(),
  fields: z.array(ElicitationField),
  /**
   * Set when any part of the requested schema is not shown here: a field of a type this form
   * cannot show, fields past the first 64, choices past the first 200, or a schema the wrapper had to cut to pass on
   * (input `clipped: true`), or a form read off the screen whose walk stopped (input `unreadable`).
   * It says what was left out; then only decline and cancel work.
   */
  unsupported: z.string().nullable(),
});
export type ElicitationForm = z.infer<typeof ElicitationForm>;

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown) => (typeof v === "string" ? v : null);
const MAX_FIELDS = 64;
const MAX_CHOICES = 200;

/** The form of an elicitation prompt (tool `Elicitation`), or null for any other prompt. */
export function formOf(tool: string, input: Record<string, unknown>): ElicitationForm | null {
  if (tool !== ELICITATION_TOOL) return null;
  const schema = (input.requestedSchema ?? {}) as Record<string, unknown>;
  const props = (schema && typeof schema.properties === "object" && schema.properties) || {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((x) => typeof x === "string") : []);
  const fields: ElicitationField[] = [];
  const entries = Object.entries(props as Record<string, unknown>);
  const dropped: string[] = [];
  for (const [name, raw] of entries.slice(0, MAX_FIELDS)) {
    const p = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
    const choices = choicesOf(p);
    const type = choices ? "enum" : p.type;
    const offered = choiceCount(p);
    if (offered > MAX_CHOICES)
      dropped.push(`field ${JSON.stringify(name).slice(0, 80)} has ${offered} choices and only ${MAX_CHOICES} can be shown here`);
    if (type !== "string" && type !== "number" && type !== "integer" && type !== "boolean" && type !== "enum") {
      dropped.push(`field ${JSON.stringify(name)} has type ${JSON.stringify(p.type ?? null)}`.slice(0, 200));
      continue;
    }
    const dflt = p.default;
    fields.push({
      name,
      type,
      title: str(p.title) ?? name,
      description: str(p.description),
      required: required.has(name),
      default: typeof dflt === "string" || typeof dflt === "boolean" || num(dflt) !== null ? (dflt as string | number | boolean) : null,
      minLength: num(p.minLength),
      maxLength: num(p.maxLength),
      format: str(p.format),
      minimum: num(p.minimum),
      maximum: num(p.maximum),
      choices: choices ?? [],
    });
  }
  if (entries.length > MAX_FIELDS) {
    const past = entries.slice(MAX_FIELDS).map(([name]) => JSON.stringify(name).slice(0, 80));
    const named = past.length > 5 ? `${past.slice(0, 5).join(", ")} and ${past.length - 5} more` : past.join(", ");
    dropped.push(`the form has ${entries.length} fields and only ${MAX_FIELDS} can be shown here (not shown: ${named})`);
  }
  if (input.clipped === true)
    dropped.push(
      entries.length === 0
        ? "the form was too large to pass on, so none of its fields can be shown here"
        : "the form was too large to pass on in full, so part of its schema was cut",
    );
  if (typeof input.unreadable === "string")
    dropped.push(`the form could not be read off the terminal's screen (${input.unreadable.slice(0, 200)})`);
  const unsupported = dropped.length
    ? (dropped.length > 3 ? [...dropped.slice(0, 3), `and ${dropped.length - 3} more`] : dropped).join("; ")
    : null;
  return { server: String(input.server ?? ""), message: String(input.message ?? ""), fields, unsupported };
}

/** How many choices a field offers (before any cut). */
function choiceCount(p: Record<string, unknown>): number {
  const list = Array.isArray(p.enum) ? p.enum : Array.isArray(p.oneOf) ? p.oneOf : Array.isArray(p.anyOf) ? p.anyOf : [];
  return list.length;
}

/** `enum` (+ `enumNames`) or `oneOf`/`anyOf` of `{const, title}`: the choices, else null. */
function choicesOf(p: Record<string, unknown>): { value: string; label: string }[] | null {
  if (Array.isArray(p.enum)) {
    const names = Array.isArray(p.enumNames) ? p.enumNames : [];
    return p.enum.slice(0, MAX_CHOICES).map((v, i) => ({ value: String(v), label: String(names[i] ?? v) }));
  }
  const list = Array.isArray(p.oneOf) ? p.oneOf : Array.isArray(p.anyOf) ? p.anyOf : null;
  if (!list || !list.every((x) => x && typeof x === "object" && "const" in x)) return null;
  return list
    .slice(0, MAX_CHOICES)
    .map((x: Record<string, unknown>) => ({ value: String(x.const), label: str(x.title) ?? String(x.const) }));
}
