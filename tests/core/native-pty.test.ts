/**
 * The native PTY backend (a libc PTY, copied off the JS thread), asked for by name so it stays
 * covered whatever the default is: byte-exact at 100 MB, the child's controlling terminal, resize,
 * exit codes, signals, raw mode restored, and the fallback where it cannot run.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { BUN, CLI, type TestServer, sessions, startTestServer, storedOutput, tempDir } from "../support/server.ts";
import { spawnInPty } from "../support/pty.ts";
import { waitFor } from "../support/wait.ts";

const NATIVE = { CLAUDE_REMOTE_PTY: "native" };
let server: TestServer;
let configDir: string;

beforeAll(async () => {
  server = await startTestServer();
  ({ configDir } = await server.pairDevice());
});
afterAll(() => server.stop());

/**
 * Random bytes in a file, not valid UTF-8. `printable`: only printable ASCII, newlines and
 * 0xA0–0xFF (no control sequences, so a terminal emulator reading along parses it quietly).
 */
async function randomFile(bytes: number, printable = false): Promise<string> {
  const path = join(tempDir("cr-native-"), `random-${bytes}`);
  const w = Bun.file(path).writer();
  const block = new Uint8Array(1 << 16);
  for (let left = bytes; left > 0; left -= block.length) {
    crypto.getRandomValues(block);
    if (printable)
      for (let i = 0; i < block.length; i++)
        block[i] =
          block[i] % 97 === 0 ? 10 : block[i] < 0x20 ? block[i] + 0x20 : block[i] >= 0x7f && block[i] < 0xa0 ? block[i] + 0x21 : block[i];
    w.write(left >= block.length ? block : block.subarray(0, left));
  }
  await w.end();
  return path;
}

/** An outer PTY that keeps only a hash and a count of what it receives (100 MB would not fit a screen). */
function hashedPty(argv: string[], env: Record<string, string>) {
  const hash = new Bun.CryptoHasher("sha256");
  let bytes = 0;
  let eof!: () => void;
  const drained = new Promise<void>((r) => (eof = r));
  const proc = Bun.spawn(argv, {
    env: { ...process.env, TERM: "xterm-256color", ...env },
    terminal: {
      cols: 100,
      rows: 30,
      data: (_t, d) => {
        hash.update(d);
        bytes += d.byteLength;
      },
      exit: () => eof(),
    },
  });
  return {
    done: proc.exited.then(async (code) => {
      await drained;
      return { code, bytes, sha: hash.digest("hex") };
    }),
  };
}

test("100 MB of random bytes: the local terminal gets exactly what a bare PTY gets", async () => {
  const file = await randomFile(100 * 1024 * 1024);
  const bare = await hashedPty(["cat", file], {}).done;
  // unpaired (an empty config dir): the whole stream goes through the copy thread with no server to
  // wait for; the wrapper's own stderr (its "not paired" notice) is sent away, the child's is the PTY
  const wrapped = await hashedPty(["sh", "-c", `exec "$@" 2>/dev/null`, "sh", BUN, CLI, "exec", "--", "cat", file], {
    ...NATIVE,
    CLAUDE_REMOTE_CONFIG_DIR: tempDir("cr-unpaired-"),
  }).done;
  expect(bare.code).toBe(0);
  expect(wrapped.code).toBe(0);
  expect(bare.bytes).toBeGreaterThan(100 * 1024 * 1024);
  expect(wrapped.bytes).toBe(bare.bytes);
  expect(wrapped.sha).toBe(bare.sha);
}, 180_000);

test("8 MB of random bytes: local output and the server's copy are both byte-exact", async () => {
  const file = await randomFile(8 * 1024 * 1024, true);
  // hashed outer PTYs wait for the terminal's EOF (spawnInPty gives up on it after 2 s, too soon under load)
  const bare = await hashedPty(["cat", file], {}).done;
  const wrappedRun = await hashedPty([BUN, CLI, "exec", "--name", "native-binary", "--", "cat", file], {
    ...NATIVE,
    CLAUDE_REMOTE_CONFIG_DIR: configDir,
  }).done;
  expect(bare.code).toBe(0);
  expect(wrappedRun.code).toBe(0);
  expect(wrappedRun.bytes).toBe(bare.bytes);
  expect(wrappedRun.sha).toBe(bare.sha);
  const s = await waitFor(async () => (await sessions(server)).find((x) => x.name === "native-binary" && x.status === "exited"), {
    what: "session exited",
  });
  const stored = await storedOutput(server, s.id);
  expect(stored.length).toBe(bare.bytes);
  expect(new Bun.CryptoHasher("sha256").update(stored).digest("hex")).toBe(bare.sha);
}, 120_000);

const wrapped = (cmd: string[], env: Record<string, string> = {}, size = { cols: 100, rows: 30 }) =>
  spawnInPty([BUN, CLI, "exec", "--", ...cmd], { env: { ...NATIVE, CLAUDE_REMOTE_CONFIG_DIR: configDir, ...env }, ...size });

test("the child has the PTY as its controlling terminal: ^C typed locally interrupts it, job control works", async () => {
  // a session leader with a controlling tty: the line discipline turns ^C into SIGINT for its foreground group
  // sh, not bash: bash opens its tty at start-up and would make it its controlling terminal itself
  const t = wrapped([
    "sh",
    "-c",
    "ps -o sid=,tpgid=,pid= -p $$; echo ctty=$(ps -o tty= -p $$) args=$(ps -o args= -p $$ | cut -c1-5); trap 'echo got-INT; exit 9' INT; echo ready; while :; do sleep 0.05; done",
  ]);
  await waitFor(() => t.text().includes("ready"), { what: "child ready" });
  const [sid, tpgid, pid] = t.text().trim().split(/\s+/).map(Number);
  expect(sid).toBe(pid);
  expect(tpgid).toBe(pid);
  expect(t.text()).toMatch(/ctty=pts\/\d+ args=sh -c/); // argv[0] as given, not resolved to a path
  t.write("\x03");
  await waitFor(() => t.text().includes("got-INT"), { what: "SIGINT from ^C" });
  expect(await t.exited).toBe(9);
});

test("exit codes, a signal-killed child, and SIGTERM/SIGHUP to the wrapper reach the child", async () => {
  expect(await wrapped(["bash", "-c", "exit 42"]).exited).toBe(42);
  expect(await wrapped(["bash", "-c", "kill -KILL $$"]).exited).toBe(137);
  for (const [sig, code] of [
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    const t = wrapped(["bash", "-c", `echo pid=$$; exec sleep 30.${code}`]);
    await waitFor(() => /pid=\d+/.test(t.text()), { what: "child started" });
    const wrapper = Bun.spawnSync(["pgrep", "-f", `claude-remote exec -- bash -c echo pid=\\$\\$; exec sleep 30.${code}`])
      .stdout.toString()
      .trim()
      .split("\n")
      .filter(Boolean);
    expect(wrapper.length).toBe(1);
    await waitFor(() => Bun.spawnSync(["pgrep", "-f", `^sleep 30.${code}$`]).success, { what: "sleep running" });
    process.kill(Number(wrapper[0]), sig);
    expect(await t.exited).toBe(code);
  }
});

test("resize: the child sees the new size (SIGWINCH) and so does the server's screen", async () => {
  const t = wrapped(
    [
      "bash",
      "-c",
      "trap 'echo winch $(tput cols)x$(tput lines)' WINCH; echo size $(tput cols)x$(tput lines); while :; do sleep 0.05; done",
    ],
    {},
    { cols: 70, rows: 20 },
  );
  await waitFor(() => t.text().includes("size 70x20"), { what: "initial size" });
  const s = await waitFor(async () => (await sessions(server)).find((x) => x.status === "running" && x.name === "bash"), {
    what: "session",
  });
  t.resize(133, 44);
  await waitFor(() => t.text().includes("winch 133x44"), { what: "SIGWINCH with the new size" });
  await waitFor(async () => (await (await server.api(`/api/sessions/${s.id}/screen`)).json()).cols === 133, {
    what: "server screen resized",
  });
  t.proc.kill("SIGTERM");
  expect(await t.exited).toBe(143);
});

test("raw mode is restored exactly: normal exit, the child killed, the wrapper killed by SIGTERM, a command that does not exist", async () => {
  const dir = tempDir("cr-native-raw-");
  const ex = `CLAUDE_REMOTE_PTY=native ${BUN} ${CLI} exec --`;
  const script = [
    `stty -g > ${dir}/before`,
    `${ex} bash -c 'exit 0'; stty -g > ${dir}/a`,
    `${ex} bash -c 'kill -KILL $$'; stty -g > ${dir}/b`,
    `${ex} no-such-command-here 2>/dev/null; echo missing=$?; stty -g > ${dir}/c`,
    `${ex} sleep 30.321; echo wrapper=$?; stty -g > ${dir}/d`,
  ].join("; ");
  await Bun.write(`${dir}/script.sh`, script);
  const t = spawnInPty(["bash", `${dir}/script.sh`], { env: { CLAUDE_REMOTE_CONFIG_DIR: configDir } });
  const pids = () =>
    Bun.spawnSync(["pgrep", "-f", "claude-remote exec -- sleep 30.321"]).stdout.toString().trim().split("\n").filter(Boolean);
  await waitFor(() => pids().length > 0 && Bun.spawnSync(["pgrep", "-f", "^sleep 30.321$"]).success, {
    what: () => `wrapper running sleep: ${JSON.stringify(t.text())}`,
  });
  for (const pid of pids()) process.kill(Number(pid), "SIGTERM");
  expect(await t.exited).toBe(0);
  expect(t.text()).toContain("wrapper=143");
  expect(t.text()).toMatch(/missing=[1-9]/);
  const before = await Bun.file(`${dir}/before`).text();
  expect(before).toMatch(/:/);
  for (const f of ["a", "b", "c", "d"]) expect(await Bun.file(`${dir}/${f}`).text()).toBe(before);
});

test("stdin and stdout pipes: input then ^D at its end, output unbuffered to the pipe", async () => {
  const p = Bun.spawn([BUN, CLI, "exec", "--", "bash", "-c", "read a; read b; echo got:$a:$b; cat; echo after-eof; exit 6"], {
    env: { ...process.env, ...NATIVE, CLAUDE_REMOTE_CONFIG_DIR: configDir },
    stdin: new TextEncoder().encode("one\ntwo\nrest\n"),
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(await p.exited).toBe(6);
  const out = await new Response(p.stdout).text();
  expect(out).toContain("got:one:two");
  expect(out).toContain("after-eof");
});

test("where setsid(1) is missing, the default falls back to Bun's terminal and `native` says why", async () => {
  const bin = tempDir("cr-nosetsid-");
  for (const tool of ["bash", "sh", "stty", "env", "cat"]) {
    const at = Bun.which(tool);
    if (at) symlinkSync(at, join(bin, tool));
  }
  mkdirSync(join(bin, "empty"), { recursive: true });
  const run = (env: Record<string, string>) =>
    Bun.spawn([BUN, CLI, "exec", "--", "bash", "-c", "echo fell-back; exit 3"], {
      env: { ...process.env, PATH: bin, CLAUDE_REMOTE_CONFIG_DIR: join(bin, "empty"), ...env },
      stdout: "pipe",
      stderr: "pipe",
    });
  const fallback = run({ CLAUDE_REMOTE_PTY: "" });
  expect(await fallback.exited).toBe(3);
  expect(await new Response(fallback.stdout).text()).toContain("fell-back");
  const asked = run(NATIVE);
  expect(await asked.exited).not.toBe(0);
  expect(await new Response(asked.stderr).text()).toContain("CLAUDE_REMOTE_PTY=native needs");
});

test("unset CLAUDE_REMOTE_PTY picks the native backend here; bun and bun-pty stay selectable", async () => {
  const { loadBackend } = await import("../../src/cli/pty/index.ts");
  const { nativePty } = await import("../../src/cli/pty/native.ts");
  const { bunTerminal } = await import("../../src/cli/pty/bun-terminal.ts");
  const { bunPty } = await import("../../src/cli/pty/bun-pty.ts");
  expect(await loadBackend("")).toBe(nativePty);
  expect(await loadBackend("native")).toBe(nativePty);
  expect(await loadBackend("bun")).toBe(bunTerminal);
  expect(await loadBackend("bun-pty")).toBe(bunPty);
  await expect(loadBackend("nope")).rejects.toThrow(/must be "native", "bun" or "bun-pty"/);
});
