/**
 * File descriptors: every connection costs one. The server cannot raise its own hard limit, so it
 * says what it has (at start, and in /metrics) and warns when it is low; see SELF-HOSTING.md.
 */
import { readdirSync, readFileSync } from "node:fs";

/** The soft open-files limit of this process, or null where /proc is not there (macOS). */
export function openFilesLimit(): number | null {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.split(/\s{2,}/)[1];
    return soft && /^\d+$/.test(soft) ? Number(soft) : null;
  } catch {
    return null;
  }
}

export function openFiles(): number | null {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return null;
  }
}

/** Below this, a few thousand idle connections could exhaust the server. */
export const LOW_FD_LIMIT = 4096;
