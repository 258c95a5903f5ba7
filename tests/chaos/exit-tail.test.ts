/** The wrapped program exits the instant it has written 1 MB: the tail still reaches the server. */
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { spawnInPty } from "../support/pty.ts";
import { BUN, CLI, startTestServer, storedOutput, tempDir, type TestServer } from "../support/server.ts";
import { endedSession, firstDiff } from "./helpers.ts";

let server: TestServer | null = null;
afterAll(async () => {
  await server?.stop();
});

test("a program that exits right after writing 1 MB: stored output is byte-exact, tail included", async () => {
  server = await startTestServer();
  const dev = await server.pairDevice();
  const file = join(tempDir("cr-chaos-"), "1mb.bin");
  // printable bytes with a recognisable last line, so a lost tail is obvious in the failure
  const body = Buffer.alloc(1024 * 1024 - 16, "abcdefghij0123456789\n");
  await Bun.write(file, Buffer.concat([body, Buffer.from("\nTHE-LAST-LINE\n")]));
  const term = spawnInPty([BUN, CLI, "exec", "--name", "exit-tail", "--", "cat", file], {
    env: { CLAUDE_REMOTE_CONFIG_DIR: dev.configDir },
  });
  expect(await term.exited).toBe(0);
  const s = await endedSession(server.api, "exit-tail", 20_000);
  const stored = await storedOutput(server, s.id);
  const local = term.output();
  expect(firstDiff(stored, local)).toBe(-1);
  expect(stored.byteLength).toBeGreaterThan(1024 * 1024); // \n became \r\n in the PTY
  expect(stored.subarray(-20).toString()).toContain("THE-LAST-LINE");
}, 40_000);
