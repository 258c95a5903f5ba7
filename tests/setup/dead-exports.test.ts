// No exported value of src/ goes unused by every other file (scripts/dead-exports.ts).
import { expect, test } from "bun:test";
import { deadExports, repoFiles } from "../../scripts/dead-exports.ts";
import { REPO } from "../support/server.ts";

test("every exported value of src/ is used by another file", () => {
  expect(deadExports(repoFiles(REPO))).toEqual([]);
});

test("an export nobody imports is found; one imported elsewhere, a type or a protocol schema is not", () => {
  const files = {
    "src/server/a.ts": "export const usedElsewhere = 1;\nexport function onlyHere() {}\nexport type Shape = {};\nonlyHere();",
    "src/server/b.ts": 'import { usedElsewhere } from "./a.ts";',
    "src/protocol/c.ts": "export const SomeFrame = 1;",
  };
  expect(deadExports(files)).toEqual([{ file: "src/server/a.ts", name: "onlyHere" }]);
});
