/**
 * The few libc calls the native PTY backend needs, through bun:ffi. Linux only (the ioctl numbers
 * and errno accessor are Linux's); `libc()` returns null anywhere else, or if libc cannot be
 * opened, and the backend seam falls back to Bun's terminal.
 */
import { dlopen, FFIType, ptr, read as peek } from "bun:ffi";

const { i32, u64, ptr: p } = FFIType;

const SYMBOLS = {
  posix_openpt: { args: [i32], returns: i32 },
  grantpt: { args: [i32], returns: i32 },
  unlockpt: { args: [i32], returns: i32 },
  ptsname_r: { args: [i32, p, u64], returns: i32 },
  open: { args: [p, i32], returns: i32 },
  close: { args: [i32], returns: i32 },
  read: { args: [i32, p, u64], returns: i32 },
  write: { args: [i32, p, u64], returns: i32 },
  poll: { args: [p, u64, i32], returns: i32 },
  // ioctl is variadic; its third argument is a pointer, passed like a fixed one on x86-64 and arm64 Linux
  ioctl: { args: [i32, u64, p], returns: i32 },
  fcntl: { args: [i32, i32, i32], returns: i32 },
  __errno_location: { args: [], returns: p },
  strerror: { args: [i32], returns: FFIType.cstring },
} as const;

export const O_RDWR = 0o2;
export const O_NOCTTY = 0o400;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const TIOCSWINSZ = 0x5414;
export const POLLIN = 0x1;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;
export const EINTR = 4;
export const EAGAIN = 11;

type Lib = ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"];

let cached: Lib | null | undefined;

/** libc's symbols, or null where this backend does not run (not Linux, or no glibc/musl libc to open). */
export function libc(): Lib | null {
  if (cached !== undefined) return cached;
  cached = null;
  if (process.platform !== "linux" || (process.arch !== "x64" && process.arch !== "arm64")) return null;
  for (const name of ["libc.so.6", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1", "libc.so"]) {
    try {
      cached = dlopen(name, SYMBOLS).symbols;
      break;
    } catch {}
  }
  return cached;
}

/** The calling thread's errno (read right after the failing call, on the same thread). */
export function errno(lib: Lib): number {
  const at = lib.__errno_location();
  return at ? peek.i32(at, 0) : 0;
}

export function errorText(lib: Lib, code: number): string {
  return `${String(lib.strerror(code))} (errno ${code})`;
}

export { ptr };
export type { Lib };
