/**
 * Prints the server configuration table (from src/server/config.ts CONFIG_VARS).
 * `--write` puts it into README.md between the config-table markers; `--check` exits 1 if README.md is stale.
 */
import { join } from "node:path";
import { configTable, withConfigTable } from "../src/server/config-table.ts";

const readmePath = join(import.meta.dir, "..", "README.md");
const mode = process.argv[2];
if (mode === "--write" || mode === "--check") {
  const readme = await Bun.file(readmePath).text();
  const updated = withConfigTable(readme);
  if (mode === "--check") {
    if (updated !== readme) {
      console.error("README.md configuration table is stale: run `bun scripts/config-table.ts --write`");
      process.exit(1);
    }
  } else if (updated !== readme) {
    await Bun.write(readmePath, updated);
    console.log("README.md configuration table updated");
  }
} else {
  console.log(configTable());
}
