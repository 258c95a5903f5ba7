/** `local` for the backends whose output arrives on the JS thread: stdin and stdout through Node's streams. */
export type JsLocal = { output(data: Uint8Array): void; close(): void };

export function jsLocal(enabled: boolean | undefined, write: (data: Uint8Array | string) => void): JsLocal {
  if (!enabled) return { output() {}, close() {} };
  const stdin = process.stdin;
  const onData = (buf: Buffer) => write(buf);
  const onEnd = () => write("\x04"); // a pipe's end is the child's end of input
  stdin.on("data", onData);
  if (!stdin.isTTY) stdin.on("end", onEnd);
  stdin.resume();
  return {
    output: (data) => void process.stdout.write(data),
    close() {
      stdin.off("data", onData);
      stdin.off("end", onEnd);
      stdin.pause();
    },
  };
}
