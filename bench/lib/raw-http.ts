/**
 * An SSE viewer on a raw TCP socket, so the bytes it counts are the bytes on the wire: status line,
 * headers, chunked-encoding framing and the event stream. The body is de-chunked, decompressed
 * (gzip/deflate, as it arrives) and parsed here.
 */
import { createGunzip, createInflate } from "node:zlib";
import { SseParser, type SseHandler } from "./sse.ts";

export type RawSse = {
  readonly wireBytes: number;
  /** Bytes of the event stream after de-chunking and decompression. */
  readonly bodyBytes: number;
  /** Body bytes as sent (de-chunked, still compressed): wire bytes minus headers and chunk framing. */
  readonly encodedBytes: number;
  readonly status: number;
  /** The response's status line and headers (empty until they arrived). */
  readonly head: string;
  close(): void;
};

export type RawSseOptions = {
  /** Sent as `Accept-Encoding` (default `identity`; null sends no such header). */
  acceptEncoding?: string | null;
  /** Each decoded piece of the body as it arrives (one server write, usually one event). */
  onBody?: (piece: Buffer) => void;
};

/** Incremental `Transfer-Encoding: chunked` decoder. */
class Dechunker {
  private buf: Buffer = Buffer.alloc(0);
  private left = -1; // bytes left in the current chunk (+2 for its CRLF); -1 = expecting a size line
  constructor(private onBody: (b: Buffer) => void) {}

  push(data: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, data]) : data;
    for (;;) {
      if (this.left < 0) {
        const eol = this.buf.indexOf("\r\n");
        if (eol < 0) return;
        const size = parseInt(this.buf.subarray(0, eol).toString("latin1"), 16);
        this.buf = this.buf.subarray(eol + 2);
        this.left = size + 2;
        continue;
      }
      if (this.buf.length === 0) return;
      const take = Math.min(this.left, this.buf.length);
      const body = this.buf.subarray(0, Math.max(0, Math.min(take, this.left - 2)));
      if (body.length) this.onBody(body);
      this.left -= take;
      this.buf = this.buf.subarray(take);
      if (this.left === 0) this.left = -1;
    }
  }
}

/** A decompressor for `Content-Encoding`, fed de-chunked body bytes; null for identity. */
function decoderFor(headers: string, onBody: (b: Buffer) => void): ((b: Buffer) => void) | null {
  const enc = /\r\ncontent-encoding:\s*([a-z-]+)/i.exec(headers)?.[1]?.toLowerCase();
  if (!enc || enc === "identity") return null;
  if (enc !== "gzip" && enc !== "deflate") throw new Error(`rawSse: unexpected Content-Encoding ${enc}`);
  const z = enc === "gzip" ? createGunzip() : createInflate();
  z.on("data", onBody);
  return (b) => z.write(b);
}

export async function rawSse(port: number, path: string, token: string, onEvent: SseHandler, opts: RawSseOptions = {}): Promise<RawSse> {
  let wire = 0;
  let body = 0;
  let encoded = 0;
  let status = 0;
  let headText = "";
  let head: Buffer | null = Buffer.alloc(0) as Buffer;
  const dec = new TextDecoder();
  const parser = new SseParser(onEvent);
  const takeBody = (b: Buffer) => {
    body += b.length;
    opts.onBody?.(b);
    parser.push(dec.decode(b, { stream: true }));
  };
  let feed: (b: Buffer) => void = takeBody;
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data(_s, chunk) {
        wire += chunk.byteLength;
        let data: Buffer = Buffer.from(chunk);
        if (head) {
          head = Buffer.concat([head, data]);
          const end = head.indexOf("\r\n\r\n");
          if (end < 0) return;
          const headers = head.subarray(0, end).toString("latin1");
          headText = headers;
          status = Number(headers.split(" ")[1]);
          const decoder = decoderFor(headers, takeBody) ?? takeBody;
          const decode = (b: Buffer) => {
            encoded += b.length;
            decoder(b);
          };
          const dechunk = new Dechunker(decode);
          feed = /\r\ntransfer-encoding:\s*chunked/i.test(headers) ? (b) => dechunk.push(b) : decode;
          data = head.subarray(end + 4);
          head = null;
        }
        if (data.length) feed(data);
      },
    },
  });
  const acceptEncoding = opts.acceptEncoding === null ? "" : `Accept-Encoding: ${opts.acceptEncoding ?? "identity"}\r\n`;
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n${acceptEncoding}\r\n`,
  );
  return {
    get wireBytes() {
      return wire;
    },
    get bodyBytes() {
      return body;
    },
    get encodedBytes() {
      return encoded;
    },
    get status() {
      return status;
    },
    get head() {
      return headText;
    },
    close: () => socket.end(),
  };
}
