/**
 * The local terminal: raw mode on while wrapping, and restored on every way out.
 * setRawMode keeps output post-processing (ONLCR), which would turn the child's "\r\n" into
 * "\r\r\n"; like script(1) we also clear OPOST, and restore the exact saved `stty -g` state.
 */
const stdin = process.stdin;

let saved: string | null = null;
let raw = false;

export function terminalSize(): { cols: number; rows: number } {
  const cols = process.stdout.isTTY ? process.stdout.columns : Number(process.env.COLUMNS) || 80;
  const rows = process.stdout.isTTY ? process.stdout.rows : Number(process.env.LINES) || 24;
  return { cols: cols || 80, rows: rows || 24 };
}

function stty(...args: string[]): string | null {
  const r = Bun.spawnSync(["stty", ...args], { stdin: "inherit", stdout: "pipe", stderr: "ignore" });
  return r.success ? r.stdout.toString().trim() : null;
}

export function enterRaw(): void {
  if (!stdin.isTTY || raw) return;
  saved = stty("-g");
  stdin.setRawMode(true);
  stty("-opost");
  raw = true;
}

export function restoreTerminal(): void {
  if (!raw) return;
  raw = false;
  try {
    stdin.setRawMode(false);
  } catch {}
  if (saved) stty(saved);
}

// Last resort: whatever ends this process, the user's terminal is not left in raw mode.
process.on("exit", restoreTerminal);
