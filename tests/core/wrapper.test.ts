/** The wrapper is invisible to the local terminal, and the server stores exactly what the child wrote. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { BUN, CLI, type TestServer, sessions, startTestServer, storedOutput } from "../support/server.ts";
import { spawnInPty } from "../support/pty.ts";
import { waitFor } from "../support/wait.ts";

let server: TestServer;
let configDir: string;

beforeAll(async () => {
  server = await startTestServer();
  ({ configDir } = await server.pairDevice());
});
afterAll(() => server.stop());

const wrapped = (cmd: string[], env: Record<string, string> = {}, size = { cols: 100, rows: 30 }) =>
  spawnInPty([BUN, CLI, "exec", "--", ...cmd], { env: { CLAUDE_REMOTE_CONFIG_DIR: configDir, ...env }, ...size });

async function sessionFor(name: string, predicate: (s: { status: string }) => boolean = () => true) {
  return waitFor(async () => (await sessions(server)).find((s) => s.name === name && predicate(s)), { what: `session ${name}` });
}

test("exec: exit code, local output and stored output are byte-identical to a bare PTY", async () => {
  const cmd = ["bash", "-c", "seq 1 200000; exit 3"];
  const bare = spawnInPty(cmd);
  const viaWrapper = wrapped(cmd);
  expect(await bare.exited).toBe(3);
  expect(await viaWrapper.exited).toBe(3);
  expect(viaWrapper.output().length).toBeGreaterThan(1_000_000);
  expect(viaWrapper.output().equals(bare.output())).toBe(true);

  const s = await sessionFor("bash", (s) => s.status === "exited");
  expect(s.exitCode).toBe(3);
  const stored = await storedOutput(server, s.id);
  expect(stored.length).toBe(bare.output().length);
  expect(stored.equals(bare.output())).toBe(true);
});

test("a signal-killed child exits the wrapper with 128+signal", async () => {
  const t = wrapped(["bash", "-c", "kill -TERM $$"]);
  expect(await t.exited).toBe(143);
});

test("keystrokes typed locally and POST /input both reach the child", async () => {
  const t = wrapped(
    ["bash", "-c", 'stty -echo; read a; echo "A=$a"; read b; echo "B=$b"; stty -a | grep -o -- \'-\\?icanon\' | head -1'],
    {},
    { cols: 90, rows: 20 },
  );
  const s = await sessionFor("bash", (s) => s.status === "running");
  t.write("typed-locally\r");
  await waitFor(() => t.text().includes("A=typed-locally"), { what: "local input echo" });
  const res = await server.api(`/api/sessions/${s.id}/input`, { method: "POST", body: JSON.stringify({ text: "from-api\r" }) });
  expect(res.status).toBe(200);
  await waitFor(() => t.text().includes("B=from-api"), { what: "api input echo" });
  expect(await t.exited).toBe(0);
});

test("a resize of the outer terminal reaches the child (tput cols) and the server's screen", async () => {
  const t = wrapped(["bash", "-c", "read x; tput cols; tput lines; read y"], {}, { cols: 80, rows: 24 });
  const s = await sessionFor("bash", (s) => s.status === "running");
  await Bun.sleep(100);
  t.resize(123, 41);
  t.proc.kill("SIGWINCH"); // the outer PTY's resize already signals; make sure the wrapper got it
  await waitFor(async () => (await (await server.api(`/api/sessions/${s.id}/screen`)).json()).cols === 123, {
    what: "server screen resized",
  });
  t.write("\r");
  await waitFor(() => /123\r\n41\r\n/.test(t.text()), { what: "tput output 123x41", timeoutMs: 10_000 });
  const screen = await (await server.api(`/api/sessions/${s.id}/screen`)).json();
  expect(screen.rows).toBe(41);
  t.write("\r");
  expect(await t.exited).toBe(0);
});

test("works with stdin and stdout not a TTY (pipes)", async () => {
  const p = Bun.spawn([BUN, CLI, "exec", "--", "bash", "-c", "read l; echo got:$l; exit 5"], {
    env: { ...process.env, CLAUDE_REMOTE_CONFIG_DIR: configDir },
    stdin: new TextEncoder().encode("piped\n"),
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(await p.exited).toBe(5);
  expect(await new Response(p.stdout).text()).toContain("got:piped");
});

test("unpaired: the child runs normally with one short notice on stderr", async () => {
  const p = Bun.spawn([BUN, CLI, "exec", "--", "bash", "-c", "echo fine; exit 4"], {
    env: { ...process.env, CLAUDE_REMOTE_CONFIG_DIR: "/nonexistent-dir-for-test" },
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(await p.exited).toBe(4);
  expect(await new Response(p.stdout).text()).toBe("fine\r\n");
  const err = await new Response(p.stderr).text();
  expect(err.trim().split("\n")).toHaveLength(1);
  expect(err).toContain("not paired");
});

test("raw mode is restored exactly on normal exit and on SIGTERM", async () => {
  const dir = (await import("../support/server.ts")).tempDir();
  const script = [
    `stty -g > ${dir}/before`,
    `${BUN} ${CLI} exec -- bash -c 'exit 0'`,
    `stty -g > ${dir}/after-exit`,
    `${BUN} ${CLI} exec -- sleep 30.123`,
    `echo "wrapper=$?"`,
    `stty -g > ${dir}/after-term`,
  ].join("; ");
  await Bun.write(`${dir}/script.sh`, script); // a file, so only the wrapper's command line names the sleep
  const t = spawnInPty(["bash", `${dir}/script.sh`], { env: { CLAUDE_REMOTE_CONFIG_DIR: configDir } });
  const wrapperPids = () =>
    Bun.spawnSync(["pgrep", "-f", "claude-remote exec -- sleep 30.123"]).stdout.toString().trim().split("\n").filter(Boolean);
  await waitFor(() => wrapperPids().length > 0 && Bun.spawnSync(["pgrep", "-x", "sleep"]).success, { what: "wrapper running sleep" });
  await Bun.sleep(200);
  for (const pid of wrapperPids()) process.kill(Number(pid), "SIGTERM");
  expect(await t.exited).toBe(0);
  expect(t.text()).toContain("wrapper=143");
  const before = await Bun.file(`${dir}/before`).text();
  expect(await Bun.file(`${dir}/after-exit`).text()).toBe(before);
  expect(await Bun.file(`${dir}/after-term`).text()).toBe(before);
});
