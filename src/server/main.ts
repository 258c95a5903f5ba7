/** `npm start` / `claude-remote serve`: the server with its embedded defaults. */
import { startServer } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { printLoginBanner, restartBanner } from "./ops/banner.ts";
import { removeServerInfo, writeServerInfo } from "./ops/server-info.ts";

export async function serve(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`claude-remote: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const running = await startServer(config);
  running.app.log.info("listening", { url: running.url, dataDir: config.dataDir });
  writeServerInfo(config.dataDir, running.url);
  const base = config.publicUrl || running.url;
  if (running.adminTokenGenerated) await printLoginBanner(base, running.app.auth.issueLoginTicket().ticket);
  else process.stdout.write(restartBanner(base));
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.app.log.info("shutting_down", { signal });
    await running.stop();
    removeServerInfo(config.dataDir);
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

if (import.meta.main) await serve();
