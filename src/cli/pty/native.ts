/**
 * The native backend (`CLAUDE_REMOTE_PTY=native`, the default where it runs): a PTY opened
 * through libc, the child spawned on its slave by `setsid -c` (a new session with the PTY as its
 * controlling terminal, as a terminal emulator does), and the copying done by ./copy-worker.ts on
 * its own thread with large buffers — by the C loop of ./copy-loop.c (compiled with bun:ffi's
 * `cc`) where it compiles, else by the worker's JS loop. The JS thread only sees each chunk once,
 * for the link.
 */
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { resolve } from "node:path";
import { CTL, CTL_WORDS, type CopyEvent, type CopyStart } from "./copy-protocol.ts";
import { EAGAIN, EINTR, errno, ptr, type Lib } from "./libc.ts";
import { nativeAvailable, openPty, setSize } from "./native-pty.ts";
import { DEFAULT_INPUT_QUEUE_BYTES, type PtyBackend, type PtyExit } from "./types.ts";

/**
 * After the child exits, the PTY's EOF is waited for while output still flows (a slow terminal
 * taking the tail), but only DRAIN_MS without any (a grandchild may hold the PTY open) and at most
 * DRAIN_MAX_MS in all (a grandchild that keeps writing).
 */
const DRAIN_MS = 1500;
const DRAIN_MAX_MS = 10_000;
const encoder = new TextEncoder();

export const nativePty: PtyBackend = (argv, opts) => {
  const avail = nativeAvailable();
  if (!avail) throw new Error("the native PTY backend needs Linux (x64 or arm64) with libc and setsid(1)");
  const { lib, setsid } = avail;
  // setsid would only fail after the fork; fail here, like Bun.spawn does (argv[0] itself is kept)
  const found = argv[0].includes("/")
    ? existsSync(resolve(opts.cwd, argv[0]))
    : Bun.which(argv[0], { PATH: opts.env.PATH ?? "", cwd: opts.cwd });
  if (!found) throw new Error(`command not found: ${argv[0]}`);
  const pair = openPty(lib, opts.cols, opts.rows);
  let proc: ReturnType<typeof Bun.spawn>;
  try {
    proc = Bun.spawn([setsid, "-c", "--", ...argv], {
      cwd: opts.cwd,
      env: { ...opts.env, TERM: opts.env.TERM ?? "xterm-256color" },
      stdio: [pair.slave, pair.slave, pair.slave],
    });
  } catch (e) {
    lib.close(pair.master);
    throw e;
  } finally {
    lib.close(pair.slave); // only the child holds the slave now, so its exit is the master's EOF
  }

  const ctlBuf = new SharedArrayBuffer(CTL_WORDS * 4);
  const ctl = new Int32Array(ctlBuf);
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  let setLoop!: (l: "c" | "js") => void;
  const copyLoop = new Promise<"c" | "js">((r) => (setLoop = r));
  const worker = new Worker(new URL("./copy-worker.ts", import.meta.url).href);
  worker.onmessage = (e: MessageEvent<CopyEvent>) => {
    const ev = e.data;
    if (ev.type === "data") {
      opts.onData?.(ev.data);
      Atomics.sub(ctl, CTL.inFlight, ev.data.byteLength);
      Atomics.notify(ctl, CTL.inFlight);
    } else if (ev.type === "loop") setLoop(ev.loop);
    else {
      if (ev.type === "error") process.stderr.write(`claude-remote: PTY copy failed: ${ev.message}\n`);
      finish();
    }
  };
  worker.onerror = (e) => {
    process.stderr.write(`claude-remote: PTY copy thread failed: ${e.message}\n`);
    proc.kill("SIGHUP"); // nothing reads its output any more
    finish();
  };
  const start: CopyStart = {
    master: pair.master,
    stdin: opts.local ? 0 : -1,
    stdout: opts.local ? 1 : -1,
    eofOnStdinEnd: opts.local ? !process.stdin.isTTY : false,
    post: opts.onData !== undefined,
    cLoop: process.env.CLAUDE_REMOTE_COPY_LOOP !== "js",
    ctl: ctlBuf,
  };
  worker.postMessage(start);

  const input = inputWriter(lib, pair.master, opts.inputQueueBytes ?? DEFAULT_INPUT_QUEUE_BYTES);
  const exited = proc.exited.then(async (code): Promise<PtyExit> => {
    await drain(ctl, finished);
    Atomics.store(ctl, CTL.stop, 1);
    Atomics.notify(ctl, CTL.inFlight);
    const stopped = await Promise.race([finished.then(() => true), Bun.sleep(2000).then(() => false)]);
    worker.terminate();
    input.close();
    if (stopped) lib.close(pair.master); // else the thread is stuck in a write to stdout: leave the fd to the process's exit
    const signal = typeof proc.signalCode === "string" ? proc.signalCode : null;
    const signo = signal ? ((constants.signals as Record<string, number>)[signal] ?? 0) : 0;
    return { exitCode: signal ? 128 + signo : (code ?? 0), signal };
  });
  return {
    pid: proc.pid,
    write: (d) => input.write(typeof d === "string" ? encoder.encode(d) : d),
    get queuedInput() {
      return input.queued;
    },
    resize: (c, r) => {
      try {
        setSize(lib, pair.master, c, r);
      } catch {} // the PTY is already closed
    },
    kill: (s) => proc.kill(s),
    exited,
    copyLoop,
  };
};

async function drain(ctl: Int32Array, finished: Promise<void>): Promise<void> {
  let done = false;
  void finished.then(() => (done = true));
  const until = Date.now() + DRAIN_MAX_MS;
  for (let reads = -1; !done && Date.now() < until && reads !== Atomics.load(ctl, CTL.reads); ) {
    reads = Atomics.load(ctl, CTL.reads);
    await Promise.race([finished, Bun.sleep(DRAIN_MS)]);
  }
}

/**
 * Input from the JS thread (the link, an adapter) to the non-blocking master: what it cannot take
 * now is retried shortly, in order, up to `maxQueued` bytes; past that a write is refused whole
 * (a child that never reads cannot make the wrapper hold remote input without bound).
 */
function inputWriter(lib: Lib, master: number, maxQueued: number) {
  const queue: Uint8Array[] = [];
  let queued = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  const flush = () => {
    timer = null;
    while (queue.length && !closed) {
      const d = queue[0];
      const n = lib.write(master, ptr(d), d.byteLength);
      if (n > 0) queued -= n;
      if (n === d.byteLength) queue.shift();
      else if (n > 0) queue[0] = d.subarray(n);
      else if (n < 0 && errno(lib) === EINTR) continue;
      else if (n < 0 && errno(lib) !== EAGAIN) {
        queued = 0;
        return void queue.splice(0); // the PTY is gone
      } else break;
    }
    if (queue.length && !closed) timer = setTimeout(flush, 5);
  };
  return {
    write(d: Uint8Array): boolean {
      if (closed || !d.byteLength) return true;
      if (queued > 0 && queued + d.byteLength > maxQueued) return false; // (one write larger than the bound still goes, alone)
      queue.push(d);
      queued += d.byteLength;
      if (!timer) flush();
      return true;
    },
    get queued() {
      return queued;
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}

export const nativeSupported = (): boolean => nativeAvailable() !== null;
