/**
 * `claude-remote login-link`: prints a new one-time login link (and its QR code) for the server
 * whose data dir this is, e.g. to log in another phone. It writes the ticket's hash straight into
 * the database (safe while the server runs: WAL), and only into a database at this version's
 * schema: it never migrates a database a running server of another version has open. The link's
 * address comes from PUBLIC_URL, else the running server's own address (server.json in the data
 * dir), else HOST and PORT.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { AuditStore } from "../../store/audit.ts";
import { CredentialStore } from "../../store/credentials.ts";
import { openExisting, schemaVersion } from "../../store/db.ts";
import { SCHEMA_VERSION } from "../../store/migrations.ts";
import { issueLoginTicket } from "../http/auth.ts";
import { DB_FILE } from "./backup.ts";
import { printLoginBanner } from "./banner.ts";
import { runningServerUrl } from "./server-info.ts";
import { ConfigError, listenUrl, loadConfig, type ServerConfig } from "../config.ts";

export async function loginLinkCommand(env: Record<string, string | undefined> = process.env): Promise<number> {
  let config: ServerConfig;
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
  const db = openExisting(dbPath);
  try {
    const version = schemaVersion(db);
    if (version !== SCHEMA_VERSION) {
      console.error(
        `claude-remote: the database is at schema v${version} and this claude-remote expects v${SCHEMA_VERSION}: run the server's own version (after an upgrade, restart the server first)`,
      );
      return 1;
    }
    const { ticket, expiresAt } = issueLoginTicket(new CredentialStore(db));
    new AuditStore(db).append({ actor: "cli:login-link", ip: null, userAgent: null, action: "login_link.create", detail: { expiresAt } });
    await printLoginBanner(baseUrl(config, env), ticket);
    return 0;
  } finally {
    db.close();
  }
}

/** PUBLIC_URL; else where the running server listens (server.json) unless PORT/HOST say otherwise; else HOST and PORT. */
function baseUrl(config: ServerConfig, env: Record<string, string | undefined>): string {
  if (config.publicUrl) return config.publicUrl;
  const running = env.PORT || env.HOST ? null : runningServerUrl(config.dataDir);
  if (running) return running;
  return listenUrl(config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host, config.port);
}
