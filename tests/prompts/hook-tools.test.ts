/**
 * Permission prompts on the phone, end to end with the real Claude Code through `claude-remote`:
 * for Bash, Write, Edit, Read outside the project and WebFetch, one session each with three
 * turns: approve via the API, reject with a message, answer at the terminal.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Prompt } from "../../src/protocol/prompts.ts";
import type { Scenario } from "../support/fake-anthropic.ts";
import { waitFor } from "../support/wait.ts";
import { type ClaudeSession, type Env, post, startClaude, startEnv, toolResultAfter } from "./support.ts";

const outside = mkdtempSync(join(tmpdir(), "cr-prompts-outside-"));
for (const t of ["a", "b", "c"]) writeFileSync(join(outside, `secret-${t}.txt`), `outside secret ${t}\n`);

/** A local HTTPS server for WebFetch (Claude Code upgrades http:// to https://); records the paths asked for. */
const certDir = mkdtempSync(join(tmpdir(), "cr-prompts-cert-"));
Bun.spawnSync(
  [
    "openssl",
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    join(certDir, "key.pem"),
    "-out",
    join(certDir, "cert.pem"),
  ],
  { stderr: "ignore" },
);
const fetched: string[] = [];
const web = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  tls: { key: Bun.file(join(certDir, "key.pem")), cert: Bun.file(join(certDir, "cert.pem")) },
  fetch(req) {
    fetched.push(new URL(req.url).pathname);
    return new Response("<html><body><p>page body</p></body></html>", { headers: { "content-type": "text/html" } });
  },
});

const steps = (tool: string, input: (t: string) => Record<string, unknown>): Record<string, Scenario> =>
  Object.fromEntries(["a", "b", "c"].map((t) => [`${tool.toLowerCase()}-${t}`, [{ name: tool, input: input(t) }]]));

const SCENARIOS: Record<string, Scenario> = {
  ...steps("Bash", (t) => ({ command: `echo ${t} > bash-${t}.txt`, description: `Write ${t}` })),
  ...steps("Write", (t) => ({ file_path: `write-${t}.txt`, content: `written ${t}\n` })),
  ...steps("Edit", (t) => ({ file_path: `edit-${t}.txt`, old_string: "before", new_string: `after ${t}` })),
  ...steps("Read", (t) => ({ file_path: join(outside, `secret-${t}.txt`) })),
  ...steps("WebFetch", (t) => ({ url: `https://127.0.0.1:${web.port}/page-${t}`, prompt: "Summarize the page" })),
};

let env: Env;
beforeAll(async () => {
  env = await startEnv(SCENARIOS);
});
afterAll(async () => {
  await env?.stop();
  web.stop(true);
  rmSync(outside, { recursive: true, force: true });
  rmSync(certDir, { recursive: true, force: true });
});

type ToolCase = {
  tool: string;
  /** What the prompt's input must contain for turn `t`. */
  input(c: ClaudeSession, t: string): Record<string, unknown>;
  /** Whether the tool's effect is there (the file written, the URL fetched, the content read). */
  ran(c: ClaudeSession, t: string, resultFrom: number): boolean;
  /** The title Claude Code draws for its dialog. */
  title: string;
  /** Extra claude args (a user's own --settings, merged with the wrapper's hooks). */
  args?: string[];
};

const CASES: ToolCase[] = [
  {
    tool: "Bash",
    title: "Bash command",
    input: (_c, t) => ({ command: `echo ${t} > bash-${t}.txt` }),
    ran: (c, t) => existsSync(join(c.cwd, `bash-${t}.txt`)) && readFileSync(join(c.cwd, `bash-${t}.txt`), "utf8") === `${t}\n`,
  },
  {
    tool: "Write",
    title: "Create file",
    input: (c, t) => ({ file_path: join(c.cwd, `write-${t}.txt`), content: `written ${t}\n` }),
    ran: (c, t) => existsSync(join(c.cwd, `write-${t}.txt`)),
  },
  {
    tool: "Edit",
    title: "Edit file",
    input: (c, t) => ({ file_path: join(c.cwd, `edit-${t}.txt`), old_string: "before", new_string: `after ${t}` }),
    ran: (c, t) => readFileSync(join(c.cwd, `edit-${t}.txt`), "utf8") === `after ${t}\n`,
  },
  {
    tool: "Read",
    title: "Read file",
    input: (_c, t) => ({ file_path: join(outside, `secret-${t}.txt`) }),
    ran: (_c, t, from) => JSON.stringify(toolResultAfter(env.fake, from)?.content ?? "").includes(`outside secret ${t}`),
  },
  {
    tool: "WebFetch",
    title: "Fetch",
    // No claude.ai domain check offline; also shows a user's --settings merged with ours.
    args: ["--settings", JSON.stringify({ skipWebFetchPreflight: true })],
    input: (_c, t) => ({ url: `https://127.0.0.1:${web.port}/page-${t}` }),
    ran: (_c, t) => fetched.includes(`/page-${t}`),
  },
];

describe("permission prompts through claude-remote (real Claude Code, fake API, manual mode)", () => {
  for (const k of CASES) {
    test(`${k.tool}: approve via API runs it; reject with a message reaches the model; a terminal answer wins`, async () => {
      const files = Object.fromEntries(["a", "b", "c"].map((t) => [`edit-${t}.txt`, "before\n"]));
      const c = await startClaude(env, { files, args: k.args, extraEnv: { NODE_TLS_REJECT_UNAUTHORIZED: "0" } });
      try {
        const scenario = (t: string) => `scenario ${k.tool.toLowerCase()}-${t}`;
        const isTool = (p: Prompt) => p.tool === k.tool;

        // 1. approve from the phone
        let since = await c.submit(scenario("a"));
        let p = await c.prompt(since, isTool);
        expect(p.status).toBe("pending");
        expect(p.source).toBe("hook");
        expect(p.input).toMatchObject(k.input(c, "a"));
        expect(k.ran(c, "a", 0)).toBe(false);
        // the dialog read off the server's screen is attached to the record
        p = await waitFor(
          async () => {
            const x = await c.promptById(p.id);
            return x.title ? x : null;
          },
          { timeoutMs: 10_000, what: "the on-screen dialog attached to the prompt" },
        );
        expect(p.title).toBe(k.title);
        expect(p.options.length).toBeGreaterThanOrEqual(3);
        expect(p.options[0]).toEqual({ key: "1", label: "Yes" });
        const session = await (await env.server.api(`/api/sessions/${c.sessionId}`)).json();
        expect(session.status).toBe("waiting");
        expect(session.pendingPrompts).toBe(1);
        let from = env.fake.requests.length;
        const approved = await post(env, `/api/prompts/${p.id}/approve`, {});
        expect(approved.status).toBe(200);
        expect((await approved.json()).status).toBe("approved");
        await waitFor(() => k.ran(c, "a", from), {
          timeoutMs: 15_000,
          what: () => `${k.tool} to run after approve: ${JSON.stringify(toolResultAfter(env.fake, from))}`,
        });
        await c.turnDone(since);
        const after = await c.promptById(p.id);
        expect(after.status).toBe("approved");
        expect(after.resolvedBy).toContain("admin:token");
        expect((await post(env, `/api/prompts/${p.id}/reject`, {})).status).toBe(409);

        // 2. reject with a message: the tool does not run, the model gets the message
        const message = `Not now (${k.tool}), from the phone`;
        since = await c.submit(scenario("b"));
        p = await c.prompt(since, isTool);
        expect(p.input).toMatchObject(k.input(c, "b"));
        from = env.fake.requests.length;
        const rejected = await post(env, `/api/prompts/${p.id}/reject`, { message });
        expect(rejected.status).toBe(200);
        expect((await rejected.json()).status).toBe("denied");
        const result = await waitFor(() => toolResultAfter(env.fake, from), {
          timeoutMs: 15_000,
          what: "the tool_result in the next API request",
        });
        expect(result.is_error).toBe(true);
        expect(JSON.stringify(result.content)).toContain(message);
        await c.turnDone(since);
        expect(k.ran(c, "b", from)).toBe(false);

        // 3. answer at the terminal: answered-locally, and the phone's late approve gets 409
        since = await c.submit(scenario("c"));
        p = await c.prompt(since, isTool);
        from = env.fake.requests.length;
        await c.answerAtTerminal("1");
        const local = await c.waitStatus(p.id, "answered-locally");
        expect(local.resolvedBy).toBe("terminal");
        await waitFor(() => k.ran(c, "c", from), { timeoutMs: 15_000, what: `${k.tool} to run after the terminal's yes` });
        const late = await post(env, `/api/prompts/${p.id}/approve`, {});
        expect(late.status).toBe(409);
        expect((await late.json()).prompt.status).toBe("answered-locally");
        await c.turnDone(since);
        const s2 = await (await env.server.api(`/api/sessions/${c.sessionId}`)).json();
        expect(s2.pendingPrompts).toBe(0);
        expect(s2.status).toBe("running");
      } finally {
        await c.stop();
      }
    }, 60_000);
  }
});
