/** A minimal SSE reader for the benchmarks: calls `onEvent(event, data, wireBytes)` per event. */
export type SseHandler = (event: string, data: string) => void;

export async function readSse(url: string, token: string, onEvent: SseHandler, opts: { signal?: AbortSignal; onWire?: (bytes: number) => void } = {}): Promise<void> {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream", "Accept-Encoding": "identity" }, signal: opts.signal });
  if (!res.ok || !res.body) throw new Error(`SSE ${url}: ${res.status}`);
  const dec = new TextDecoder();
  let buf = "";
  try {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value: chunk } = await reader.read();
      if (done) break;
      opts.onWire?.(chunk.byteLength);
      buf += dec.decode(chunk, { stream: true });
      let pos = 0;
      let idx: number;
      while ((idx = buf.indexOf("\n\n", pos)) >= 0) {
        const block = buf.slice(pos, idx);
        pos = idx + 2;
        let event = "message";
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) event = line.slice(7);
          else if (line.startsWith("data: ")) data += line.slice(6);
        }
        if (data) onEvent(event, data);
      }
      buf = buf.slice(pos);
    }
  } catch (e) {
    if ((e as Error).name !== "AbortError") throw e;
  }
}
