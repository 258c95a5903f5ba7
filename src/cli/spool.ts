/**
 * Output a wrapper could not deliver before it exited (the server was unreachable), kept on disk in
 * `<config dir>/spool/<session id>.spool` until `claude-remote deliver` sends it. Only the wrapper's
 * own output is kept here, and the transcript frames the server never acknowledged (in the header,
 * each with its own seq); the file is 0600 in a 0700 directory, like the credentials.
 *
 * Format: "CRSPOOL1\n" | u32 header length | header JSON | entries, each f64 seq | u32 length | bytes.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { parseWith } from "../protocol/common.ts";
import { SessionExit, SessionOpen } from "../protocol/frames.ts";
import { TranscriptFrame } from "../protocol/transcript.ts";
import { writeAtomic } from "./atomic-write.ts";
import { configDir } from "./config.ts";
import type { RingSnapshot } from "./ring.ts";

const MAGIC = new TextEncoder().encode("CRSPOOL1\n");
/** All spool files together stay under this; a new one past it is refused (and reported), never an old one removed. */
const MAX_SPOOL_BYTES = 256 * 1024 * 1024;
/** Output nobody could deliver for this long is deleted. */
export const MAX_SPOOL_AGE_MS = 7 * 24 * 3600 * 1000;

const Dropped = z.object({ fromSeq: z.number().int().min(1), toSeq: z.number().int().min(1), bytes: z.number().int().nonnegative() });
export const SpoolHeader = z.object({
  v: z.literal(1),
  deviceId: z.string().min(1),
  open: SessionOpen,
  exit: SessionExit,
  lastSeq: z.number().int().nonnegative(),
  dropped: z.array(Dropped).max(100_000),
  createdAt: z.number(),
  /** Transcript frames not acknowledged at exit (bounded by the feed's 16 MiB); absent in files of older wrappers. */
  transcript: z.array(TranscriptFrame).max(100_000).optional(),
});
export type SpoolHeader = z.infer<typeof SpoolHeader>;
export type Spooled = { header: SpoolHeader; ring: RingSnapshot };

export function spoolDir(env = process.env): string {
  return join(configDir(env), "spool");
}

export function spoolPath(sessionId: string, dir = spoolDir()): string {
  return join(dir, `${sessionId}.spool`);
}

export function spoolFiles(dir = spoolDir()): string[] {
  return filesEnding(dir, ".spool");
}

/** The paths of the files in `dir` whose names end with `suffix` (none if there is no such directory). */
export function filesEnding(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(dir, f));
}

function spoolBytes(dir: string): number {
  return spoolFiles(dir).reduce((n, f) => n + (statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0);
}

/** Writes the spool file atomically (temp file + rename, fsynced); returns its path. Throws if it cannot be kept. */
export function writeSpool(s: Spooled, dir = spoolDir()): string {
  const header = new TextEncoder().encode(JSON.stringify(s.header));
  const size = MAGIC.byteLength + 4 + header.byteLength + s.ring.entries.reduce((n, e) => n + 12 + e.data.byteLength, 0);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (spoolBytes(dir) + size > MAX_SPOOL_BYTES) throw new Error(`the spool directory ${dir} already holds ${MAX_SPOOL_BYTES} bytes`);
  const path = spoolPath(s.header.open.sessionId, dir);
  writeAtomic(path, spoolChunks(header, s.ring));
  return path;
}

function* spoolChunks(header: Uint8Array, ring: RingSnapshot): Generator<Uint8Array> {
  const head = new Uint8Array(4);
  new DataView(head.buffer).setUint32(0, header.byteLength);
  yield* [MAGIC, head, header];
  for (const e of ring.entries) {
    const meta = new Uint8Array(12);
    const view = new DataView(meta.buffer);
    view.setFloat64(0, e.seq);
    view.setUint32(8, e.data.byteLength);
    yield meta;
    yield e.data;
  }
}

/** Temp files (spool or live marker) older than an hour (a wrapper killed while writing) and set-aside files past the age limit. */
export function leftoverFiles(dir: string, now = Date.now()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => ({ f, path: join(dir, f), age: now - (statSync(join(dir, f), { throwIfNoEntry: false })?.mtimeMs ?? now) }))
    .filter(
      ({ f, age }) =>
        ((f.endsWith(".spool.tmp") || f.endsWith(".live.tmp")) && age > 3600_000) || (f.endsWith(".spool.bad") && age > MAX_SPOOL_AGE_MS),
    )
    .map(({ path }) => path);
}

/** Reads and checks a spool file; an error says what is wrong with it. */
export function readSpool(path: string): { ok: true; value: Spooled } | { ok: false; error: string } {
  const buf = new Uint8Array(readFileSync(path));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.byteLength < MAGIC.byteLength + 4 || !MAGIC.every((b, i) => buf[i] === b))
    return { ok: false, error: "not a claude-remote spool file" };
  const headerLen = view.getUint32(MAGIC.byteLength);
  let at = MAGIC.byteLength + 4;
  if (at + headerLen > buf.byteLength) return { ok: false, error: "header truncated" };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(buf.subarray(at, at + headerLen)));
  } catch (e) {
    return { ok: false, error: `header is not JSON: ${(e as Error).message}` };
  }
  const parsed = parseWith(SpoolHeader, json);
  if (!parsed.ok) return { ok: false, error: `bad header: ${parsed.error}` };
  const header = parsed.value;
  at += headerLen;
  const entries: RingSnapshot["entries"] = [];
  while (at < buf.byteLength) {
    if (at + 12 > buf.byteLength) return { ok: false, error: `entry header truncated at byte ${at}` };
    const seq = view.getFloat64(at);
    const len = view.getUint32(at + 8);
    at += 12;
    if (at + len > buf.byteLength) return { ok: false, error: `entry ${seq} truncated` };
    const prev = entries[entries.length - 1];
    if (!Number.isInteger(seq) || seq < 1 || (prev && seq !== prev.seq + 1)) return { ok: false, error: `entry seq ${seq} out of order` };
    entries.push({ seq, data: buf.subarray(at, at + len) });
    at += len;
  }
  const last = entries[entries.length - 1];
  if (last && last.seq !== header.lastSeq) return { ok: false, error: `last entry ${last.seq} is not lastSeq ${header.lastSeq}` };
  return { ok: true, value: { header, ring: { lastSeq: header.lastSeq, entries, dropped: header.dropped } } };
}

/** Keeps an unreadable spool file for a human to look at, out of the deliverer's way. */
export function setAside(path: string): string {
  const to = `${path}.bad`;
  renameSync(path, to);
  return to;
}
