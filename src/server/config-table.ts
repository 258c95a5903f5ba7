/** The README's server configuration table, generated from CONFIG_VARS so the two cannot drift. */
import { CONFIG_VARS } from "./config.ts";

export const TABLE_START = "<!-- config-table:start -->";
export const TABLE_END = "<!-- config-table:end -->";

const cell = (s: string) => s.replaceAll("|", "\\|");

export function configTable(): string {
  const rows = CONFIG_VARS.map(
    (v) => `| \`${v.name}\` | ${v.default === "" ? "_(empty)_" : `\`${cell(v.default)}\``} | ${cell(v.meaning)} |`,
  );
  return ["| variable | default | meaning |", "|---|---|---|", ...rows].join("\n");
}

/** The README with the text between the markers replaced by the current table. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md needs the markers ${TABLE_START} and ${TABLE_END}`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${configTable()}\n${readme.slice(end)}`;
}
