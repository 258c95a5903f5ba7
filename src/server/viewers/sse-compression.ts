/**
 * Per-connection compression of an SSE response: one zlib context per viewer, flushed
 * (Z_SYNC_FLUSH) after every event, so each event is decodable the moment it arrives and none
 * waits for a block to fill. Terminal output repeats itself a lot (the same rows, styles and
 * envelopes), so a context shared by the whole stream is what makes it cheap.
 *
 * Compression is synchronous, through the zlib handle's `writeSync` (what node:zlib's own
 * `gzipSync` uses), not the async stream API: an async write costs a round trip to the event loop
 * per event (~20 µs of CPU for a small event against ~3 µs), and while the loop is busy (a burst
 * being parsed into the screen, the search indexer) the compressed output trickled out at one
 * 16 KiB piece per turn. `writeSync` on a live stream is not public API, so a self-check at start
 * (compress, then decode with the public gunzip) decides whether it is used at all: if a runtime
 * changes it, viewers get identity streams, never garbage.
 */
import { constants, createDeflate, createGzip, gunzipSync, inflateSync } from "node:zlib";

export type SseEncoding = "gzip" | "deflate";

/**
 * Level 6 with a 16 KiB window and memLevel 5: the same bytes on the Claude Code recordings as
 * zlib's defaults (15/8) with less memory; a 4 KiB window costs 15-20 % more bytes, level 1 is ~4x
 * cheaper per event but sends ~25 % more. Measured: ~16 µs of CPU per small event, ~190 KiB of RSS
 * per compressed connection (Bun's zlib takes ~130 KiB of that whatever the settings).
 * `bun bench/sse-compression.ts`; docs/PERFORMANCE.md ("Bandwidth to the phone").
 */
export const ZLIB_OPTIONS = { level: 6, windowBits: 14, memLevel: 5 };

/** The stream's own output buffer goes unused (compress() writes into OUT): keep it minimal. */
const UNUSED_CHUNK = { chunkSize: constants.Z_MIN_CHUNK };

/** Output buffer shared by every compressor: each call fills it and copies out before returning. */
const OUT = Buffer.allocUnsafe(64 * 1024);

type ZlibHandle = {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
};
type ZlibInternals = { _handle?: ZlibHandle; _writeState?: Uint32Array; close(): void; on(e: "error", f: (err: Error) => void): void };

/** The encoding to answer an `Accept-Encoding` header with: gzip, else deflate, else none. */
export function sseEncoding(acceptEncoding: string | null): SseEncoding | null {
  if (!acceptEncoding || !COMPRESSION_WORKS) return null;
  const q = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(",")) {
    const [name, ...params] = part.split(";").map((s) => s.trim());
    if (!name) continue;
    const qParam = params.find((p) => p.startsWith("q="));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name, Number.isFinite(value) ? value : 0);
  }
  const accepts = (name: string) => (q.get(name) ?? q.get("*") ?? 0) > 0;
  if (accepts("gzip")) return "gzip";
  if (accepts("deflate")) return "deflate";
  return null;
}

/** One streaming compressor; every call returns the compressed bytes of what it was given, flushed. */
export class SseCompressor {
  private z: ZlibInternals;
  private handle: ZlibHandle;
  private state: Uint32Array;
  private failed: Error | null = null;

  constructor(encoding: SseEncoding, options: typeof ZLIB_OPTIONS = ZLIB_OPTIONS) {
    const opts = { ...options, ...UNUSED_CHUNK };
    this.z = (encoding === "gzip" ? createGzip(opts) : createDeflate(opts)) as unknown as ZlibInternals;
    if (!this.z._handle?.writeSync || !this.z._writeState) throw new Error("this runtime's zlib has no synchronous stream handle");
    this.handle = this.z._handle;
    this.state = this.z._writeState;
    this.z.on("error", (err) => (this.failed = err));
  }

  /** Compresses `input` and flushes it to a byte boundary (Z_SYNC_FLUSH). */
  compress(input: Uint8Array): Uint8Array {
    return this.run(input, constants.Z_SYNC_FLUSH);
  }

  /** The stream's end (the gzip/zlib trailer); the compressor is closed afterwards. */
  finish(): Uint8Array {
    const tail = this.run(new Uint8Array(0), constants.Z_FINISH);
    this.close();
    return tail;
  }

  /** Frees the zlib state. */
  close(): void {
    try {
      this.z.close();
    } catch {}
  }

  private run(input: Uint8Array, flush: number): Uint8Array {
    const pieces: Buffer[] = [];
    let inOff = 0;
    let availIn = input.byteLength;
    for (;;) {
      this.handle.writeSync(flush, input, inOff, availIn, OUT, 0, OUT.length);
      if (this.failed) throw this.failed;
      const [availOut, availInAfter] = this.state as unknown as [number, number];
      pieces.push(Buffer.from(OUT.subarray(0, OUT.length - availOut)));
      inOff += availIn - availInAfter;
      availIn = availInAfter;
      if (availOut !== 0) break; // the output buffer was not filled: zlib has nothing more for now
    }
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  }
}

/** Compresses two events and a trailer and decodes them with the public API: true if all is right. */
function selfCheck(): boolean {
  try {
    const text = "event: x\ndata: a repeated line, a repeated line\n\n";
    for (const [encoding, decode] of [
      ["gzip", gunzipSync],
      ["deflate", inflateSync],
    ] as const) {
      const c = new SseCompressor(encoding);
      const first = c.compress(Buffer.from(text));
      // the first event alone must decode (it was flushed), and the whole stream must end cleanly
      if (decode(first, { finishFlush: constants.Z_SYNC_FLUSH }).toString() !== text) return false;
      const bytes = Buffer.concat([first, c.compress(Buffer.from(text)), c.finish()]);
      if (decode(bytes).toString() !== text + text) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Whether compressed SSE is offered at all (see the file comment). */
const COMPRESSION_WORKS = selfCheck();
