// The hooks-off MCP form dialog read off real screens of 2.1.330 and 2.1.337 (fixtures/record-elicitation.ts).
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseElicitationScreen } from "../../src/agents/claude/elicitation-screen.ts";

const screen = (v: string, name: string) =>
  readFileSync(join(import.meta.dir, "fixtures", `claude-${v}`, `elicit-${name}.screen.txt`), "utf8").split("\n");

for (const v of ["2.1.330", "2.1.337"]) {
  test(`${v}: the form's server, message and fields (kind from what is drawn)`, () => {
    const f = parseElicitationScreen(screen(v, "form"));
    expect(f?.server).toBe("elicit");
    expect(f?.message).toBe("Tell me about you");
    expect(f?.fields.map(({ title, kind, focused }) => ({ title, kind, focused }))).toEqual([
      { title: "Name", kind: "string", focused: true },
      { title: "Age", kind: "unset", focused: false },
      { title: "Subscribe", kind: "boolean", focused: false },
      { title: "Colour", kind: "unset", focused: false },
    ]);
    expect(f?.fields.filter((x) => x.required).map((x) => x.title)).toEqual(["Name", "Colour"]);
  });
  test(`${v}: the focus follows ↓; a focused number reads as text, a focused enum as unset`, () => {
    const d1 = parseElicitationScreen(screen(v, "down-1"));
    expect(d1?.fields.find((x) => x.focused)).toMatchObject({ title: "Age", kind: "string" });
    const d2 = parseElicitationScreen(screen(v, "down-2"));
    expect(d2?.fields.find((x) => x.focused)).toMatchObject({ title: "Colour", kind: "unset" });
  });
}

test("no dialog on screen: undefined", () => {
  expect(parseElicitationScreen(["❯ hello", "", "  ? for shortcuts"])).toBeUndefined();
});
