/** A minimal SSE reader for the benchmarks: calls `onEvent(event, data, wireBytes)` per event. */
export type SseHandler = (event: string, data: string) => void;

/** Incremental SSE parser: feed it text as it arrives; it calls `onEvent` per complete event. */
export class SseParser {
  private buf = "";
  constructor(private onEvent: SseHandler) {}

  push(text: string): void {
    this.buf += text;
    let pos = 0;
    let idx: number;
    while ((idx = this.buf.indexOf("\n\n", pos)) >= 0) {
      const block = this.buf.slice(pos, idx);
      pos = idx + 2;
      let event = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data) this.onEvent(event, data);
    }
    this.buf = this.buf.slice(pos);
  }
}

export async function readSse(
  url: string,
  token: string,
  onEvent: SseHandler,
  opts: { signal?: AbortSignal; onWire?: (bytes: number) => void } = {},
): Promise<void> {
  const res = await fetch(url, {
    headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream", "Accept-Encoding": "identity" },
    signal: opts.signal,
  });
  if (!res.ok || !res.body) throw new Error(`SSE ${url}: ${res.status}`);
  const dec = new TextDecoder();
  const parser = new SseParser(onEvent);
  try {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value: chunk } = await reader.read();
      if (done) break;
      opts.onWire?.(chunk.byteLength);
      parser.push(dec.decode(chunk, { stream: true }));
    }
  } catch (e) {
    if ((e as Error).name !== "AbortError") throw e;
  }
}
