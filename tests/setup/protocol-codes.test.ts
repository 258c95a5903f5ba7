// docs/PROTOCOL.md lists the wire vocabulary from src/protocol, so the doc cannot drift from the code.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { DOC, renderCodes, withCodes } from "../../scripts/protocol-codes.ts";
import { DEVICE_ERROR_CODES, DeviceClose } from "../../src/protocol/codes.ts";
import { EventSchemas } from "../../src/protocol/events.ts";

const doc = readFileSync(DOC, "utf8");

test("PROTOCOL.md's codes section is the one rendered from src/protocol/codes.ts", () => {
  expect(withCodes(doc)).toBe(doc);
});

test("the rendered section names every error code and close code", () => {
  const rendered = renderCodes();
  for (const code of Object.keys(DEVICE_ERROR_CODES)) expect(rendered).toContain(`| \`${code}\` |`);
  for (const [name, n] of Object.entries(DeviceClose)) expect(rendered).toContain(`| ${n} (\`${name}\`) |`);
});

test("a doc whose section lost a row is found stale", () => {
  const stale = doc.replace(/^\| `held` \|.*\n/m, "");
  expect(stale).not.toBe(doc);
  expect(withCodes(stale)).not.toBe(stale);
});

test("PROTOCOL.md describes every server → viewer event of EventMap", () => {
  const missing = Object.keys(EventSchemas).filter((name) => !doc.includes(`\`${name} `) && !doc.includes(`\`${name}\``));
  expect(missing).toEqual([]);
});
