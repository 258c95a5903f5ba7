/**
 * `claude-remote deliver`: sends spooled output and transcript frames (see spool.ts) to the server,
 * each file over its own link, as the session it came from, then reports that session's exit; and reports sessions
 * whose wrapper died without a word as lost (lost.ts). A wrapper that exits with output the server
 * never acknowledged writes the spool and starts this in the background; every later wrapper start
 * does too while spool files or dead wrappers' live markers are left.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, statSync, truncateSync, unlinkSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { readDeviceConfig } from "./config.ts";
import { Link } from "./link.ts";
import { lockFile } from "./file-lock.ts";
import { markerPath, removeMarker } from "./live-marker.ts";
import { reportLost, scanMarkers } from "./lost.ts";
import { TranscriptFeed } from "./transcript-feed.ts";
import { removeSpill, spillBytes, spillFiles, spillSession } from "./spill.ts";
import { leftoverFiles, MAX_SPOOL_AGE_MS, readSpool, setAside, spoolDir, spoolFiles, spoolPath } from "./spool.ts";

/** A background deliverer keeps trying this long (the link backs off to ~10 s between attempts). */
const DELIVER_FOR_MS = 6 * 3600 * 1000;
const LOG_MAX_BYTES = 1024 * 1024;
/** Spool files delivered at once. */
const PARALLEL = 4;
/** Ring bound for a restored link: never reached, the ring holds only what the file held. */
const RING_BYTES = 8 * 1024 * 1024;

type Log = (msg: string) => void;
type Device = ReturnType<typeof readDeviceConfig>;

/** Spool files and lost sessions at once (a server that is away holds up neither behind the other). */
export async function deliverAll(
  opts: { forMs?: number; dir?: string; log?: Log } = {},
): Promise<{ delivered: number; lost: number; left: number }> {
  const log = opts.log ?? ((m) => console.error(`claude-remote deliver: ${m}`));
  const forMs = opts.forMs ?? DELIVER_FOR_MS;
  const [spooled, lost] = await Promise.all([deliverSpooled({ ...opts, forMs, log }), reportLost({ ...opts, forMs, log })]);
  return { delivered: spooled.delivered, lost: lost.reported, left: spooled.left + lost.left };
}

/** Whether a deliverer has work: spool files, or live markers of this device whose wrapper is dead. Never throws. */
export function deliveryWaiting(deviceId: string): boolean {
  try {
    return spoolFiles().length > 0 || scanMarkers(deviceId).orphans.length > 0;
  } catch {
    return false; // an unreadable spool directory must not stop the program
  }
}

export async function deliverSpooled(opts: { forMs?: number; dir?: string; log?: Log } = {}): Promise<{ delivered: number; left: number }> {
  const log = opts.log ?? ((m) => console.error(`claude-remote deliver: ${m}`));
  const deadline = Date.now() + (opts.forMs ?? DELIVER_FOR_MS);
  const device = readDeviceConfig();
  const dir = opts.dir ?? spoolDir();
  removeLeftovers(dir, log);
  const files = spoolFiles(dir);
  let delivered = 0;
  // a few at a time: each is its own connection, and the server bounds frames per device
  for (let i = 0; i < files.length; i += PARALLEL) {
    const done = await Promise.allSettled(files.slice(i, i + PARALLEL).map((f) => deliverOne(f, device, deadline, log)));
    for (const d of done) {
      if (d.status === "fulfilled") delivered += d.value ? 1 : 0;
      else log(`${(d.reason as Error).message}`);
    }
  }
  return { delivered, left: files.length - delivered };
}

/**
 * Half-written files of a wrapper killed while writing, files set aside long ago, and spill
 * segments nobody will send: neither a running wrapper (its live marker) nor a spool file speaks
 * for their session (its wrapper was killed, or the spool file could not be written).
 */
function removeLeftovers(dir: string, log: Log): void {
  const orphans = spillFiles(dir).filter(
    (f) => !existsSync(markerPath(spillSession(f), dir)) && !existsSync(spoolPath(spillSession(f), dir)),
  );
  for (const f of [...leftoverFiles(dir), ...orphans]) {
    try {
      unlinkSync(f);
      log(`${f}: removed`);
    } catch {}
  }
}

async function deliverOne(path: string, device: Device, deadline: number, log: Log): Promise<boolean> {
  const release = lockFile(path);
  if (!release) return false; // another deliverer has it
  try {
    if (!existsSync(path)) return false; // delivered by another process since this one listed the directory
    const r = readSpool(path);
    if (!r.ok) {
      log(`${path}: ${r.error}; moved to ${setAside(path)}`);
      return false;
    }
    const { header, ring } = r.value;
    if (Date.now() - header.createdAt > MAX_SPOOL_AGE_MS) {
      unlinkSync(path);
      removeSpill(header.open.sessionId, dirname(path));
      log(`${path}: undelivered for 7 days, deleted (${ring.entries.length} chunks)`);
      return false;
    }
    if (!device.ok) {
      log(`${path}: kept: ${device.reason}`);
      return false;
    }
    if (device.config.deviceId !== header.deviceId) {
      log(`${path}: kept: written for device ${header.deviceId}, this machine is now paired as ${device.config.deviceId}`);
      return false;
    }
    const { type: _, ...session } = header.open;
    const link = new Link({
      serverUrl: device.config.server,
      deviceId: device.config.deviceId,
      secret: device.config.secret,
      host: hostname(),
      ringBytes: RING_BYTES,
      restored: ring,
      spill: { dir: dirname(path), maxBytes: spillBytes() }, // the wrapper's spilled output, older than the spool file's
      session,
      onInput: () => {}, // the program has exited: nothing to type into
      onResize: () => {},
    });
    if (header.transcript?.length) new TranscriptFeed(session.sessionId).resume(link, header.transcript); // the exit waits for their acks
    link.start();
    // a spool file someone removed (or a temp dir cleaned up) means: stop trying
    const ok = await link.finish(header.exit.exitCode, header.exit.signal, Infinity, {
      endedAt: header.exit.endedAt,
      deadline,
      stop: () => !existsSync(path),
    });
    link.close();
    if (ok) {
      unlinkSync(path);
      removeMarker(session.sessionId, dirname(path)); // left by a wrapper killed between writing the spool and removing it
      log(`${path}: delivered session ${session.sessionId} (${session.name}) to ${device.config.server}`);
    } else log(`${path}: kept: ${device.config.server} still unreachable`);
    return ok;
  } finally {
    release();
  }
}

/**
 * Starts `claude-remote deliver` detached from this terminal; its messages go to
 * `<spool dir>/deliver.log`. Returns why it could not, instead of throwing: a background helper
 * must never stop the user's program.
 */
export function startDeliverer(): string | null {
  try {
    const logPath = join(spoolDir(), "deliver.log");
    if ((statSync(logPath, { throwIfNoEntry: false })?.size ?? 0) > LOG_MAX_BYTES) truncateSync(logPath, 0);
    const fd = openSync(logPath, "a", 0o600);
    try {
      spawn(process.execPath, [Bun.main, "deliver"], { detached: true, stdio: ["ignore", fd, fd], env: process.env }).unref();
    } finally {
      closeSync(fd);
    }
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
