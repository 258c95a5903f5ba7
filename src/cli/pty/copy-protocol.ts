/** Messages between the native backend (main thread) and its copy worker. */

/** Indexes into the shared Int32Array control block. */
export const CTL = {
  /** Bytes of the one batch posted to the main thread that it has not handed to onData yet (0: none). */
  inFlight: 0,
  /** Set to 1 by the main thread: the worker leaves its loop within one poll interval. */
  stop: 1,
  /** Read calls that returned output, so far: the main thread tells a draining PTY from an idle one. */
  reads: 2,
} as const;
export const CTL_WORDS = 3;

/** What the C loop's cl_run returns (./copy-loop.c). */
export const CL = { post: 1, wait: 2, eof: 3, stopped: 4, error: 5 } as const;

export type CopyStart = {
  master: number;
  /** The local fds, or -1 for none. */
  stdin: number;
  stdout: number;
  /** Whether the end of stdin (a pipe) sends the child ^D. */
  eofOnStdinEnd: boolean;
  /** Whether the main thread wants the output at all (false: only the local stdout gets it). */
  post: boolean;
  /** Whether to try the C loop (false: `CLAUDE_REMOTE_COPY_LOOP=js`, read on the main thread). */
  cLoop: boolean;
  ctl: SharedArrayBuffer;
};

export type CopyEvent =
  | { type: "data"; data: Uint8Array }
  /** Which loop copies: the C one (./copy-loop.c) or, where it cannot be compiled, the JS one. */
  | { type: "loop"; loop: "c" | "js" }
  | { type: "eof" }
  | { type: "stopped" }
  | { type: "error"; message: string };
