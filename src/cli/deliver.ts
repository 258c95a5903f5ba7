/**
 * `claude-remote deliver`: sends spooled output (see spool.ts) to the server, each file over its
 * own link, as the session it came from, then reports that session's exit. A wrapper that exits
 * with output the server never acknowledged writes the spool and starts this in the background;
 * every later wrapper start does too while spool files are left.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, statSync, truncateSync, unlinkSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { readDeviceConfig } from "./config.ts";
import { Link } from "./link.ts";
import { lockSpool, MAX_SPOOL_AGE_MS, readSpool, setAside, spoolDir, spoolFiles } from "./spool.ts";

/** A background deliverer keeps trying this long (the link backs off to ~10 s between attempts). */
export const DELIVER_FOR_MS = 6 * 3600 * 1000;
const LOG_MAX_BYTES = 1024 * 1024;
/** Ring bound for a restored link: never reached, the ring holds only what the file held. */
const RING_BYTES = 8 * 1024 * 1024;

type Log = (msg: string) => void;
type Device = ReturnType<typeof readDeviceConfig>;

export async function deliverSpooled(opts: { forMs?: number; dir?: string; log?: Log } = {}): Promise<{ delivered: number; left: number }> {
  const log = opts.log ?? ((m) => console.error(`claude-remote deliver: ${m}`));
  const deadline = Date.now() + (opts.forMs ?? DELIVER_FOR_MS);
  const device = readDeviceConfig();
  const files = spoolFiles(opts.dir);
  const done = await Promise.all(files.map((f) => deliverOne(f, device, deadline, log)));
  const delivered = done.filter(Boolean).length;
  return { delivered, left: files.length - delivered };
}

async function deliverOne(path: string, device: Device, deadline: number, log: Log): Promise<boolean> {
  const release = lockSpool(path);
  if (!release) return false; // another deliverer has it
  try {
    const r = readSpool(path);
    if (!r.ok) {
      log(`${path}: ${r.error}; moved to ${setAside(path)}`);
      return false;
    }
    const { header, ring } = r.value;
    if (Date.now() - header.createdAt > MAX_SPOOL_AGE_MS) {
      unlinkSync(path);
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
      session,
      onInput: () => {}, // the program has exited: nothing to type into
      onResize: () => {},
    });
    link.start();
    const ok = await link.finish(header.exit.exitCode, header.exit.signal, Math.max(1000, deadline - Date.now()), header.exit.endedAt);
    link.close();
    if (ok) {
      unlinkSync(path);
      log(`${path}: delivered session ${session.sessionId} (${session.name}) to ${device.config.server}`);
    } else log(`${path}: kept: ${device.config.server} still unreachable`);
    return ok;
  } finally {
    release();
  }
}

/** Starts `claude-remote deliver` detached from this terminal; its messages go to `<spool dir>/deliver.log`. */
export function startDeliverer(): void {
  const logPath = join(spoolDir(), "deliver.log");
  if ((statSync(logPath, { throwIfNoEntry: false })?.size ?? 0) > LOG_MAX_BYTES) truncateSync(logPath, 0);
  const fd = openSync(logPath, "a", 0o600);
  try {
    spawn(process.execPath, [Bun.main, "deliver"], { detached: true, stdio: ["ignore", fd, fd], env: process.env }).unref();
  } finally {
    closeSync(fd);
  }
}
