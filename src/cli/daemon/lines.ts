/** Newline-delimited JSON over a local stream socket, both ways, each line bounded. */
import type { Socket } from "node:net";
import type { z } from "zod";
import { parseJson, parseWith } from "../../protocol/common.ts";
import { MAX_HOST_LINE } from "../../protocol/host.ts";

/** Calls `onFrame` per valid line and `onBad` with what was wrong; a line past the bound ends the socket. */
export function readLines<T>(sock: Socket, schema: z.ZodType<T>, onFrame: (f: T) => void, onBad: (why: string) => void): void {
  let buf = "";
  sock.setEncoding("utf8");
  sock.on("data", (chunk: string) => {
    buf += chunk;
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.trim()) continue;
      const json = parseJson(line);
      const parsed = json.ok ? parseWith(schema, json.value) : json;
      if (parsed.ok) onFrame(parsed.value);
      else onBad(parsed.error);
    }
    if (buf.length > MAX_HOST_LINE) {
      onBad(`line longer than ${MAX_HOST_LINE} bytes`);
      sock.destroy();
    }
  });
}

export function writeLine(sock: Socket, frame: unknown): void {
  if (!sock.destroyed) sock.write(JSON.stringify(frame) + "\n");
}
