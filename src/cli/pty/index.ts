import type { PtyBackend } from "./types.ts";

/**
 * `CLAUDE_REMOTE_PTY` picks the backend. Unset, it is `native` (a PTY through libc, copied off the
 * JS thread) where that runs — Linux with libc and setsid(1) — and Bun's built-in terminal
 * elsewhere (macOS, other systems). Asking for `native` where it cannot run is an error.
 */
export async function loadBackend(name = process.env.CLAUDE_REMOTE_PTY || ""): Promise<PtyBackend> {
  if (name === "bun-pty") return (await import("./bun-pty.ts")).bunPty;
  if (name === "bun") return (await import("./bun-terminal.ts")).bunTerminal;
  if (name === "native" || name === "") {
    const native = await import("./native.ts");
    if (native.nativeSupported()) return native.nativePty;
    if (name === "native") throw new Error('CLAUDE_REMOTE_PTY=native needs Linux (x64 or arm64) with libc and setsid(1); use "bun"');
    return (await import("./bun-terminal.ts")).bunTerminal;
  }
  throw new Error(`CLAUDE_REMOTE_PTY must be "native", "bun" or "bun-pty", not ${JSON.stringify(name)}`);
}
