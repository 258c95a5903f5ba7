/** A request that fails inside a handler is logged by path: an answer link's token (the credential) is not in that line. */
import { afterAll, expect, test } from "bun:test";
import { type RunningServer, startServer } from "../../src/server/app.ts";
import { loadConfig } from "../../src/server/config.ts";
import { Logger } from "../../src/server/log.ts";
import { tempDir } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

let server: RunningServer | undefined;
afterAll(() => server?.stop());

test("request_failed on an answer-link path logs the path without its token", async () => {
  const lines: string[] = [];
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    CLAUDE_REMOTE_DATA_DIR: tempDir("cr-data-"),
    CLAUDE_REMOTE_ADMIN_TOKEN: "test-admin-token-0123456789",
    LOG_LEVEL: "error",
  });
  server = await startServer(config, { logger: new Logger("error", (l) => void lines.push(l)) });
  // The handler's own store lookup throws, as a database error would.
  server.app.store.answerLinks.check = () => {
    throw new Error("disk I/O error");
  };
  const token = "T0kenSecretAbcdefghijklmnopqrstuvwxyz012345";
  const r = await fetch(`${server.url}/api/prompts/prm_redact_0001/answer-link/${token}`, { method: "POST", body: '{"option":"1"}' });
  expect(r.status).toBe(500);
  const line = await waitFor(() => lines.find((l) => l.includes("request_failed")), { what: "the request_failed line" });
  expect(JSON.parse(line).path).toBe("/api/prompts/prm_redact_0001/answer-link/[redacted]");
  expect(lines.join("\n")).not.toContain(token);
});
