/**
 * Binary output frame, wrapper → server:
 *   u8 kind (0x01) | u8 idLen | sessionId (ASCII) | f64 seq (big-endian, an integer) | payload bytes
 * Binary keeps the hot path free of base64 and JSON.
 */
import { z } from "zod";
import { Seq, SessionId, type Parsed, describeIssues } from "./common.ts";
import { MAX_BINARY_FRAME } from "./frames.ts";

export const OUTPUT_KIND = 0x01;

export const OutputFrame = z.object({
  sessionId: SessionId,
  seq: Seq.min(1),
  data: z.instanceof(Uint8Array).refine((d) => d.byteLength > 0, "payload must not be empty"),
});
export type OutputFrame = z.infer<typeof OutputFrame>;

const ascii = new TextEncoder();
const asciiDecoder = new TextDecoder();

/** `data` may be given in parts (the wrapper's merged chunks): they are copied straight into the frame. */
export function encodeOutput(sessionId: string, seq: number, data: Uint8Array | readonly Uint8Array[]): Uint8Array {
  const parts = data instanceof Uint8Array ? [data] : data;
  const id = ascii.encode(sessionId);
  let at = 2 + id.length + 8;
  const out = new Uint8Array(at + parts.reduce((n, p) => n + p.byteLength, 0));
  out[0] = OUTPUT_KIND;
  out[1] = id.length;
  out.set(id, 2);
  new DataView(out.buffer).setFloat64(2 + id.length, seq);
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * One session's output frames, encoded into one reused buffer (the wrapper's link: a burst costs no
 * allocation per frame). The returned view is only valid until the next `encode`: hand it to
 * something that copies it at once, as a WebSocket's `send` does (it masks the payload into its
 * own buffer).
 */
export class OutputFrameWriter {
  private buf: Uint8Array;
  private readonly headerLen: number;

  constructor(sessionId: string) {
    const id = ascii.encode(sessionId);
    this.headerLen = 2 + id.length + 8;
    this.buf = new Uint8Array(Math.max(64 * 1024, this.headerLen));
    this.buf[0] = OUTPUT_KIND;
    this.buf[1] = id.length;
    this.buf.set(id, 2);
  }

  encode(seq: number, parts: readonly Uint8Array[]): Uint8Array {
    let size = this.headerLen;
    for (const p of parts) size += p.byteLength;
    if (size > this.buf.byteLength) {
      const grown = new Uint8Array(Math.max(size, this.buf.byteLength * 2));
      grown.set(this.buf.subarray(0, this.headerLen));
      this.buf = grown;
    }
    const out = this.buf;
    new DataView(out.buffer).setFloat64(this.headerLen - 8, seq);
    let at = this.headerLen;
    for (const p of parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out.subarray(0, size);
  }
}

export function decodeOutput(buf: Uint8Array): Parsed<OutputFrame> {
  if (buf.byteLength > MAX_BINARY_FRAME) return { ok: false, error: `binary frame of ${buf.byteLength} bytes exceeds ${MAX_BINARY_FRAME}` };
  if (buf.byteLength < 2 || buf[0] !== OUTPUT_KIND) return { ok: false, error: "binary frame: unknown kind byte" };
  const idLen = buf[1];
  const headerLen = 2 + idLen + 8;
  if (buf.byteLength < headerLen) return { ok: false, error: "binary frame: truncated header" };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const candidate = {
    sessionId: asciiDecoder.decode(buf.subarray(2, 2 + idLen)),
    seq: view.getFloat64(2 + idLen),
    data: buf.subarray(headerLen),
  };
  const r = OutputFrame.safeParse(candidate);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: `binary frame: ${describeIssues(r.error)}` };
}
