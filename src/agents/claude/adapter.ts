/**
 * The Claude Code adapter for runWrapped: a loopback hook endpoint with a per-run secret, and
 * `--settings` carrying our hooks merged with the user's own. Permission prompts then reach the
 * phone through the link (see hook-prompts.ts). The wrapper never adds `--bare` or `--safe-mode`;
 * if the user passes them (hooks off), one warning goes to stderr before claude starts and the
 * server reads prompts off the screen instead.
 */
import { randomBytes } from "node:crypto";
import type { Adapter } from "../../cli/run.ts";
import { HookPrompts } from "./hook-prompts.ts";
import { startHookServer } from "./hook-server.ts";
import { buildHookSettings, warnFlags, withHookSettings } from "./hook-settings.ts";

/** How long Claude Code keeps a PermissionRequest hook open (seconds). */
const PERMISSION_TIMEOUT_SEC = 86_400;

export function claudeAdapter(): Adapter {
  let prompts: HookPrompts | null = null;
  return {
    async prepare({ sessionId, argv, env }) {
      const [bin, ...args] = argv;
      const warning = warnFlags(args);
      if (warning) process.stderr.write(`${warning}\n`);
      const tracker = new HookPrompts(sessionId, PERMISSION_TIMEOUT_SEC * 1000);
      prompts = tracker;
      const secret = randomBytes(32).toString("base64url");
      const server = startHookServer(secret, tracker);
      const settings = buildHookSettings({ url: server.url, secret, timeoutSec: PERMISSION_TIMEOUT_SEC });
      return {
        argv: [bin!, ...withHookSettings(args, settings)],
        env,
        hooks: !warning,
        dispose() {
          tracker.exited();
          server.stop();
        },
      };
    },
    attach(link, pty) {
      prompts?.attach(link);
      void pty.exited.then(() => prompts?.exited());
    },
  };
}
