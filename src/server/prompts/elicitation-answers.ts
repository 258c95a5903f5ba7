/**
 * Answers to an MCP elicitation (an MCP server's form): accept with `content` checked against the
 * form's schema, decline, or cancel. A bad value is refused with a message naming what the field
 * allows, so the prompt stays pending and can be answered again.
 */
import { z } from "zod";
import type { DialogOption } from "../../protocol/dialog.ts";
import type { ElicitationContent, ElicitationField, ElicitationForm } from "../../protocol/elicitation.ts";
import type { Prompt } from "../../protocol/prompts.ts";
import { type Choice, OptionError } from "./prompt-answers.ts";

/** As the terminal's form offers them (Esc cancels there). */
export function elicitationOptions(): DialogOption[] {
  return [
    { key: "accept", label: "Accept" },
    { key: "decline", label: "Decline" },
    { key: "cancel", label: "Cancel" },
  ];
}

/** The choice an approve body makes: `content` accepts; `option` `decline` / `cancel` (or `accept` with content). */
export function elicitationChoice(
  p: Prompt,
  body: { option?: string; content?: Record<string, unknown>; answers?: unknown; text?: string },
): Choice {
  if (body.answers || body.text !== undefined)
    throw new OptionError("answers and text are for question prompts; an elicitation takes content");
  const option = body.option ?? "accept";
  if (option === "decline" || option === "cancel") {
    if (body.content) throw new OptionError(`${option} takes no content`);
    return { decision: "deny", option, elicitation: { action: option } };
  }
  if (option !== "accept") throw new OptionError(`no option ${JSON.stringify(option)}; options are accept (with content), decline, cancel`);
  const form = p.form;
  if (!form) throw new OptionError("this prompt has no form");
  if (form.unsupported) throw new OptionError(`this form cannot be filled from claude-remote (${form.unsupported}); decline or cancel`);
  // Never an empty accept by default (a notification's one-tap Approve sends no body).
  if (!body.content)
    throw new OptionError(`accept needs content: the form's answers (${describeFields(form)}); or option decline / cancel`);
  const content = checkContent(form, body.content);
  return { decision: "allow", option, elicitation: { action: "accept", content } };
}

/** The content, checked field by field; throws OptionError naming every problem and what is allowed. */
function checkContent(form: ElicitationForm, content: Record<string, unknown>): ElicitationContent {
  const problems: string[] = [];
  const names = new Set(form.fields.map((f) => f.name));
  for (const k of Object.keys(content)) {
    if (!names.has(k)) problems.push(`no field ${JSON.stringify(k)} (fields are ${[...names].join(", ") || "none"})`);
  }
  const out: ElicitationContent = {};
  for (const f of form.fields) {
    const v = content[f.name];
    if (v === undefined || v === null) {
      if (f.required) problems.push(`${JSON.stringify(f.name)} is required: ${allowed(f)}`);
      continue;
    }
    const r = fieldSchema(f).safeParse(v);
    if (!r.success) problems.push(`${JSON.stringify(f.name)}: ${allowed(f)}, got ${JSON.stringify(v).slice(0, 80)}`);
    else out[f.name] = r.data;
  }
  if (problems.length) throw new OptionError(`the form's answers do not fit its schema: ${problems.join("; ")}`);
  return out;
}

function describeFields(form: ElicitationForm): string {
  return form.fields.map((f) => `${f.name}${f.required ? " (required)" : ""}: ${allowed(f)}`).join("; ") || "no fields: {}";
}

function fieldSchema(f: ElicitationField): z.ZodType<string | number | boolean> {
  switch (f.type) {
    case "boolean":
      return z.boolean();
    case "enum":
      return z.string().refine((v) => f.choices.some((c) => c.value === v));
    case "number":
    case "integer": {
      let s = f.type === "integer" ? z.number().int() : z.number();
      if (f.minimum !== null) s = s.min(f.minimum);
      if (f.maximum !== null) s = s.max(f.maximum);
      return s;
    }
    case "string": {
      let s = z.string().max(8000);
      if (f.minLength !== null) s = s.min(f.minLength);
      if (f.maxLength !== null) s = s.max(f.maxLength);
      if (f.format === "email") s = s.email();
      else if (f.format === "uri") s = s.url();
      else if (f.format === "date") s = s.regex(/^\d{4}-\d{2}-\d{2}$/);
      else if (f.format === "date-time") s = s.datetime({ offset: true });
      return s;
    }
  }
}

/** What a field allows, in words: "an integer from 1 to 150", "one of "red" (Red), "green" (Green)". */
function allowed(f: ElicitationField): string {
  switch (f.type) {
    case "boolean":
      return "true or false";
    case "enum":
      return `one of ${f.choices.map((c) => (c.label === c.value ? JSON.stringify(c.value) : `${JSON.stringify(c.value)} (${c.label})`)).join(", ")}`;
    case "number":
    case "integer":
      return `${f.type === "integer" ? "an integer" : "a number"}${range(f.minimum, f.maximum)}`;
    case "string":
      return `a string${f.format ? ` (${f.format})` : ""}${lengths(f.minLength, f.maxLength)}`;
  }
}

function lengths(min: number | null, max: number | null): string {
  if (min !== null && max !== null) return ` of ${min} to ${max} characters`;
  if (min !== null) return ` of at least ${min} characters`;
  if (max !== null) return ` of at most ${max} characters`;
  return "";
}

function range(min: number | null, max: number | null): string {
  if (min !== null && max !== null) return ` from ${min} to ${max}`;
  if (min !== null) return ` of at least ${min}`;
  if (max !== null) return ` of at most ${max}`;
  return "";
}
