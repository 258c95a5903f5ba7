/**
 * `claude-remote login-link`: prints a new one-time login link (and its QR code) for the server
 * whose data dir this is, e.g. to log in another phone. It writes the ticket's hash straight into
 * the database, so it works while the server runs (and with it stopped).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Store } from "../store/index.ts";
import { issueLoginTicket } from "./auth.ts";
import { DB_FILE } from "./backup.ts";
import { printLoginBanner } from "./banner.ts";
import { ConfigError, loadConfig } from "./config.ts";

export async function loginLinkCommand(env: Record<string, string | undefined> = process.env): Promise<number> {
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(`claude-remote: ${e.message}`);
    return 2;
  }
  const dbPath = join(config.dataDir, DB_FILE);
  if (!existsSync(dbPath)) {
    console.error(`claude-remote: no database at ${dbPath}: start the server first (or set CLAUDE_REMOTE_DATA_DIR)`);
    return 1;
  }
  const store = Store.open(dbPath);
  try {
    const { ticket } = issueLoginTicket(store);
    const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
    await printLoginBanner(config.publicUrl || `http://${host}:${config.port}`, ticket);
    if (!config.publicUrl) console.log("(set PUBLIC_URL to the address your phone uses, and the link will carry it)");
    return 0;
  } finally {
    store.close();
  }
}
