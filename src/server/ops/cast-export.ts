/**
 * A stored session as an asciinema v2 recording (https://docs.asciinema.org/manual/asciicast/v2/):
 * a JSON header line, then one `[seconds, "o", text]` line per stored chunk. Times come from the
 * chunks' server receive times, relative to the first chunk (one clock, so device clock skew cannot
 * make them negative). A streaming TextDecoder carries a UTF-8 sequence split across two chunks.
 */
import type { SessionInfo } from "../../protocol/common.ts";
import type { OutputStore } from "../../store/output.ts";

const PAGE_BYTES = 1024 * 1024;
const encoder = new TextEncoder();

function castHeader(session: SessionInfo): Record<string, unknown> {
  return {
    version: 2,
    width: session.cols,
    height: session.rows,
    timestamp: Math.floor(session.startedAt / 1000),
    title: session.name,
    command: session.command.join(" "),
    env: { TERM: "xterm-256color" },
  };
}

/** The recording as a byte stream, read from the store page by page as the client reads. */
export function castStream(session: SessionInfo, output: OutputStore): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder("utf-8");
  let cursor = 0;
  let t0: number | null = null;
  let last = 0;
  let started = false;
  const line = (t: number, text: string) => encoder.encode(`${JSON.stringify([Number(t.toFixed(6)), "o", text])}\n`);
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`${JSON.stringify(castHeader(session))}\n`));
        return;
      }
      const page = output.after(session.id, cursor, PAGE_BYTES);
      if (page.length === 0) {
        const tail = decoder.decode();
        if (tail) controller.enqueue(line(last, tail));
        return controller.close();
      }
      for (const c of page) {
        t0 ??= c.ts;
        last = Math.max(last, (c.ts - t0) / 1000);
        const text = decoder.decode(c.data, { stream: true });
        if (text) controller.enqueue(line(last, text));
      }
      cursor = page[page.length - 1].seq;
    },
  });
}

/** A download name made of safe characters only. */
export function castFileName(session: SessionInfo): string {
  const base =
    session.name
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "session";
  return `${base}-${session.id.slice(0, 12).replace(/[^A-Za-z0-9_-]/g, "")}.cast`;
}
