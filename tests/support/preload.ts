/**
 * Loaded before every test file (bunfig.toml): the whole run gets one temp directory, used by
 * everything that asks os.tmpdir() (test data dirs, config dirs, Chromium profiles, and the
 * servers and wrappers the tests start, which inherit TMPDIR), and removed when the run ends.
 */
import { afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";

const runDir = mkdtempSync(join(process.env.TMPDIR ?? "/tmp", "cr-run-"));
process.env.TMPDIR = runDir;

afterAll(() => {
  try {
    rmSync(runDir, { recursive: true, force: true });
  } catch {} // a process killed by a test may still be writing; the next run's directory is a new one
});
