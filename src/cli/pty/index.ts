import type { PtyBackend } from "./types.ts";

export type BackendName = "bun" | "bun-pty";

/** `CLAUDE_REMOTE_PTY` picks the backend; Bun's built-in terminal is the default (much faster). */
export async function loadBackend(name = process.env.CLAUDE_REMOTE_PTY || "bun"): Promise<PtyBackend> {
  if (name === "bun-pty") return (await import("./bun-pty.ts")).bunPty;
  if (name === "bun") return (await import("./bun-terminal.ts")).bunTerminal;
  throw new Error(`CLAUDE_REMOTE_PTY must be "bun" or "bun-pty", not ${JSON.stringify(name)}`);
}
