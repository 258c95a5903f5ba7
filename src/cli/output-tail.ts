/** The last bytes a program wrote (up to `max`), kept as references to its chunks: what it said at exit. */
export class OutputTail {
  private chunks: Uint8Array[] = [];
  private bytes = 0;

  constructor(private max = 4096) {}

  push(data: Uint8Array): void {
    this.chunks.push(data);
    this.bytes += data.length;
    while (this.chunks.length > 1 && this.bytes - this.chunks[0]!.length >= this.max) this.bytes -= this.chunks.shift()!.length;
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.max)).toString("utf8");
  }
}
