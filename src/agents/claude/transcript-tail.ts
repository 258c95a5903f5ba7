/**
 * Reads one JSONL file incrementally: each call returns the complete lines appended since the
 * last one, never the whole file again. Whatever happens to the file (missing, unreadable,
 * truncated, replaced, a line cut in the middle, a huge line, garbage) is reported as a problem
 * and reading goes on; nothing here throws.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";

/** Bytes read per call at most, so a file that grew by 50 MB is caught up over several polls. */
export const TAIL_CHUNK = 2 * 1024 * 1024;
/** A line longer than this is skipped (and reported), not buffered. */
export const MAX_LINE = 4 * 1024 * 1024;

export type TailRead = { lines: string[]; problems: string[]; more: boolean };

export class FileTail {
  private offset = 0;
  private ino = -1;
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private skipping = false;
  private seen = false;
  private missingPolls = 0;
  private lastError = "";

  constructor(
    readonly path: string,
    private label: string,
  ) {}

  read(maxBytes = TAIL_CHUNK): TailRead {
    const problems: string[] = [];
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(this.path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "error";
      if (code === "ENOENT") {
        // a transcript is created with its first message: missing counts only once it was there, or stays away
        if (this.seen) problems.push(`${this.label} was deleted while the session ran`);
        else if (++this.missingPolls === 20) problems.push(`${this.label} is missing (${this.path})`);
        this.seen = false;
        this.ino = -1;
      } else this.problemOnce(problems, `cannot read ${this.label}: ${code}`);
      return { lines: [], problems, more: false };
    }
    if (this.seen && (st.ino !== this.ino || st.size < this.offset)) {
      problems.push(`${this.label} was ${st.ino !== this.ino ? "replaced" : "truncated"} while the session ran; read again from its start`);
      this.restart();
    }
    if (!this.seen) {
      this.seen = true;
      this.ino = st.ino;
    }
    if (st.size <= this.offset) return { lines: [], problems, more: false };
    const want = Math.min(maxBytes, st.size - this.offset);
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    let fd = -1;
    try {
      fd = openSync(this.path, "r");
      if (fstatSync(fd).ino !== this.ino) return { lines: [], problems, more: true }; // swapped between stat and open: next poll sees it
      while (got < want) {
        const n = readSync(fd, buf, got, want - got, this.offset + got);
        if (n <= 0) break;
        got += n;
      }
      this.lastError = "";
    } catch (e) {
      this.problemOnce(problems, `cannot read ${this.label}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return { lines: [], problems, more: false };
    } finally {
      if (fd >= 0) closeSync(fd);
    }
    this.offset += got;
    const lines = this.split(buf.subarray(0, got), problems);
    return { lines, problems, more: this.offset < st.size };
  }

  private split(chunk: Buffer, problems: string[]): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      const long = this.carryBytes + piece.length > MAX_LINE;
      const line = long ? "" : this.carryBytes ? Buffer.concat([...this.carry, piece]).toString("utf8") : piece.toString("utf8");
      this.carry = [];
      this.carryBytes = 0;
      if (long) problems.push(`a line of ${this.label} over ${MAX_LINE >> 20} MiB was skipped`);
      else if (line.trim()) lines.push(line);
    }
    const rest = chunk.subarray(start);
    if (rest.length && !this.skipping) {
      if (this.carryBytes + rest.length > MAX_LINE) {
        problems.push(`a line of ${this.label} over ${MAX_LINE >> 20} MiB was skipped`);
        this.carry = [];
        this.carryBytes = 0;
        this.skipping = true;
      } else {
        this.carry.push(Buffer.from(rest)); // a copy: the chunk buffer is not kept
        this.carryBytes += rest.length;
      }
    }
    return lines;
  }

  private restart(): void {
    this.offset = 0;
    this.carry = [];
    this.carryBytes = 0;
    this.skipping = false;
    this.seen = false;
  }

  private problemOnce(problems: string[], p: string): void {
    if (p !== this.lastError) problems.push(p);
    this.lastError = p;
  }
}
