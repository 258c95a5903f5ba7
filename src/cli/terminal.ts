/** The local terminal: raw mode on while wrapping, and restored on every way out. */
const stdin = process.stdin;

let raw = false;

export function terminalSize(): { cols: number; rows: number } {
  const cols = process.stdout.isTTY ? process.stdout.columns : Number(process.env.COLUMNS) || 80;
  const rows = process.stdout.isTTY ? process.stdout.rows : Number(process.env.LINES) || 24;
  return { cols: cols || 80, rows: rows || 24 };
}

export function enterRaw(): void {
  if (!stdin.isTTY || raw) return;
  stdin.setRawMode(true);
  raw = true;
}

export function restoreTerminal(): void {
  if (!raw) return;
  raw = false;
  try {
    stdin.setRawMode(false);
  } catch {}
}

// Last resort: whatever ends this process, the user's terminal is not left in raw mode.
process.on("exit", restoreTerminal);
