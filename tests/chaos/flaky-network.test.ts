/**
 * A loopback TCP proxy between wrapper and server cuts every connection every 2 s for 30 s and
 * once black-holes traffic for 4 s:
 * the stored output is byte-exact, and the wrapped program never waits on the network — its own
 * timestamps show no pause anywhere near the 4 s stall.
 */
import { afterAll, expect, test } from "bun:test";
import { spawnInPty, type OuterPty } from "../support/pty.ts";
import { BUN, CLI, startTestServer, storedOutput, type TestServer } from "../support/server.ts";
import { endedSession, firstDiff, startProxy } from "./helpers.ts";

const RUN_S = 30;
const STALL_MS = 4000;

let server: TestServer | null = null;
let proxy: ReturnType<typeof startProxy> | null = null;
let term: OuterPty | null = null;
afterAll(async () => {
  term?.proc.kill("SIGKILL");
  proxy?.stop();
  await server?.stop();
});

test("connection cut every 2 s and a 4 s black hole: byte-exact, and the program never blocks", async () => {
  server = await startTestServer();
  const dev = await server.pairDevice();
  proxy = startProxy(Number(new URL(server.url).port));
  // a line with a timestamp (ms) every 5 ms, padded to ~2 KB: about 0.4 MB/s for RUN_S seconds
  const perl = `$|=1; my $end = time + ${RUN_S}; my $pad = "x" x 2000; while (time < $end) { printf("T %.3f %s\\n", Time::HiRes::time()*1000, $pad); Time::HiRes::sleep(0.005); } print "DONE\\n";`;
  term = spawnInPty([BUN, CLI, "exec", "--name", "flaky", "--", "perl", "-MTime::HiRes", "-e", perl], {
    env: { CLAUDE_REMOTE_CONFIG_DIR: dev.configDir, CLAUDE_REMOTE_SERVER: proxy.url },
  });
  const t0 = Date.now();
  let stalled = false;
  while (Date.now() - t0 < (RUN_S - 2) * 1000) {
    await Bun.sleep(2000);
    if (!stalled && Date.now() - t0 > 5000) {
      stalled = true;
      proxy.stall(STALL_MS);
      await Bun.sleep(STALL_MS);
    }
    proxy.cut();
  }
  expect(await term.exited).toBe(0);
  const s = await endedSession(server.api, "flaky", 30_000);
  const stored = await storedOutput(server, s.id);
  const local = term.output();
  expect(local.subarray(-8).toString()).toContain("DONE");
  expect(firstDiff(stored, local)).toBe(-1);
  expect(proxy.cuts).toBeGreaterThanOrEqual(10);
  expect(proxy.connections).toBeGreaterThanOrEqual(10); // the wrapper really went through the proxy and reconnected

  const stamps = [...local.toString("latin1").matchAll(/^T (\d+\.\d+) /gm)].map((m) => Number(m[1]));
  expect(stamps.length).toBeGreaterThan(100);
  let maxPause = 0;
  for (let i = 1; i < stamps.length; i++) maxPause = Math.max(maxPause, stamps[i] - stamps[i - 1]);
  // A program blocked on the network would pause for the whole stall; scheduling noise on a
  // loaded box stays far below it.
  expect(maxPause).toBeLessThan(STALL_MS * 0.75);
}, 120_000);
