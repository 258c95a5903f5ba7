/**
 * The passthrough loop of the native backend, on its own thread, as script(1) does it: poll the
 * PTY master (and the local stdin), read the master with a large buffer until it is empty, write
 * that to the local stdout with blocking writes, and hand the same bytes to the main thread for
 * the link. Stdin goes to the master here too, so keystrokes never wait for the JS thread.
 *
 * Shared control words (Int32Array over a SharedArrayBuffer), see CTL in ./copy-protocol.ts.
 */
import type { Pointer } from "bun:ffi";
import { errno, EAGAIN, EINTR, libc, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, ptr } from "./libc.ts";
import { CL, CTL, type CopyStart, type CopyEvent } from "./copy-protocol.ts";
import { type CopyLoop, loadCopyLoop, ST, ST_WORDS } from "./copy-loop.ts";

declare const self: Worker;

const lib = libc()!;
const BATCH = 1024 * 1024;
const POLL_MS = 50;
/** While output keeps coming, reads are gathered up to this much before the JS thread gets them… */
const COALESCE = 64 * 1024;
/** …unless the last batch went this long ago (interactive output goes at once). */
const QUIET_MS = 5;
/** Linux hands out a PTY master's data at most this much per read (the line discipline's buffer, less one). */
const PTY_READ_MAX = 4095;

function post(ev: CopyEvent, transfer?: Transferable[]): void {
  self.postMessage(ev, transfer ?? []);
}

const pfd = new Int32Array(2); // writeAll's struct pollfd

/** Writes all of `buf` to a blocking-or-not fd; false once the fd is gone (EPIPE, EIO, …). */
function writeAll(fd: number, buf: Uint8Array): boolean {
  let off = 0;
  while (off < buf.length) {
    const n = lib.write(fd, ptr(buf, off), buf.length - off);
    if (n > 0) off += n;
    else if (n < 0) {
      const e = errno(lib);
      if (e === EINTR) continue;
      if (e !== EAGAIN) return false;
      pfd[0] = fd;
      pfd[1] = POLLOUT;
      lib.poll(ptr(pfd), 1, -1);
    }
  }
  return true;
}

function run(start: CopyStart): void {
  const { master, ctl: sab } = start;
  let stdin = start.stdin;
  let stdout = start.stdout;
  const ctl = new Int32Array(sab);
  const batch = new Uint8Array(BATCH); // read straight into it; the local write goes from here, the link gets one copy
  let len = 0;
  const inBuf = new Uint8Array(64 * 1024);
  let pending: Uint8Array | null = null; // stdin bytes the master did not take yet
  const fds = new Int32Array(4); // two struct pollfd { int fd; short events; short revents; }
  const ev16 = new Int16Array(fds.buffer);
  // the buffers live as long as the loop, so their addresses are taken once, not per call
  const batchAt = ptr(batch);
  const inAt = ptr(inBuf);
  const fdsAt = ptr(fds);

  // One batch at a time goes to the JS thread: while it has one, output collects here (written to
  // stdout at once all the same). That bounds memory and cuts messages when the JS thread is busy.
  // During a burst, small reads are gathered up to COALESCE bytes before they go (fewer, larger
  // buffers and messages: less garbage on the JS side); output after a quiet spell, or when the
  // master has nothing more for a poll timeout, goes at once (a keystroke's echo is not held).
  let lastPost = 0;
  let idle = false; // the last poll timed out: the master has nothing more for now
  const flush = (last = false) => {
    if (!len || (!last && Atomics.load(ctl, CTL.inFlight) !== 0)) return;
    if (!start.post) return void (len = 0); // nobody on the JS side wants it: the batch is only a read buffer
    const now = performance.now();
    if (!last && !idle && len < COALESCE && now - lastPost < QUIET_MS) return;
    const chunk = batch.slice(0, len);
    Atomics.add(ctl, CTL.inFlight, len);
    post({ type: "data", data: chunk }, [chunk.buffer]);
    lastPost = now;
    len = 0;
  };
  const waitForJs = () => {
    while (Atomics.load(ctl, CTL.inFlight) !== 0 && Atomics.load(ctl, CTL.stop) === 0)
      Atomics.wait(ctl, CTL.inFlight, Atomics.load(ctl, CTL.inFlight), POLL_MS);
  };

  while (Atomics.load(ctl, CTL.stop) === 0) {
    flush();
    if (len === BATCH) {
      waitForJs();
      continue;
    }
    fds[0] = master;
    ev16[2] = POLLIN | (pending ? POLLOUT : 0);
    ev16[3] = 0;
    const nfds = stdin >= 0 && !pending ? 2 : 1;
    fds[2] = stdin;
    ev16[6] = POLLIN;
    ev16[7] = 0;
    const r = lib.poll(fdsAt, nfds, len ? 1 : POLL_MS); // a batch waiting: look again soon whether the JS thread took the last
    if (r < 0 && errno(lib) !== EINTR) return post({ type: "error", message: `poll failed (errno ${errno(lib)})` });
    idle = r === 0;
    if (r <= 0) continue;

    const mrev = ev16[3];
    if (mrev & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
      const from = len;
      let eof = false;
      while (len < BATCH) {
        const n = lib.read(master, (batchAt + len) as Pointer, BATCH - len);
        if (n > 0) {
          len += n;
          Atomics.add(ctl, CTL.reads, 1);
          if (n < PTY_READ_MAX) break; // the master had less than one full read: it is empty, no need to be told by EAGAIN
        } else if (n < 0 && errno(lib) === EINTR) continue;
        else {
          // EAGAIN: drained for now; EIO (every slave closed) or 0: the end
          eof = n === 0 || errno(lib) !== EAGAIN;
          break;
        }
      }
      if (len > from && stdout >= 0 && !writeAll(stdout, batch.subarray(from, len))) stdout = -1; // the local side went away; the link still gets it
      if (eof) {
        flush(true); // the last batch goes even if one is still being taken: nothing is left behind
        return post({ type: "eof" });
      }
    }

    if (pending && mrev & POLLOUT) pending = feed(master, pending);
    if (nfds === 2 && ev16[7] & (POLLIN | POLLHUP | POLLERR)) {
      const n = lib.read(stdin, inAt, inBuf.length);
      if (n > 0) {
        // a keystroke goes straight from the stdin buffer into the master (its address taken once);
        // only a rest the master refused is copied
        const w = lib.write(master, inAt, n);
        pending = w === n ? null : feed(master, inBuf.subarray(Math.max(0, w), n));
      } else if (n === 0 || (errno(lib) !== EINTR && errno(lib) !== EAGAIN)) {
        // stdin ended: a pipe's end is the child's end of input (^D), as the JS backends do
        if (start.eofOnStdinEnd) pending = feed(master, Uint8Array.of(4));
        stdin = -1;
      }
    }
  }
  flush(true);
  post({ type: "stopped" });
}

/** Writes what the master takes now; returns the rest (or null). */
function feed(master: number, data: Uint8Array): Uint8Array | null {
  let off = 0;
  while (off < data.length) {
    const n = lib.write(master, ptr(data, off), data.length - off);
    if (n > 0) off += n;
    else if (n < 0 && errno(lib) === EINTR) continue;
    else break;
  }
  return off < data.length ? data.slice(off) : null; // a copy: `data` may be the reused stdin buffer
}

/**
 * The same loop in C (./copy-loop.c): it returns here only to hand a batch over, to wait for the
 * JS thread to take the last one, and at the end.
 */
function runC(loop: CopyLoop, start: CopyStart): void {
  const ctl = new Int32Array(start.ctl);
  const batch = new Uint8Array(BATCH);
  const inBuf = new Uint8Array(64 * 1024);
  const st = new Int32Array(ST_WORDS);
  st[ST.master] = start.master;
  st[ST.stdin] = start.stdin;
  st[ST.stdout] = start.stdout;
  st[ST.eofOnStdinEnd] = start.eofOnStdinEnd ? 1 : 0;
  st[ST.post] = start.post ? 1 : 0;
  st[ST.cap] = BATCH;
  st[ST.inCap] = inBuf.length;
  const postBatch = () => {
    const len = st[ST.len];
    if (!len) return;
    const chunk = batch.slice(0, len);
    Atomics.add(ctl, CTL.inFlight, len);
    post({ type: "data", data: chunk }, [chunk.buffer]);
    st[ST.len] = 0;
  };
  for (;;) {
    const r = loop.run(st, ctl, batch, inBuf);
    if (r === CL.post) postBatch();
    else if (r === CL.wait) {
      while (Atomics.load(ctl, CTL.inFlight) !== 0 && Atomics.load(ctl, CTL.stop) === 0)
        Atomics.wait(ctl, CTL.inFlight, Atomics.load(ctl, CTL.inFlight), POLL_MS);
    } else if (r === CL.eof || r === CL.stopped) {
      postBatch(); // the last batch goes even if one is still being taken: nothing is left behind
      return post({ type: r === CL.eof ? "eof" : "stopped" });
    } else return post({ type: "error", message: `poll failed (errno ${st[ST.err]})` });
  }
}

self.onmessage = async (e: MessageEvent<CopyStart>) => {
  try {
    const loop = e.data.cLoop ? await loadCopyLoop() : null;
    post({ type: "loop", loop: loop ? "c" : "js" });
    if (loop) runC(loop, e.data);
    else run(e.data);
  } catch (err) {
    post({ type: "error", message: (err as Error).message });
  }
};
