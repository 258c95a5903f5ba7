/**
 * A live marker per running wrapper session, `<spool dir>/<session id>.live` (0600): the session,
 * the device, and the wrapper's pid with what tells it from a later process with the same pid
 * (process-check.ts). A wrapper that dies without a word (SIGKILL, OOM, a crash) leaves its marker
 * behind, and a deliverer reports the session lost (lost.ts). Written, fsynced (a crash of the
 * machine must not lose it), when the wrapper opens its session; removed when the server has
 * confirmed the exit, or the spool file has taken over.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { type Parsed, parseJson, parseWith, SessionId } from "../protocol/common.ts";
import { writeAtomic } from "./atomic-write.ts";
import { ownStamp } from "./process-check.ts";
import { filesEnding, spoolDir } from "./spool.ts";

export const LiveMarker = z.object({
  v: z.literal(1),
  sessionId: SessionId,
  deviceId: z.string().min(1),
  pid: z.number().int().positive(),
  /** The wrapper's start time from /proc/<pid>/stat (clock ticks since boot); null where there is none. */
  procStart: z.string().regex(/^\d+$/).nullable(),
  /** The machine's boot id (Linux): a marker from an earlier boot names a dead process. */
  bootId: z.string().max(64).nullable(),
  writtenAt: z.number(),
});
export type LiveMarker = z.infer<typeof LiveMarker>;

export function markerPath(sessionId: string, dir = spoolDir()): string {
  return join(dir, `${sessionId}.live`);
}

/** Marks this process as running the session; returns the marker's path. Throws if it cannot be written. */
export function writeMarker(sessionId: string, deviceId: string, dir = spoolDir()): string {
  const path = markerPath(sessionId, dir);
  const marker: LiveMarker = { v: 1, sessionId, deviceId, ...ownStamp() };
  writeAtomic(path, [new TextEncoder().encode(JSON.stringify(marker))]);
  return path;
}

export function removeMarker(sessionId: string, dir = spoolDir()): void {
  rmSync(markerPath(sessionId, dir), { force: true });
}

export function markerFiles(dir = spoolDir()): string[] {
  return filesEnding(dir, ".live");
}

/** Throws only if the file cannot be read (e.g. removed since it was listed). */
export function readMarker(path: string): Parsed<LiveMarker> {
  const json = parseJson(readFileSync(path, "utf8"));
  return json.ok ? parseWith(LiveMarker, json.value) : json;
}
