/**
 * The server dies while the program runs and is still down when the program exits: the wrapper
 * exits on time, keeps what the server never acknowledged in its spool, and a background
 * `claude-remote deliver` sends it once the server is back. Stored output is byte-exact and the
 * session ends with the program's exit code.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnInPty, type OuterPty } from "../support/pty.ts";
import { BUN, CLI, storedOutput, tempDir } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { chaosServer, endedSession, firstDiff, storedGaps } from "./helpers.ts";

const NOTICE = "claude-remote: the server does not have";

const server = chaosServer("cr-chaos-down-");
let term: OuterPty | null = null;
let spool = "";
afterAll(async () => {
  await server.kill();
  term?.proc.kill("SIGKILL");
  // a deliverer still running (the test failed before delivery) is stopped too
  for (const f of spool && existsSync(spool) ? readdirSync(spool) : [])
    if (f.endsWith(".lock")) {
      try {
        process.kill(Number(readFileSync(join(spool, f), "utf8")), "SIGKILL");
      } catch {}
    }
});

test("server killed mid-stream and still down at exit: the rest is spooled and delivered when it is back", async () => {
  await server.start();
  const configDir = await server.pair();
  spool = join(configDir, "spool");

  // part one while the server is up; part two (1.3 MB) once it is dead; then exit 7
  const mark = join(tempDir("cr-chaos-mark-"), "go");
  const script = `seq 1 100000; echo PART-ONE-END; while [ ! -e ${mark} ]; do sleep 0.05; done; seq 100001 300000; echo SPOOLED-END; exit 7`;
  term = spawnInPty([BUN, CLI, "exec", "--name", "down-at-exit", "--", "bash", "-c", script], {
    env: { CLAUDE_REMOTE_CONFIG_DIR: configDir },
  });

  const first = await waitFor(
    async () => {
      const list = (await (await server.api("/api/sessions")).json()) as Array<{ id: string; name: string }>;
      const s = list.find((x) => x.name === "down-at-exit");
      return s && (await storedOutput(server, s.id)).includes("PART-ONE-END") ? s : undefined;
    },
    { timeoutMs: 20_000, what: "part one stored" },
  );
  await server.kill();
  await Bun.write(mark, "");

  expect(await term.exited).toBe(7); // the wrapper does not wait for the server
  const local = term.output();
  const cut = local.indexOf(NOTICE);
  expect(cut).toBeGreaterThan(0);
  expect(local.subarray(cut).toString()).toContain(`kept in ${spool}/`);
  const program = local.subarray(0, cut); // what the program wrote; the notice is the wrapper's own
  expect(program.toString()).toContain("SPOOLED-END");
  expect(readdirSync(spool).filter((f) => f.endsWith(".spool"))).toEqual([`${first.id}.spool`]);

  await server.start();
  const s = await endedSession(server.api, "down-at-exit", 60_000);
  expect(s.id).toBe(first.id);
  const stored = await storedOutput(server, s.id);
  expect(firstDiff(stored, program)).toBe(-1);
  expect(((await (await server.api(`/api/sessions/${s.id}`)).json()) as { exitCode: number }).exitCode).toBe(7);
  expect(storedGaps(server.dataDir, s.id)).toEqual([]);
  await waitFor(() => readdirSync(spool).every((f) => !f.endsWith(".spool") && !f.endsWith(".lock") && !f.endsWith(".live")), {
    what: "the spool emptied (no live marker: the spool took over)",
  });
  expect(readFileSync(join(spool, "deliver.log"), "utf8")).toContain(`delivered session ${s.id}`);
}, 120_000);
