/** The cards' line diff (public/js/diff.js, plain ESM run here as it is in the browser). */
import { expect, test } from "bun:test";
// @ts-ignore: plain JS module of the dashboard
import { lineDiff } from "../../public/js/diff.js";

test("a Write of 'new file\\n' is one added line, not a second empty '+ '", () => {
  expect(lineDiff("", "new file\n")).toEqual([{ op: "+", text: "new file" }]);
  expect(lineDiff("", "a\nb\n")).toEqual([
    { op: "+", text: "a" },
    { op: "+", text: "b" },
  ]);
  expect(lineDiff("", "a\n\n")).toEqual([
    { op: "+", text: "a" },
    { op: "+", text: "" },
  ]); // a real blank line stays
  expect(lineDiff("x\ny\n", "x\nz\n")).toEqual([
    { op: " ", text: "x" },
    { op: "-", text: "y" },
    { op: "+", text: "z" },
  ]);
});
