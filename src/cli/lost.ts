/**
 * Sessions whose wrapper died without a word: a live marker (live-marker.ts) of this device whose
 * process is gone, or whose pid another process now has, and no spool file (a spool file carries
 * the real exit; deliver.ts sends it). Each is reported to the server as `session.lost` over one
 * short device connection; its marker is removed once the server confirms (`session.ended`), or
 * says it never had the session or that it is another device's. A marker written for another
 * device id (a re-paired machine) is kept, like that device's spool files. Markers do not expire:
 * when a wrapper died is unknown (a session may run for weeks), so no age says a report is too late.
 */
import { existsSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import type { ServerFrame } from "../protocol/frames.ts";
import { type DeviceConfig, readDeviceConfig } from "./config.ts";
import { DeviceCall } from "./device-call.ts";
import { lockFile } from "./file-lock.ts";
import { type LiveMarker, markerFiles, readMarker } from "./live-marker.ts";
import { processState } from "./process-check.ts";
import { removeSpill } from "./spill.ts";
import { spoolDir, spoolPath } from "./spool.ts";

export type Orphan = { path: string; marker: LiveMarker; wrapper: "gone" | "reused" };
type Log = (msg: string) => void;
/** reported: the server ended the session (or had ended it); dropped: this device can never end it; stop: the server cannot take reports. */
type Outcome = "reported" | "dropped" | "retry" | "stop";

/** How long to wait for a welcome, and for the answer to one report. */
const ANSWER_MS = 10_000;

/** This device's markers whose wrapper is dead and which no spool file speaks for; unreadable markers apart. */
export function scanMarkers(deviceId: string, dir = spoolDir()): { orphans: Orphan[]; bad: { path: string; error: string }[] } {
  const orphans: Orphan[] = [];
  const bad: { path: string; error: string }[] = [];
  for (const path of markerFiles(dir)) {
    let r: ReturnType<typeof readMarker>;
    try {
      r = readMarker(path);
    } catch {
      continue; // removed since it was listed
    }
    if (!r.ok) bad.push({ path, error: r.error });
    else if (r.value.deviceId === deviceId && !existsSync(spoolPath(r.value.sessionId, dir))) {
      const wrapper = processState(r.value);
      if (wrapper !== "alive") orphans.push({ path, marker: r.value, wrapper });
    }
  }
  return { orphans, bad };
}

/**
 * Reports every orphan to the server, retrying (backing off to 10 s) until `forMs` has passed, or
 * until the markers left are gone (removed by someone else). Returns how many the server ended as
 * lost, and how many are left.
 */
export async function reportLost(opts: { forMs: number; dir?: string; log: Log }): Promise<{ reported: number; left: number }> {
  const { log } = opts;
  const dir = opts.dir ?? spoolDir();
  const device = readDeviceConfig();
  if (!device.ok) return { reported: 0, left: 0 }; // without a device, no marker was written, nor can one be reported
  const { orphans, bad } = scanMarkers(device.config.deviceId, dir);
  for (const b of bad) {
    rmSync(b.path, { force: true });
    log(`${b.path}: ${b.error}; removed`);
  }
  const locks = new Map<Orphan, () => void>();
  for (const o of orphans) {
    const release = lockFile(o.path); // another deliverer may have it
    if (release) locks.set(o, release);
  }
  const counts = { reported: 0 };
  let pending = [...locks.keys()];
  try {
    const deadline = Date.now() + opts.forMs;
    for (let attempt = 0; ; attempt++) {
      pending = pending.filter((o) => existsSync(o.path));
      if (!pending.length || (attempt > 0 && !(await pause(backoff(attempt), deadline, () => pending.every((o) => !existsSync(o.path))))))
        break;
      pending = await reportOnce(device.config, pending, log, counts);
    }
  } finally {
    for (const release of locks.values()) release();
  }
  return { reported: counts.reported, left: orphans.filter((o) => existsSync(o.path)).length };
}

/** One connection, the orphans one by one; returns those to try again later. */
async function reportOnce(config: DeviceConfig, orphans: Orphan[], log: Log, counts: { reported: number }): Promise<Orphan[]> {
  let call: DeviceCall;
  try {
    call = await DeviceCall.open(config.server, config, hostname(), ANSWER_MS);
  } catch (e) {
    log(`cannot report lost sessions to ${config.server} yet: ${(e as Error).message}`);
    return orphans;
  }
  const retry: Orphan[] = [];
  try {
    for (const o of orphans) {
      const outcome = await reportOne(call, o, log);
      if (outcome === "stop") return [];
      if (outcome === "retry") retry.push(o);
      if (outcome === "reported") counts.reported++;
      if (outcome === "reported" || outcome === "dropped") {
        rmSync(o.path, { force: true });
        removeSpill(o.marker.sessionId, dirname(o.path)); // what the dead wrapper spilled can no longer be sent as its session
      }
    }
  } finally {
    call.close();
  }
  return retry;
}

async function reportOne(call: DeviceCall, o: Orphan, log: Log): Promise<Outcome> {
  const id = o.marker.sessionId;
  const answer = await call.request({ type: "session.lost", sessionId: id }, (f) => isAnswer(f, id), ANSWER_MS);
  const why =
    o.wrapper === "gone" ? `its wrapper (pid ${o.marker.pid}) is gone` : `its wrapper's pid ${o.marker.pid} now belongs to another process`;
  if (answer?.type === "session.ended") {
    log(`${o.path}: reported session ${id} lost (${why})`);
    return "reported";
  }
  if (answer?.type !== "error") return "retry"; // no answer in time, or the connection closed
  if (answer.code === "not_found" || answer.code === "forbidden") {
    log(`${o.path}: ${answer.code === "not_found" ? `the server never had session ${id}` : answer.message}; marker removed`);
    return "dropped";
  }
  if (answer.code === "bad_frame") {
    log(`${o.path}: kept: the server does not know session.lost (an older version?): ${answer.message}`);
    return "stop";
  }
  log(`${o.path}: not yet: ${answer.message}`); // held (the server has not noticed the dead connection yet), rate_limited, store_failed
  return "retry";
}

/** This report's answer: its session.ended, or an error about a session.lost frame (or about no frame: rate limit, store failure). */
function isAnswer(f: ServerFrame, sessionId: string): boolean {
  return (
    (f.type === "session.ended" && f.sessionId === sessionId) || (f.type === "error" && (f.ref === "session.lost" || f.ref === undefined))
  );
}

function backoff(attempt: number): number {
  return Math.min(10_000, 250 * 2 ** Math.min(attempt, 6));
}

/** Sleeps `ms`; false if the deadline passed or `stop()` said so meanwhile. */
async function pause(ms: number, deadline: number, stop: () => boolean): Promise<boolean> {
  for (const until = Math.min(Date.now() + ms, deadline); Date.now() < until; await Bun.sleep(100)) if (stop()) return false;
  return Date.now() < deadline && !stop();
}
