/**
 * Local keystroke echo: a key typed into the outer terminal until its echo comes back, for a bare
 * PTY, script(1) and the wrapper (native and Bun-terminal backends, with the server attached and
 * unpaired). The child is the same everywhere: `cat` with the tty in raw mode, so the echo is the
 * program's, through every hop a real agent's echo takes. All targets run at once and the keys go
 * round robin, one at a time, so every target sees the same moments of the shared machine.
 *   bun bench/run.ts echo [--keys=1000]
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RssSampler } from "./lib/proc.ts";
import { BUN, CLI, startBenchServer } from "./lib/server.ts";
import { now, r3, stats } from "./lib/stats.ts";

const CHILD = ["sh", "-c", "stty raw -echo; printf READY; exec cat"];

type Target = { name: string; argv: string[]; env: Record<string, string> };

type Live = {
  name: string;
  proc: ReturnType<typeof Bun.spawn>;
  got: number;
  text: string;
  waiter: (() => void) | null;
  samples: number[];
  rss: RssSampler;
};

function start(t: Target): Live {
  const live: Live = { name: t.name, got: 0, text: "", waiter: null, samples: [], proc: null as never, rss: null as never };
  live.proc = Bun.spawn(t.argv, {
    env: { ...process.env, TERM: "xterm-256color", LANG: "C.UTF-8", ...t.env },
    terminal: {
      cols: 120,
      rows: 40,
      data: (_t, d) => {
        live.got += d.byteLength;
        if (live.text.length < 4096) live.text += new TextDecoder().decode(d);
        live.waiter?.();
      },
    },
  });
  live.rss = new RssSampler(live.proc.pid, 100);
  return live;
}

async function until(live: Live, ok: () => boolean, ms: number): Promise<boolean> {
  const deadline = now() + ms;
  while (!ok()) {
    const left = deadline - now();
    if (left <= 0) return false;
    await new Promise<void>((r) => {
      live.waiter = r;
      setTimeout(r, Math.min(left, 50));
    });
    live.waiter = null;
  }
  return true;
}

/** One key and its echo: ms from the write to the first byte back. */
async function key(live: Live, ch: string): Promise<number> {
  const before = live.got;
  const t0 = now();
  live.proc.terminal!.write(ch);
  if (!(await until(live, () => live.got > before, 5000))) throw new Error(`${live.name}: no echo of ${JSON.stringify(ch)} in 5 s`);
  return now() - t0;
}

export async function run(args: string[] = []): Promise<Record<string, unknown>> {
  const keys = Number(args.find((a) => a.startsWith("--keys="))?.slice(7) ?? 1000);
  const server = await startBenchServer();
  const unpaired = mkdtempSync(join(tmpdir(), "cr-echo-unpaired-"));
  const wrap = (pty: string, configDir: string) => ({
    argv: [BUN, CLI, "exec", "--name", `echo-${pty}`, "--", ...CHILD],
    env: { CLAUDE_REMOTE_PTY: pty, CLAUDE_REMOTE_CONFIG_DIR: configDir },
  });
  const targets: Target[] = [
    { name: "bare", argv: CHILD, env: {} },
    ...(Bun.which("script")
      ? [{ name: "script", argv: ["script", "-q", "-e", "-c", CHILD.map((a) => `'${a}'`).join(" "), "/dev/null"], env: {} }]
      : []),
    { name: "native+server", ...wrap("native", server.configDir) },
    { name: "native unpaired", ...wrap("native", unpaired) },
    { name: "bun+server", ...wrap("bun", server.configDir) },
    { name: "bun unpaired", ...wrap("bun", unpaired) },
  ];
  const lives = targets.map(start);
  const table: Record<string, ReturnType<typeof stats> & { rssMB: number }> = {};
  try {
    for (const l of lives)
      if (!(await until(l, () => l.text.includes("READY"), 20_000))) throw new Error(`${l.name} did not start: ${JSON.stringify(l.text)}`);
    await Bun.sleep(300);
    const letters = "abcdefghijklmnopqrstuvwxyz";
    for (let i = 0; i < keys; i++) {
      for (const l of lives) {
        l.samples.push(await key(l, letters[i % letters.length]));
        await Bun.sleep(1);
      }
    }
    for (const l of lives) table[l.name] = { ...stats(l.samples), rssMB: l.rss.stop().peakMB };
  } finally {
    for (const l of lives) l.proc.kill("SIGTERM");
    await Promise.all(lives.map((l) => l.proc.exited));
    await server.stop();
  }
  const bare = table.bare;
  const added = Object.fromEntries(Object.entries(table).map(([k, v]) => [k, { p50: r3(v.p50 - bare.p50), p99: r3(v.p99 - bare.p99) }]));
  for (const [k, v] of Object.entries(table))
    console.log(
      `echo ${k.padEnd(16)} p50 ${v.p50} ms  p99 ${v.p99} ms  (+${added[k].p50} / +${added[k].p99} over bare)  max ${v.max}  rss ${v.rssMB} MB`,
    );
  console.log(
    `echo goal: native+server adds ≤ 0.1 ms p50 and ≤ 0.5 ms p99 over bare: +${added["native+server"].p50} / +${added["native+server"].p99}`,
  );
  return { keys, table, added };
}

if (import.meta.main) console.log(JSON.stringify(await run(process.argv.slice(2))));
