/**
 * The copy loop in C (./copy-loop.c), compiled at run time with bun:ffi's `cc` (TinyCC, built
 * into Bun) in the thread that runs it. `null` where it cannot be had — `cc` missing or failing,
 * not Linux, or `CLAUDE_REMOTE_COPY_LOOP=js` — and the copy worker then runs its JS loop.
 */
import { fileURLToPath } from "node:url";

const COPY_LOOP_SOURCE = fileURLToPath(new URL("./copy-loop.c", import.meta.url));

/** The C state block (struct state in ./copy-loop.c), as Int32 words. */
export const ST = {
  master: 0,
  stdin: 1,
  stdout: 2,
  eofOnStdinEnd: 3,
  post: 4,
  len: 5,
  cap: 6,
  inCap: 7,
  pendOff: 8,
  pendLen: 9,
  idle: 10,
  err: 11,
  // 12–13: last_post (a long, 8-aligned)
} as const;
export const ST_WORDS = 16;

export type CopyLoop = { run: (st: NodeJS.TypedArray, ctl: NodeJS.TypedArray, batch: Uint8Array, input: Uint8Array) => number };

/** Compiles the loop; null (never a throw) where it cannot be had. */
export async function loadCopyLoop(source = COPY_LOOP_SOURCE): Promise<CopyLoop | null> {
  if (process.env.CLAUDE_REMOTE_COPY_LOOP === "js") return null;
  if (process.platform !== "linux" || (process.arch !== "x64" && process.arch !== "arm64")) return null;
  try {
    const { cc, FFIType } = await import("bun:ffi");
    const { symbols } = cc({
      source,
      symbols: { cl_run: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 } },
    });
    const run = symbols.cl_run as unknown as (a: NodeJS.TypedArray, b: NodeJS.TypedArray, c: Uint8Array, d: Uint8Array) => number;
    return { run };
  } catch {
    return null;
  }
}
