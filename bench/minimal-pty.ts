/**
 * The physical-limit baseline for passthrough: the least any PTY wrapper can do. Runs argv in an
 * inner PTY (the same backend seam as the wrapper, `CLAUDE_REMOTE_PTY`), puts the outer terminal in
 * the same raw mode, and copies the inner PTY to stdout — no link, no ring, no server.
 */
import { loadBackend } from "../src/cli/pty/index.ts";
import { enterRaw, restoreTerminal, terminalSize } from "../src/cli/terminal.ts";

const argv = process.argv.slice(2);
if (!argv.length) {
  console.error("usage: bun bench/minimal-pty.ts <command> [args...]");
  process.exit(2);
}
const { cols, rows } = terminalSize();
const backend = await loadBackend();
enterRaw();
const pty = backend(argv, { cols, rows, cwd: process.cwd(), env: { ...process.env }, local: true });
const { exitCode } = await pty.exited;
restoreTerminal();
process.exit(exitCode);
