/**
 * A PTY pair opened through libc (posix_openpt, grantpt, unlockpt, ptsname_r), so the wrapper owns
 * the master's file descriptor and can copy it off the JS thread (./copy-worker.ts).
 */
import { errno, errorText, F_GETFL, F_SETFL, libc, O_CLOEXEC, O_NOCTTY, O_NONBLOCK, O_RDWR, ptr, TIOCSWINSZ, type Lib } from "./libc.ts";

export type PtyPair = { master: number; slave: number; slavePath: string };

function check(lib: Lib, r: number, what: string): number {
  if (r < 0) throw new Error(`${what}: ${errorText(lib, errno(lib))}`);
  return r;
}

const cstr = (s: string) => new TextEncoder().encode(s + "\0");

/** Opens a pair with the given size; the master is non-blocking (the copy worker polls it). */
export function openPty(lib: Lib, cols: number, rows: number): PtyPair {
  const master = check(lib, lib.posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), "posix_openpt");
  try {
    check(lib, lib.grantpt(master), "grantpt");
    check(lib, lib.unlockpt(master), "unlockpt");
    const name = new Uint8Array(256);
    if (lib.ptsname_r(master, ptr(name), name.length) !== 0) throw new Error("ptsname_r failed");
    const slavePath = new TextDecoder().decode(name.subarray(0, name.indexOf(0)));
    setSize(lib, master, cols, rows);
    const flags = check(lib, lib.fcntl(master, F_GETFL, 0), "fcntl");
    check(lib, lib.fcntl(master, F_SETFL, flags | O_NONBLOCK), "fcntl");
    const slave = check(lib, lib.open(ptr(cstr(slavePath)), O_RDWR | O_NOCTTY | O_CLOEXEC), `open ${slavePath}`);
    return { master, slave, slavePath };
  } catch (e) {
    lib.close(master);
    throw e;
  }
}

/** TIOCSWINSZ on the master: the kernel sends SIGWINCH to the child's foreground process group. */
export function setSize(lib: Lib, master: number, cols: number, rows: number): void {
  const ws = new Uint16Array([rows, cols, 0, 0]);
  check(lib, lib.ioctl(master, TIOCSWINSZ, ptr(ws)), "ioctl(TIOCSWINSZ)");
}

/** The pair's availability here: libc loads and `setsid` (to give the child its controlling terminal) is on PATH. */
export function nativeAvailable(): { lib: Lib; setsid: string } | null {
  const lib = libc();
  const setsid = Bun.which("setsid");
  return lib && setsid ? { lib, setsid } : null;
}

export { libc };
