/**
 * The server is SIGKILLed and restarted 10 times (same port, same data dir) while a wrapped
 * program streams: what the server stored is byte-exact with what the user's terminal got.
 * The ring is raised to 64 MB (CLAUDE_REMOTE_RING_BYTES) so an outage never forces a gap.
 */
import { afterAll, expect, test } from "bun:test";
import { spawnInPty, type OuterPty } from "../support/pty.ts";
import { BUN, CLI, storedOutput } from "../support/server.ts";
import { chaosServer, endedSession, firstDiff, storedGaps } from "./helpers.ts";

const KILLS = 10;
const BYTES = 50 * 1024 * 1024;
const SLICES = 100;

const server = chaosServer("cr-chaos-kill-");
let term: OuterPty | null = null;
afterAll(async () => {
  await server.kill();
  term?.proc.kill("SIGKILL");
});

const NOTICE = /^claude-remote: cannot reach [^\n]*\n/;

function withoutWrapperNotice(out: Buffer): Buffer {
  const m = NOTICE.exec(out.subarray(0, 512).toString("latin1"));
  return m ? out.subarray(m[0].length) : out;
}

test(`server killed ${KILLS} times during a ${BYTES >> 20} MB stream: stored output is byte-exact`, async () => {
  await server.start();
  const configDir = await server.pair();

  // 50 MB in 100 slices of 0.5 MB, paced so the stream outlasts the kills
  const script = `for i in $(seq 1 ${SLICES}); do seq 1 100000000 | head -c ${BYTES / SLICES}; sleep 0.15; done; echo STREAM-END`;
  term = spawnInPty([BUN, CLI, "exec", "--name", "kill-stream", "--", "bash", "-c", script], {
    env: { CLAUDE_REMOTE_CONFIG_DIR: configDir, CLAUDE_REMOTE_RING_BYTES: String(64 * 1024 * 1024) },
  });

  let streamEnded = false;
  void term.exited.then(() => (streamEnded = true));
  for (let i = 0; i < KILLS; i++) {
    await Bun.sleep(400 + Math.random() * 400);
    await server.kill();
    await server.start();
  }
  expect(streamEnded).toBe(false); // every kill hit a running stream
  expect(await term.exited).toBe(0);
  const s = await endedSession(server.api, "kill-stream", 30_000);
  const stored = await storedOutput(server, s.id);
  // Under load the wrapper's first connect can outlast its 500 ms wait: its one "cannot reach … yet"
  // notice then goes to the local terminal (stderr), never to the server. It is not the program's.
  const local = withoutWrapperNotice(term.output());
  expect(local.subarray(-14).toString()).toContain("STREAM-END");
  expect(stored.byteLength).toBe(local.byteLength);
  expect(firstDiff(stored, local)).toBe(-1);
  expect(storedGaps(server.dataDir, s.id)).toEqual([]);
}, 240_000);
