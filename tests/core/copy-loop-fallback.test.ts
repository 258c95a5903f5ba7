/**
 * The real wrapper (`claude-remote exec`) in a real terminal, paired with a real server, with the
 * copy loop at its default (C where it compiles) and forced to the JS fallback
 * (CLAUDE_REMOTE_COPY_LOOP=js): MBs of numbered lines and a tail written just before the program
 * exits reach the terminal and the server's stored output byte for byte, and the program's exit
 * code comes out of the wrapper and into the session. The tail usually sits in the copy loop's
 * batch when the PTY ends (the 5 ms coalescing, or the JS thread still on the batch before), so a
 * loop that drops that batch fails here in most runs; three runs a setting make a miss rare
 * (copy-loop-eof.test.ts catches it every time, at the backend's seam).
 * Which loop ran is not checked here: the wrapper does not say (copy-loop.test.ts checks it at the seam).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { spawnInPty } from "../support/pty.ts";
import { BUN, CLI, sessions, startTestServer, storedOutput, tempDir, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

let server: TestServer;
let configDir: string;

beforeAll(async () => {
  server = await startTestServer();
  ({ configDir } = await server.pairDevice());
});
afterAll(() => server.stop());

const LINES = 150_000; // 4.2–5 MB a run (each line names its run), a little more once the PTY makes each \n a \r\n

/** The first index where `a` and `b` differ, or -1. */
function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

for (const [setting, exits] of [
  ["default", [42, 0, 9]],
  ["js", [7, 0, 3]],
] as const)
  test(`CLAUDE_REMOTE_COPY_LOOP=${setting === "default" ? "(unset)" : setting}: ${LINES} numbered lines and a tail reach the terminal and the server byte-exact, the exit code passes through (3 runs)`, async () => {
    for (const [run, exit] of exits.entries()) {
      const name = `copy-loop-${setting}-${run}`;
      const lines = Array.from({ length: LINES }, (_, i) => `${name} line ${String(i + 1).padStart(7, "0")}\n`).join("");
      const file = join(tempDir("cr-copy-fallback-"), "lines");
      await Bun.write(file, lines);
      const term = spawnInPty([BUN, CLI, "exec", "--name", name, "--", "sh", "-c", `cat "$0"; printf '<end>'; exit ${exit}`, file], {
        env: {
          CLAUDE_REMOTE_CONFIG_DIR: configDir,
          CLAUDE_REMOTE_COPY_LOOP: setting === "js" ? "js" : undefined,
          CLAUDE_REMOTE_PTY: undefined,
        },
        screen: false,
      });
      const want = Buffer.from(`${lines.replaceAll("\n", "\r\n")}<end>`);
      expect({ name, exit: await term.exited }).toEqual({ name, exit });
      const local = term.output();
      expect({ name, local: firstDiff(local, want), length: local.length }).toEqual({ name, local: -1, length: want.length });

      const s = await waitFor(async () => (await sessions(server)).find((x) => x.name === name && x.status === "exited"), {
        what: `session ${name} exited`,
        timeoutMs: 30_000,
      });
      expect({ name, exitCode: s.exitCode }).toEqual({ name, exitCode: exit });
      const stored = await storedOutput(server, s.id);
      expect({ name, stored: firstDiff(stored, want), length: stored.length }).toEqual({ name, stored: -1, length: want.length });
    }
  }, 90_000);
