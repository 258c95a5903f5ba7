/**
 * An SSE viewer on a raw TCP socket, so the bytes it counts are the bytes on the wire: status line,
 * headers, chunked-encoding framing and the event stream. The body is de-chunked and parsed here.
 */
import { SseParser, type SseHandler } from "./sse.ts";

export type RawSse = { readonly wireBytes: number; readonly bodyBytes: number; readonly status: number; close(): void };

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

/** `onBody` sees each de-chunked piece of the body as it arrives (one server write, usually one event). */
export async function rawSse(port: number, path: string, token: string, onEvent: SseHandler, onBody?: (piece: Buffer) => void): Promise<RawSse> {
  let wire = 0;
  let body = 0;
  let status = 0;
  let head: Buffer | null = Buffer.alloc(0) as Buffer;
  const dec = new TextDecoder();
  const parser = new SseParser(onEvent);
  const takeBody = (b: Buffer) => {
    body += b.length;
    onBody?.(b);
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
          status = Number(headers.split(" ")[1]);
          if (/\r\ntransfer-encoding:\s*chunked/i.test(headers)) feed = (b) => dechunk.push(b);
          data = head.subarray(end + 4);
          head = null;
        }
        if (data.length) feed(data);
      },
    },
  });
  const dechunk = new Dechunker(takeBody);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\nAccept-Encoding: identity\r\n\r\n`);
  return {
    get wireBytes() {
      return wire;
    },
    get bodyBytes() {
      return body;
    },
    get status() {
      return status;
    },
    close: () => socket.end(),
  };
}
