/**
 * The Claude Code adapter for runWrapped: a loopback hook endpoint with a per-run secret, and
 * `--settings` carrying our hooks merged with the user's own. Permission prompts then reach the
 * phone through the link (see hook-prompts.ts). The wrapper never adds `--bare` or `--safe-mode`;
 * if the user passes them (hooks off), one warning goes to stderr before claude starts and the
 * server reads prompts off the screen instead.
 */
import { randomBytes } from "node:crypto";
import type { Adapter } from "./run.ts";
import { TranscriptFeed } from "./transcript-feed.ts";
import { HookElicitations } from "../agents/claude/hook-elicitations.ts";
import { HookPrompts } from "../agents/claude/hook-prompts.ts";
import { type HookHandlers, startHookServer } from "../agents/claude/hook-server.ts";
import { resumeHint } from "../agents/claude/resume-hint.ts";
import { type HookSettings, buildHookSettings, warnFlags, withHookSettings } from "../agents/claude/hook-settings.ts";

/** How long Claude Code keeps a PermissionRequest hook open (seconds). */
const PERMISSION_TIMEOUT_SEC = 86_400;
/**
 * The secret reaches claude in its environment, not its argv (which other local users can read in
 * /proc). Claude Code interpolates `$VAR` in hook headers for names listed in allowedEnvVars
 * (verified on 2.1.330); the name is kept plain so it is never taken for a credential and skipped.
 */
export const SECRET_ENV = "CLAUDE_REMOTE_HOOK_ID";

/** Our hook settings with the secret as `$SECRET_ENV`, interpolated by Claude Code. */
function hookSettingsFor(url: string): HookSettings {
  const settings = buildHookSettings({ url, secret: `$${SECRET_ENV}`, timeoutSec: PERMISSION_TIMEOUT_SEC });
  for (const matchers of Object.values(settings.hooks)) {
    for (const m of matchers) for (const h of m.hooks) if (h.type === "http") h.allowedEnvVars = [SECRET_ENV];
  }
  return settings;
}

export function claudeAdapter(): Adapter {
  let prompts: HookPrompts | null = null;
  let forms: HookElicitations | null = null;
  let feed: TranscriptFeed | null = null;
  return {
    async prepare({ sessionId, argv, env }) {
      const [bin, ...args] = argv;
      const warning = warnFlags(args);
      if (warning) process.stderr.write(`${warning}\n`);
      const tracker = new HookPrompts(sessionId, PERMISSION_TIMEOUT_SEC * 1000);
      prompts = tracker;
      const elicitations = new HookElicitations(sessionId);
      forms = elicitations;
      const secret = randomBytes(32).toString("base64url");
      const transcript = new TranscriptFeed(sessionId);
      feed = transcript;
      const server = startHookServer(secret, watchingTranscript(withElicitations(tracker, elicitations), transcript));
      return {
        argv: [bin!, ...withHookSettings(args, hookSettingsFor(server.url))],
        env: { ...env, [SECRET_ENV]: secret },
        hooks: !warning,
        dispose() {
          tracker.exited();
          elicitations.exited();
          server.stop();
          transcript.stop();
        },
      };
    },
    attach(link, pty) {
      prompts?.attach(link);
      forms?.attach(link);
      feed?.attach(link);
      void pty.exited.then(() => (prompts?.exited(), forms?.exited()));
    },
    exitNotice: resumeHint,
  };
}

/** Every hook payload names the session's transcript file: the feed starts reading it from the first one. */
function watchingTranscript(handlers: HookHandlers, feed: TranscriptFeed): HookHandlers {
  return {
    permission: (payload, aborted) => (feed.watch(payload.transcript_path), handlers.permission(payload, aborted)),
    event: (payload) => (feed.watch(payload.transcript_path), handlers.event(payload)),
    elicitation: (payload) => (feed.watch(payload.transcript_path), handlers.elicitation?.(payload) ?? {}),
  };
}

/** MCP elicitations (an MCP server's form) are tracked beside permission prompts; they also see the tool events. */
function withElicitations(prompts: HookPrompts, forms: HookElicitations): HookHandlers {
  return {
    permission: (payload, aborted) => prompts.permission(payload, aborted),
    event: (payload) => (forms.event(payload), prompts.event(payload)),
    elicitation: (payload) => forms.elicitation(payload),
  };
}
