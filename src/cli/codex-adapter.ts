/**
 * The Codex adapter for runWrapped: Codex has no hooks to name its session log, so the wrapper
 * looks for it (src/agents/codex/rollout-find.ts) under `$CODEX_HOME/sessions` (default
 * `~/.codex/sessions`) once a second until found, then the transcript feed tails it with the Codex
 * reader: token counts, turns and turn times reach the server like Claude's. Prompts are still
 * read off the screen by the server.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { codexReader } from "../agents/codex/rollout-entry.ts";
import { findRollout } from "../agents/codex/rollout-find.ts";
import type { Adapter } from "./run.ts";
import { TranscriptFeed } from "./transcript-feed.ts";

const FIND_EVERY_MS = 1000;

export function codexAdapter(): Adapter {
  let feed: TranscriptFeed | null = null;
  return {
    async prepare({ sessionId, argv, env }) {
      const sessions = join(env.CODEX_HOME || join(env.HOME || homedir(), ".codex"), "sessions");
      const since = Date.now();
      const cwd = process.cwd();
      const transcript = (feed = new TranscriptFeed(sessionId, { reader: codexReader }));
      const look = () => {
        try {
          const path = findRollout(sessions, since, cwd);
          if (!path) return;
          transcript.watch(path);
          clearInterval(finder);
        } catch {} // a sessions folder we cannot read: no figures, the session goes on
      };
      const finder = setInterval(look, FIND_EVERY_MS);
      return {
        argv,
        env,
        dispose() {
          clearInterval(finder);
          look(); // a session shorter than a second
          transcript.stop();
        },
      };
    },
    attach(link) {
      feed?.attach(link);
    },
  };
}

/** Whether a command is Codex (its adapter applies). */
export function isCodex(argv: string[]): boolean {
  return /(^|\/)codex$/.test(argv[0] ?? "");
}
