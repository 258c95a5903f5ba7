/**
 * claude-remote as one more target of /work/shared/peers/peerbench.ts: the same workload
 * (workload.sh), the same trigger, the same counting and the same statistics, but speaking our
 * protocol. The session is created the way a user creates one: `claude-remote exec -- workload.sh …`
 * in a terminal (here `script`, whose output goes to /dev/null, standing in for the user's
 * terminal). The viewer reads the raw output SSE `/events?session=ID` (base64 in JSON) or, with
 * `--view screen`, the screen-diff SSE; input goes through `POST /api/sessions/:id/input`. With
 * `--view ws` both go over the viewer WebSocket `/ws/viewer` (raw output events, input frames).
 * `--target pty` is the physical limit of this machine: the same workload in a bare PTY read
 * directly by this process (no wrapper, no server, no network), with the same harness.
 *   bun bench/peer-claude-remote.ts --url U --token T --config-dir D --server-pid P
 *       --mode throughput|latency|echo [--bytes N] [--count N] [--interval-ms N] [--view raw|screen|ws] [--json F]
 *   bun bench/peer-claude-remote.ts --target pty --mode throughput|latency|echo [...]
 */
import { writeFileSync } from "node:fs";
import { cpuSeconds, RssSampler } from "./lib/proc.ts";
import { BUN, CLI } from "./lib/server.ts";
import { newScreenLines } from "./lib/screen-lines.ts";
import { readSse } from "./lib/sse.ts";
import { now, r2, stats } from "./lib/stats.ts";

export const WORKLOAD = "/work/shared/peers/workload.sh";

const argv = process.argv.slice(2);
const opt = (name: string, def?: string) => {
  const i = argv.lastIndexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : def;
};
const URL_ = opt("url")!;
const TOKEN = opt("token")!;
const CONFIG_DIR = opt("config-dir")!;
const MODE = opt("mode", "throughput")!;
const VIEW = opt("view", "raw")!;
const TARGET = opt("target", "claude-remote")!;
const BYTES = Math.min(Number(opt("bytes", "20000000")), 500_000_000);
const COUNT = Math.min(Number(opt("count", MODE === "echo" ? "50" : "100")), 100_000);
const INTERVAL_MS = Number(opt("interval-ms", MODE === "echo" ? "20" : "10"));
const TIMEOUT_S = Math.min(Number(opt("timeout-s", "120")), 600);
const SERVER_PID = opt("server-pid") ? Number(opt("server-pid")) : undefined;
const JSON_OUT = opt("json");
const COLS = 120,
  ROWS = 40;
const deadline = Date.now() + TIMEOUT_S * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function workloadArgs(): string[] {
  if (MODE === "throughput") return ["throughput", String(BYTES)];
  if (MODE === "latency") return ["latency", String(COUNT), String(INTERVAL_MS)];
  return ["echo", String(COUNT)];
}

const api = (path: string, init: RequestInit = {}) =>
  fetch(URL_ + path, {
    ...init,
    headers: { Authorization: `Bearer ${TOKEN}`, ...(init.body ? { "Content-Type": "application/json" } : {}) },
  });

type OutputFn = (text: string, wireBytes: number) => void;
type Target = { name: string; open(args: string[]): Promise<void>; send(text: string): void; close(): Promise<void> };

/** The physical limit: the workload's PTY read by this process itself, input written straight to it. */
class BarePty implements Target {
  name = "bare-pty";
  private proc?: ReturnType<typeof Bun.spawn>;
  constructor(private onOut: OutputFn) {}

  async open(args: string[]) {
    this.proc = Bun.spawn([WORKLOAD, ...args], {
      env: { ...process.env, TERM: "xterm-256color", LANG: "C.UTF-8" },
      terminal: {
        cols: COLS,
        rows: ROWS,
        data: (_t, d) => this.onOut(Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString("latin1"), d.byteLength),
      },
    });
  }

  send(text: string) {
    this.proc?.terminal?.write(text);
  }

  async close() {
    const p = this.proc;
    if (!p) return;
    await Promise.race([p.exited, sleep(5000)]);
    if (p.exitCode === null) p.kill("SIGKILL");
    p.terminal?.close();
  }
}

class ClaudeRemote implements Target {
  name = VIEW === "screen" ? "claude-remote-screen" : VIEW === "ws" ? "claude-remote-ws" : "claude-remote";
  id = "";
  term?: ReturnType<typeof Bun.spawn>;
  abort = new AbortController();
  private seen = new Set<string>();
  private ws?: WebSocket;
  constructor(private onOut: OutputFn) {}

  private event(event: string, data: string, wire: number): void {
    if (event === "output") {
      const m = JSON.parse(data) as { data: string };
      this.onOut(Buffer.from(m.data, "base64").toString("latin1"), wire);
    } else if (event === "screen" || event === "rows") this.onOut(newScreenLines(event, data, this.seen), wire);
    else this.onOut("", wire);
  }

  private async openSocket(): Promise<void> {
    const ws = new WebSocket(`${URL_.replace(/^http/, "ws")}/ws/viewer?session=${this.id}`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    } as unknown as string[]);
    ws.onmessage = (e) => {
      const text = String(e.data);
      const m = JSON.parse(text) as { event: string; data: unknown };
      // the same parse as the SSE path: the event's data is handed on as JSON text
      this.event(m.event, JSON.stringify(m.data), text.length);
    };
    await new Promise<void>((res, rej) => {
      ws.onopen = () => res();
      ws.onerror = () => rej(new Error("viewer socket failed"));
    });
    this.ws = ws;
  }

  async open(args: string[]) {
    const name = `bench-${MODE}-${process.pid}-${Date.now()}`;
    const cmd = [BUN, CLI, "exec", "--name", name, "--", WORKLOAD, ...args].map((a) => `'${a}'`).join(" ");
    // `script` gives the wrapper a real terminal (as a user's shell would) and discards what it shows
    this.term = Bun.spawn(["script", "-qfec", `stty cols ${COLS} rows ${ROWS}; exec ${cmd}`, "/dev/null"], {
      env: { ...process.env, CLAUDE_REMOTE_CONFIG_DIR: CONFIG_DIR, TERM: "xterm-256color", LANG: "C.UTF-8" },
      stdin: "pipe",
      stdout: "ignore",
      stderr: "ignore",
    });
    for (;;) {
      const list = (await (await api("/api/sessions")).json()) as Array<{ id: string; name: string }>;
      const s = list.find((x) => x.name === name);
      if (s) {
        this.id = s.id;
        break;
      }
      if (Date.now() > deadline) throw new Error("session never appeared");
      await sleep(5);
    }
    if (VIEW === "ws") return this.openSocket();
    const view = VIEW === "screen" ? "&view=screen" : "";
    let wire = 0;
    void readSse(
      `${URL_}/events?session=${this.id}${view}`,
      TOKEN,
      (event, data) => {
        const w = wire;
        wire = 0;
        this.event(event, data, w);
      },
      { signal: this.abort.signal, onWire: (b) => (wire += b) },
    ).catch(() => {});
  }

  send(text: string) {
    if (this.ws) return this.ws.send(JSON.stringify({ type: "input", text }));
    void api(`/api/sessions/${this.id}/input`, { method: "POST", body: JSON.stringify({ text }) }).catch(() => {});
  }

  async close() {
    this.abort.abort();
    this.ws?.close();
    const t = this.term;
    if (t) {
      await Promise.race([t.exited, sleep(5000)]);
      if (t.exitCode === null) t.kill("SIGKILL");
    }
  }
}

// ---- the harness: the same as peerbench.ts ----
const READY = "__BENCH_READY__",
  END = "__BENCH_END__";
let payloadChars = 0,
  wireBytes = 0,
  tail = "",
  lineBuf = "";
let sawReady = false,
  endAt = 0,
  tTrigger = 0,
  firstByteAt = 0;
const lat: number[] = [];
const echoWait = new Map<string, (t: number) => void>();

const onOut: OutputFn = (text, wire) => {
  const t = now();
  wireBytes += wire;
  if (!text) return;
  if (sawReady) {
    payloadChars += text.length;
    if (!firstByteAt && tTrigger) firstByteAt = t;
  }
  const scan = tail + text;
  if (!sawReady && scan.includes(READY)) sawReady = true;
  if (!endAt && tTrigger && scan.includes(END)) endAt = t;
  tail = scan.slice(-64);
  if (MODE !== "throughput") {
    lineBuf += text;
    const lines = lineBuf.split("\n");
    lineBuf = lines.pop() ?? "";
    if (lineBuf.length > 1 << 20) lineBuf = "";
    for (const raw of lines) {
      const line = raw.replace(/\r/g, "");
      const m = /^LAT (\d+) (\d+\.\d+)$/.exec(line);
      if (m) lat.push(t - Number(m[2]) * 1000);
      const e = /^ECHO:(k\d+)$/.exec(line);
      if (e) echoWait.get(e[1])?.(t);
    }
  }
};

async function waitUntil(pred: () => boolean, what: string) {
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timeout waiting for ${what}`);
    await sleep(2);
  }
}

async function main() {
  const tr: Target = TARGET === "pty" ? new BarePty(onOut) : new ClaudeRemote(onOut);
  const rss = SERVER_PID ? new RssSampler(SERVER_PID) : null;
  const cpu0 = SERVER_PID ? cpuSeconds(SERVER_PID) : NaN;
  const result: Record<string, unknown> = { peer: tr.name, mode: MODE, url: URL_ };
  let error: string | undefined;
  try {
    const t0 = now();
    await tr.open(workloadArgs());
    result.attachMs = Math.round((now() - t0) * 10) / 10;
    const readyBy = Date.now() + 3000;
    while (!sawReady && Date.now() < readyBy) await sleep(2);
    result.readyBeforeTrigger = sawReady;
    sawReady = true;
    await sleep(200);
    payloadChars = 0;
    wireBytes = 0;
    tTrigger = now();
    tr.send("go\r");
    if (MODE === "echo") {
      const rtt: number[] = [];
      for (let i = 1; i <= COUNT && Date.now() < deadline; i++) {
        const key = `k${i}`;
        const got = new Promise<number>((res) => echoWait.set(key, res));
        const ts = now();
        tr.send(`${key}\r`);
        const t = await Promise.race([got, sleep(5000).then(() => -1)]);
        if (t > 0) rtt.push(t - ts);
        echoWait.delete(key);
        await sleep(INTERVAL_MS);
      }
      result.echoRttMs = stats(rtt);
    }
    await waitUntil(() => endAt > 0, END);
    const secs = (endAt - tTrigger) / 1000;
    result.payloadBytes = payloadChars;
    result.wireBytes = wireBytes;
    result.seconds = Math.round(secs * 1000) / 1000;
    if (MODE === "throughput") {
      result.MBps = r2(payloadChars / 1e6 / secs);
      result.firstByteMs = r2(firstByteAt - tTrigger);
    }
    if (MODE === "latency") {
      result.latencyMs = stats(lat);
      result.expected = COUNT;
    }
  } catch (e) {
    error = String(e instanceof Error ? e.message : e);
  } finally {
    await Promise.race([tr.close(), sleep(8000)]);
    if (rss) result.rss = rss.stop();
    if (SERVER_PID) result.serverCpuS = r2(cpuSeconds(SERVER_PID) - cpu0);
  }
  if (error) result.error = error;
  const out = JSON.stringify(result);
  console.log(out);
  if (JSON_OUT) writeFileSync(JSON_OUT, out + "\n", { flag: "a" });
  process.exit(error ? 1 : 0);
}

if (import.meta.main) await main();
