/**
 * Each option of a permission prompt, chosen from the API, has the effect the same option has when
 * chosen at the terminal (the real Claude Code): the rules written to `.claude/settings.local.json`
 * and the permission mode in the footer afterwards (verified: "don't ask again for: git commit *"
 * writes `Bash(git commit *)` there; "always allow access to <dir> from this project" writes
 * nothing, it is for the session). The API answer is given as soon as the prompt exists, so it
 * uses the options built from the hook, before the screen is read (the screen's replace them).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Prompt } from "../../src/protocol/prompts.ts";
import type { Scenario } from "../support/fake-anthropic.ts";
import { waitFor } from "../support/wait.ts";
import { type ClaudeSession, type Env, post, startClaude, startEnv } from "./support.ts";

const who = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
const SCENARIOS: Record<string, Scenario> = {
  "choice-commit": [{ name: "Bash", input: { command: "git commit --allow-empty -q -m choice", description: "Commit" } }],
  "choice-redirect": [{ name: "Bash", input: { command: "echo x > x.txt", description: "Write x" } }],
  "choice-write": [{ name: "Write", input: { file_path: "w.txt", content: "w\n" } }],
};

let env: Env;
beforeAll(async () => {
  env = await startEnv(SCENARIOS);
});
afterAll(async () => {
  await env?.stop();
});

let runs = 0;

type Effect = { settings: unknown; mode: string | null };

async function effectOf(c: ClaudeSession): Promise<Effect> {
  const file = join(c.cwd, ".claude", "settings.local.json");
  await c.pty.screen.flush();
  const footer =
    c.pty.screen
      .lines()
      .join("\n")
      .match(/(manual mode|accept edits|auto mode|plan mode|bypass permissions) on/)?.[1] ?? null;
  const settings = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null;
  return { settings: JSON.parse(JSON.stringify(settings).replaceAll(c.cwd, "<cwd>")), mode: footer };
}

/** Runs the scenario, answers option `key` at the terminal or from the API, and returns the prompt's options and the effect. */
async function run(scenario: string, key: string, via: "terminal" | "api"): Promise<{ labels: string[]; effect: Effect }> {
  const c = await startClaude(env, { extraEnv: who });
  try {
    // A text of its own: submit() takes any earlier request with the same text for this one.
    const since = await c.submit(`scenario ${scenario} (${via} ${key} ${++runs})`);
    const p = await c.prompt(since);
    let options = p.options;
    const no = p.options.find((o) => o.key === key)?.label === "No";
    if (via === "api") {
      const res = await post(env, `/api/prompts/${p.id}/${no ? "reject" : "approve"}`, no ? {} : { option: key });
      expect(res.status).toBe(200);
    } else {
      await c.answerAtTerminal(no ? "\x1b" : key); // the No digit only moves the selection
      options = (await waitFor(async () => ((await c.promptById(p.id)).title ? c.promptById(p.id) : null), { what: "screen options" }))
        .options;
    }
    // a hook deny lets the turn go on (Stop follows); Esc interrupts it (no Stop)
    if (no && via === "terminal")
      await waitFor(async () => (await c.promptById(p.id)).status !== "pending", { what: "the prompt answered" });
    else await c.turnDone(since);
    await waitFor(async () => (await effectOf(c)).mode, { what: "the footer's mode" });
    const labels = options.map((o) => o.label.replaceAll(c.cwd, "<cwd>"));
    return { labels, effect: await effectOf(c) };
  } finally {
    await c.stop();
  }
}

for (const [scenario, keys] of [
  ["choice-commit", ["1", "2", "3", "4"]],
  ["choice-redirect", ["2", "3"]],
  ["choice-write", ["2", "3"]],
] as const) {
  for (const key of keys) {
    test(`${scenario}: option ${key} from the API has the terminal's effect`, async () => {
      const terminal = await run(scenario, key, "terminal");
      const api = await run(scenario, key, "api");
      expect(api.effect).toEqual(terminal.effect);
      // labelled the same (the screen draws a choice's description after " · " on its row)
      expect(api.labels.map((l) => l.split(" · ")[0])).toEqual(terminal.labels.map((l) => l.split(" · ")[0]));
    }, 90_000);
  }
}
