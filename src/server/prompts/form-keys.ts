/**
 * An MCP form dialog driven with keys (a session without hooks, docs/agents/claude-code.md): read
 * field by field by walking the focus over it, and filled the same way. Every key waits for the
 * screen to show what it did before the next is sent, so a dropped key stops the answer instead of
 * typing into the wrong field.
 */
import type { ElicitationAction, ElicitationContent, ElicitationForm } from "../../protocol/elicitation.ts";
import { type ScreenForm, booleanValue, focusedKind, parseElicitationScreen } from "../../agents/claude/elicitation-screen.ts";

/** The session's screen and keyboard, as the prompt service reaches them. */
export type FormIO = { lines(): Promise<string[] | null>; press(keys: string): void };

/** A field as the walk found it, in the form's order. */
export type WalkedField = {
  /** The title as drawn; a title drawn twice is named `Title (2)` in the prompt's schema. */
  name: string;
  title: string;
  required: boolean;
  type: "string" | "number" | "integer" | "boolean" | "enum";
  description: string | null;
  choices: string[];
  minimum: number | null;
  maximum: number | null;
};

export type WalkResult = { fields: WalkedField[]; error: string | null };

const UP = "\x1b[A";
const DOWN = "\x1b[B";
const RIGHT = "\x1b[C";
const LEFT = "\x1b[D";
const BACKSPACE = "\x7f";
/** How long one key may take to show on the screen before it is pressed again (moves) or the walk stops. */
const KEY_WAIT_MS = 3000;
/** Before Enter on a button: the form has redrawn after the last field. */
const SETTLE_MS = 300;
const SUBMIT_PRESSES = 3;
/** A form longer than this, or a list longer than this, is not walked to its end. */
const MAX_ROWS = 64;
const MAX_CHOICES = 200;
/** The message under a number field when text is typed into it (2.1.330 and 2.1.337). */
const NUMBER_NOTE = /^Must be an? (number|integer)\b(.*)$/;

class Stop extends Error {}

/** The form's rows one after another: the position of the focus counts the rows cut off above. */
const position = (f: ScreenForm) => (typeof f.focus === "number" ? f.above + f.focus : f.focus);
const focused = (f: ScreenForm) => (typeof f.focus === "number" ? f.fields[f.focus]! : null);

function driver(io: FormIO) {
  const read = async () => {
    const lines = await io.lines();
    return lines ? parseElicitationScreen(lines) : undefined;
  };
  /** Waits for `ok` on the screen; throws Stop (with `what`) when the form left or `ok` did not come. */
  const until = async (what: string, ok: (f: ScreenForm) => boolean, ms = KEY_WAIT_MS): Promise<ScreenForm> => {
    for (const deadline = Date.now() + ms; ; await Bun.sleep(50)) {
      const f = await read();
      if (!f) throw new Stop("the form left the screen");
      if (ok(f)) return f;
      if (Date.now() > deadline) throw new Stop(what);
    }
  };
  /** A key whose effect the screen shows (a move, a toggle), pressed once. */
  const step = async (key: string, what: string, ok: (f: ScreenForm) => boolean): Promise<ScreenForm> => {
    // pressed once: a key pressed again after a slow screen could be applied twice
    io.press(key);
    return until(what, ok);
  };
  /** Moves the focus to row `to` (a field's position, or the buttons). */
  const focusRow = async (to: number | "accept", f: ScreenForm): Promise<ScreenForm> => {
    for (let moves = 0; position(f) !== to; moves++) {
      const at = position(f);
      if (at === null || moves > MAX_ROWS) throw new Stop(`field ${to} could not be focused`);
      const up = at === "accept" || at === "decline" || (to !== "accept" && at > to);
      f = await step(up ? UP : DOWN, `the focus did not move ${up ? "up" : "down"}`, (x) => position(x) !== at);
    }
    return f;
  };
  return { read, until, step, focusRow };
}

/**
 * Reads every field: from the top, each focused in turn (the footer tells a boolean from an enum
 * from text); an enum is expanded to read its choices (↓ through a cut list) and closed with ←; a
 * text field gets one `x` and a Backspace, which shows a number's rule (`Must be an integer
 * between 1 and 150`). The focus is put back on the row it was on. What was read up to a failure
 * is returned with the reason.
 */
export async function walkForm(io: FormIO): Promise<WalkResult> {
  const d = driver(io);
  const fields: WalkedField[] = [];
  try {
    let f = await d.until("the form did not show", () => true);
    const home = position(f);
    f = await d.focusRow(0, f);
    while (typeof f.focus === "number") {
      if (fields.length >= MAX_ROWS) throw new Stop(`the form has more than ${MAX_ROWS} fields`);
      const row = focused(f)!;
      const at = position(f);
      const field: WalkedField = {
        name: row.title,
        title: row.title,
        required: row.required,
        type: "string",
        description: row.notes[0] ?? null,
        choices: [],
        minimum: null,
        maximum: null,
      };
      const kind = focusedKind(f);
      if (kind === "boolean") field.type = "boolean";
      else if (kind === "enum") {
        field.type = "enum";
        field.choices = await readChoices(d);
        f = await d.step(LEFT, "the list did not close", (x) => x.choices === null);
      } else {
        f = await readNumberRule(io, d, field, row.value);
      }
      fields.push(field);
      f = await d.step(DOWN, "the focus did not move down", (x) => position(x) !== at);
    }
    if (home !== null && home !== "decline") await d.focusRow(home, f);
    return { fields: named(fields), error: null };
  } catch (e) {
    if (e instanceof Stop) return { fields: named(fields), error: e.message };
    throw e;
  }
}

async function readChoices(d: ReturnType<typeof driver>): Promise<string[]> {
  let f = await d.step(RIGHT, "the list did not open", (x) => x.choices !== null && x.choices.labels.length > 0);
  const c = f.choices!;
  const total = c.above + c.labels.length + c.below;
  if (total > MAX_CHOICES) throw new Stop(`a list has ${total} choices and only ${MAX_CHOICES} can be read`);
  const labels = c.labels.slice(0, total);
  let at = c.above + c.cursor;
  while (labels.length < total) {
    const from = at;
    f = await d.step(DOWN, "the list's cursor did not move", (x) => !!x.choices && x.choices.above + x.choices.cursor !== from);
    const now = f.choices!;
    at = now.above + now.cursor;
    if (at === labels.length) labels.push(now.labels[now.cursor]!);
    else if (at > labels.length) throw new Stop("the list skipped a choice");
  }
  return labels;
}

async function readNumberRule(io: FormIO, d: ReturnType<typeof driver>, field: WalkedField, before: string | null): Promise<ScreenForm> {
  const title = field.title;
  const row = (f: ScreenForm) => f.fields.find((x) => x.title === title && x.focused);
  io.press("x");
  const typed = await d.until("a typed character did not show", (f) => !!row(f)?.value?.endsWith("x"));
  const rule = (row(typed)?.notes ?? []).map((n) => NUMBER_NOTE.exec(n)).find((m) => m);
  if (rule) {
    field.type = rule[1] === "integer" ? "integer" : "number";
    const between = /between (-?[\d.]+) and (-?[\d.]+)/.exec(rule[2] ?? "");
    const least = /at least (-?[\d.]+)/.exec(rule[2] ?? "");
    const most = /at most (-?[\d.]+)/.exec(rule[2] ?? "");
    field.minimum = between ? Number(between[1]) : least ? Number(least[1]) : null;
    field.maximum = between ? Number(between[2]) : most ? Number(most[1]) : null;
  }
  io.press(BACKSPACE);
  return d.until("the typed character was not erased", (f) => row(f)?.value === before);
}

/**
 * Answers the form: accept fills each field given in `content` (in `fields`' order; text erased
 * and typed, a box toggled, a choice picked from the list) and presses Accept; decline presses
 * Decline; cancel is Esc. Resolves to null once the last key was sent, or to why it stopped.
 * `alive` is asked before every key (false: stop, someone else answered).
 */
export async function answerForm(
  io: FormIO,
  fields: WalkedField[],
  answer: { action: ElicitationAction; content?: ElicitationContent },
  alive: () => boolean,
): Promise<string | null> {
  const guarded: FormIO = {
    lines: () => io.lines(),
    press: (k) => {
      if (!alive()) throw new Stop("the answer is no longer waiting");
      io.press(k);
    },
  };
  const d = driver(guarded);
  try {
    if (answer.action === "cancel") {
      guarded.press("\x1b");
      return null;
    }
    let f = await d.until("the form did not show", () => true);
    if (answer.action === "accept") {
      for (const [i, field] of fields.entries()) {
        const value = answer.content?.[field.name];
        if (value !== undefined) f = await fill(guarded, d, await d.focusRow(i, f), field, value);
      }
    }
    f = await d.focusRow("accept", f);
    const button = answer.action === "decline" ? "decline" : "accept";
    if (button === "decline") await d.step(RIGHT, "Decline was not focused", (x) => x.focus === "decline");
    // an Enter right after the focus arrived was seen dropped: pressed again while the form stays with the button focused
    await Bun.sleep(SETTLE_MS);
    for (let presses = 0; presses < SUBMIT_PRESSES; presses++) {
      guarded.press("\r");
      const left = await d
        .until("", (x) => x.focus !== button)
        .then(
          () => false,
          (e) => e instanceof Stop && e.message === "the form left the screen",
        );
      if (left || (await d.read())?.focus !== button) return null;
    }
    return null;
  } catch (e) {
    if (e instanceof Stop) return e.message;
    throw e;
  }
}

async function fill(
  io: FormIO,
  d: ReturnType<typeof driver>,
  f: ScreenForm,
  field: WalkedField,
  value: string | number | boolean,
): Promise<ScreenForm> {
  const row = (x: ScreenForm) => focused(x) ?? undefined;
  const current = row(f)?.value ?? null;
  if (field.type === "boolean") {
    if (booleanValue(current) === value) return f;
    return d.step(" ", `${field.title} was not toggled`, (x) => booleanValue(row(x)?.value ?? null) === value);
  }
  if (field.type === "enum") {
    if (current === value) return f;
    const want = field.choices.indexOf(String(value));
    if (want < 0) throw new Stop(`${field.title} has no choice ${JSON.stringify(value)}`);
    f = await d.step(RIGHT, "the list did not open", (x) => !!x.choices && x.choices.labels.length > 0);
    for (let moves = 0; ; moves++) {
      const c = f.choices!;
      const at = c.above + c.cursor;
      if (at === want) break;
      if (moves > field.choices.length) throw new Stop(`${field.title}'s choice could not be reached`);
      f = await d.step(
        at > want ? UP : DOWN,
        "the list's cursor did not move",
        (x) => !!x.choices && x.choices.above + x.choices.cursor !== at,
      );
    }
    if (f.choices!.labels[f.choices!.cursor] !== value) throw new Stop(`${field.title}'s list does not show ${JSON.stringify(value)}`);
    io.press("\r");
    const title = field.title;
    return d.until(
      `${title} did not take the choice`,
      (x) => x.choices === null && x.fields.some((r) => r.title === title && r.value === value),
    );
  }
  const text = String(value);
  if (current === text) return f;
  if (current) {
    io.press(BACKSPACE.repeat(current.length));
    f = await d.until(`${field.title} was not cleared`, (x) => row(x)?.value === null);
  }
  if (text === "") return f;
  io.press(text);
  f = await d.until(`${field.title} did not show the typed text`, (x) => shows(row(x)?.value ?? null, text));
  const refused = row(f)?.notes.find((n) => NUMBER_NOTE.test(n));
  if (refused) throw new Stop(`the terminal refused ${field.title}: ${refused}`);
  return f;
}

/** A long value is cut or wrapped in its row: its start showing is enough. */
function shows(drawn: string | null, text: string): boolean {
  if (drawn === null) return false;
  const flat = text.replace(/\s+/g, " ");
  const seen = drawn.replace(/…$/, "");
  return seen === flat || (seen.length >= Math.min(flat.length, 20) && flat.startsWith(seen));
}

function named(fields: WalkedField[]): WalkedField[] {
  const seen = new Map<string, number>();
  return fields.map((f) => {
    const n = (seen.get(f.title) ?? 0) + 1;
    seen.set(f.title, n);
    return n === 1 ? f : { ...f, name: `${f.title} (${n})` };
  });
}

/** The walked form as the `requestedSchema` of the prompt's input (what `formOf` reads for the phone). */
export function schemaOf(fields: WalkedField[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const f of fields) {
    properties[f.name] = {
      type: f.type === "enum" ? "string" : f.type,
      title: f.title,
      ...(f.description ? { description: f.description } : {}),
      ...(f.type === "enum" ? { enum: f.choices } : {}),
      ...(f.minimum !== null ? { minimum: f.minimum } : {}),
      ...(f.maximum !== null ? { maximum: f.maximum } : {}),
    };
  }
  return { type: "object", properties, required: fields.filter((f) => f.required).map((f) => f.name) };
}

/** The prompt's form back as the fields to fill (names, titles, order and choices as walked). */
export function fieldsOf(form: ElicitationForm): WalkedField[] {
  return form.fields.map((f) => ({
    name: f.name,
    title: f.title,
    required: f.required,
    type: f.type,
    description: f.description,
    choices: f.choices.map((c) => c.value),
    minimum: f.minimum,
    maximum: f.maximum,
  }));
}
