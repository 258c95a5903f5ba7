// The hooks-off MCP form dialog read off real screens of 2.1.330 and 2.1.337 (fixtures/record-elicitation.ts).
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { booleanValue, focusedKind, parseElicitationScreen, parseFormDialog } from "../../src/agents/claude/elicitation-screen.ts";
import { detectDialog, sameDialog } from "../../src/agents/screen-dialogs.ts";

const screen = (v: string, name: string) =>
  readFileSync(join(import.meta.dir, "fixtures", `claude-${v}`, `elicit-${name}.screen.txt`), "utf8").split("\n");

for (const v of ["2.1.330", "2.1.337"]) {
  test(`${v}: the form's server, message and fields as drawn`, () => {
    const f = parseElicitationScreen(screen(v, "form"));
    expect(f?.server).toBe("elicit");
    expect(f?.message).toBe("Tell me about you");
    expect(f?.fields.map(({ title, value, focused }) => ({ title, value, focused }))).toEqual([
      { title: "Name", value: null, focused: true },
      { title: "Age", value: null, focused: false },
      { title: "Subscribe", value: v === "2.1.330" ? "☐" : "No", focused: false },
      { title: "Colour", value: null, focused: false },
    ]);
    expect(f?.fields.filter((x) => x.required).map((x) => x.title)).toEqual(["Name", "Colour"]);
    expect(f?.fields[0]?.notes).toEqual(["Your name"]);
    expect(f?.focus).toBe(0);
    expect(booleanValue(f!.fields[2]!.value)).toBe(false);
    expect(focusedKind(f!)).toBe("text");
  });
  test(`${v}: typed text, the focus following ↓ to a field and to Accept, an enum's footer`, () => {
    expect(parseElicitationScreen(screen(v, "typed"))?.fields[0]?.value).toBe("Bob");
    expect(parseElicitationScreen(screen(v, "down-1"))?.focus).toBe(1);
    const d2 = parseElicitationScreen(screen(v, "down-2"))!;
    expect(d2.fields[d2.focus as number]?.title).toBe("Colour");
    expect(focusedKind(d2)).toBe("enum");
    expect(parseElicitationScreen(screen(v, "down-3"))?.focus).toBe("accept");
    // Enter on Accept with a required field unset: back on that field, which says so
    const back = parseElicitationScreen(screen(v, "enum-enter"))!;
    expect(back.fields[back.focus as number]).toMatchObject({ title: "Colour", required: true, notes: ["This field is required"] });
  });
  test(`${v}: the form is a dialog whose identity is its server and message, not its values or focus`, () => {
    const a = parseFormDialog(screen(v, "form"));
    expect(a).toMatchObject({ kind: "elicitation", title: "elicit", question: "Tell me about you" });
    expect(detectDialog(screen(v, "form"))?.kind).toBe("elicitation");
    for (const s of ["typed", "down-1", "down-3", "enum-enter"]) expect(sameDialog(a, parseFormDialog(screen(v, s)))).toBe(true);
  });
}

// Real screens (2.1.330 and 2.1.337, hooks off) of an expanded enum, one cut to a window of the list.
const EXPANDED_330 = `  MCP server “elicit” requests your input

  Tell me about you

    * Name: not set
        Your name
      Age: not set
    ✔ Subscribe: ☐
  ❯ * Colour: ▾
          ◯ Red
        ❯ ◯ Green

    Accept    Decline

  Esc to cancel · ↑/↓ to navigate · Backspace to unset · Space to select`;
const EXPANDED_337_CUT = `  MCP server “elicit” requests your input

  Tell me about you

    ↑ 2 more
  ❯ Colour:     ▾
                  ◯ c1
                ❯ ◯ c2
                  ◯ c3
                    ↓ 12 more

    Accept  ❯ Decline

  Esc to cancel · ↑/↓ to navigate · Backspace to unset · Space to select`;
const ERROR_337 = `  MCP server “elicit” requests your input
  Tell me about you
    Name*:      not set
                Your name
  ❯ Age:        x
                Must be an integer between 1 and 150
    Subscribe:  No
    Colour*:    not set
    Accept    Decline
  Esc to cancel · ↑/↓ to navigate · Backspace to unset`;

test("an expanded list: its labels and cursor; cut lists and a form cut above count what is hidden", () => {
  const f = parseElicitationScreen(EXPANDED_330.split("\n"))!;
  expect(f.choices).toEqual({ labels: ["Red", "Green"], cursor: 1, above: 0, below: 0 });
  expect(f.fields.map((x) => x.title)).toEqual(["Name", "Age", "Subscribe", "Colour"]);
  expect(focusedKind(f)).toBe("enum");
  const cut = parseElicitationScreen(EXPANDED_337_CUT.split("\n"))!;
  expect(cut.above).toBe(2);
  expect(cut.focus).toBe(0);
  expect(cut.fields[0]?.title).toBe("Colour");
  expect(cut.choices).toEqual({ labels: ["c1", "c2", "c3"], cursor: 1, above: 0, below: 12 });
  expect(cut.focus).toBe(0);
});

test("a number field's rule shows under it once text is typed", () => {
  const f = parseElicitationScreen(ERROR_337.split("\n"))!;
  expect(f.fields[1]).toMatchObject({ title: "Age", value: "x", focused: true, notes: ["Must be an integer between 1 and 150"] });
});

test("no dialog on screen: undefined", () => {
  expect(parseElicitationScreen(["❯ hello", "", "  ? for shortcuts"])).toBeUndefined();
  expect(parseFormDialog(["  MCP server “x” requests your input", "  msg", "    A: not set"])).toBeNull();
});
