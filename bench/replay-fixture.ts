/**
 * Replays a recorded terminal session (`<fixture>.raw` + `<fixture>.chunks.json`) to its terminal
 * with the recorded chunk boundaries and timing, each wait capped at REPLAY_MAX_WAIT_MS (default 50).
 * The terminal is put in raw mode (no `\n`→`\r\n`, no echo) so the PTY carries exactly the recorded
 * bytes; it starts when one byte of input arrives, so viewers can attach first.
 *   claude-remote exec -- bun bench/replay-fixture.ts <fixture>.raw
 */
import { readFileSync, writeSync } from "node:fs";

const file = process.argv[2];
if (!file?.endsWith(".raw")) {
  console.error("usage: bun bench/replay-fixture.ts <fixture>.raw");
  process.exit(2);
}
const maxWait = Number(process.env.REPLAY_MAX_WAIT_MS ?? 50);
const raw = readFileSync(file);
const { chunks } = JSON.parse(readFileSync(file.replace(/\.raw$/, ".chunks.json"), "utf8")) as { chunks: [number, number, number][] };

Bun.spawnSync(["stty", "raw", "-echo"], { stdin: "inherit" });
await new Promise<void>((resolve) => {
  process.stdin.once("data", () => resolve());
});
process.stdin.pause();
let prev = chunks[0]?.[0] ?? 0;
for (const [ms, offset, length] of chunks) {
  const wait = Math.min(maxWait, ms - prev);
  prev = ms;
  if (wait > 0) await Bun.sleep(wait);
  writeSync(1, raw.subarray(offset, offset + length));
}
process.exit(0);
