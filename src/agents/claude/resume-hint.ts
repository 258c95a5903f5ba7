/**
 * Claude Code ends with "claude --resume <id>", which would resume without streaming to the
 * phone. The wrapper says how to resume through claude-remote instead.
 */
import { plainText } from "../../terminal/plain-text.ts";

export function resumeHint(tail: string): string | null {
  const text = plainText(tail);
  let id: string | null = null;
  for (const m of text.matchAll(/\bclaude\s+(?:--resume|-r)\s+([A-Za-z0-9_-]{4,64})/g)) id = m[1]!;
  return id ? `claude-remote: to resume this session with the phone attached, run: claude-remote --resume ${id}` : null;
}
