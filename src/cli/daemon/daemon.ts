/**
 * `claude-remote daemon`: keeps one authenticated connection to the server as this paired device,
 * says what it offers (allowed folders, presets) and starts or stops background sessions when the
 * server asks, within that list only. Each session runs in its own detached process (host.ts),
 * so stopping or upgrading the daemon does not end them; a new daemon finds them by their sockets.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, utimesSync } from "node:fs";
import { hostname } from "node:os";
import { basename, join } from "node:path";
import type { DaemonStart, DaemonStop, HostedSession, PermissionMode, RefusalCode } from "../../protocol/daemon.ts";
import type { ServerFrame } from "../../protocol/frames.ts";
import { configDir, readDeviceConfig } from "../config.ts";
import { lockFile } from "../file-lock.ts";
import { type AllowList, checkFolder, checkPreset, type Flags, loadAllowList, type Preset, presetInfo } from "./allow-list.ts";
import { DaemonConnection } from "./connection.ts";
import { HOST_SPEC_ENV, type HostSpec } from "./host.ts";
import { HostClient, hostInfo } from "./host-client.ts";
import { runningHosts } from "./hosts.ts";
import { ensurePrivateDir, hostLogPath, hostSocketPath, runDir } from "./paths.ts";
import { readRecord, writeRecord } from "./records.ts";

const RESCAN_MS = 2000;
const HOST_READY_MS = 15_000;
/** A background session's PTY until a terminal attaches or the phone resizes it. */
const DEFAULT_SIZE = { cols: 120, rows: 40 };

type Result = { ok: true; sessionId: string } | { ok: false; code: RefusalCode; message: string };

function log(msg: string): void {
  process.stderr.write(`claude-remote daemon: ${msg}\n`);
}

/** The agent's command line for a start: the preset's command, then only what the request may choose. */
export function agentArgv(
  preset: Preset,
  req: Pick<DaemonStart, "message" | "permissionMode" | "continue">,
  conversation: { id: string; resume: boolean } | null,
): string[] {
  const argv = [...preset.command];
  if (preset.agent === "claude") {
    if (conversation) argv.push(conversation.resume ? "--resume" : "--session-id", conversation.id);
    else if (req.continue) argv.push("--continue");
    if (req.permissionMode) argv.push("--permission-mode", req.permissionMode);
  }
  // after "--", a message can never be taken for an option
  if (req.message) argv.push("--", req.message);
  return argv;
}

export class Daemon {
  private conn: DaemonConnection;
  private hosted: HostedSession[] = [];
  private rescan: ReturnType<typeof setInterval> | null = null;
  private done!: (code: number) => void;
  readonly finished = new Promise<number>((r) => (this.done = r));

  constructor(
    private list: AllowList,
    device: { server: string; deviceId: string; secret: string },
  ) {
    this.conn = new DaemonConnection(device.server, device, hostname(), {
      onWelcome: () => void this.announce(),
      onFrame: (f) => void this.frame(f),
      onRefused: (why) => {
        log(why);
        this.stop(1);
      },
      onDown: (why) => log(`offline: ${why}; retrying`),
    });
  }

  start(): void {
    this.conn.start();
    this.rescan = setInterval(() => void this.refreshHosts(), RESCAN_MS);
  }

  stop(code = 0): void {
    if (this.rescan) clearInterval(this.rescan);
    this.conn.close();
    this.done(code);
  }

  private async announce(): Promise<void> {
    this.hosted = await this.hostedNow();
    this.conn.send({ type: "daemon.hello", v: 1, folders: this.list.folders, presets: presetInfo(this.list), sessions: this.hosted });
    log(
      `online as ${hostname()}; allowed folders: ${this.list.folders.join(", ")}; presets: ${[...this.list.presets.keys()].join(", ")}; ${this.hosted.length} running`,
    );
  }

  private async hostedNow(): Promise<HostedSession[]> {
    return (await runningHosts()).map((h) => ({
      sessionId: h.sessionId,
      pid: h.pid,
      cwd: h.cwd,
      preset: h.preset,
      startedAt: h.startedAt,
    }));
  }

  private async refreshHosts(): Promise<void> {
    const now = await this.hostedNow();
    if (JSON.stringify(now) === JSON.stringify(this.hosted)) return;
    this.hosted = now;
    this.conn.send({ type: "daemon.sessions", sessions: now });
  }

  private async frame(f: ServerFrame): Promise<void> {
    if (f.type !== "daemon.start" && f.type !== "daemon.stop") return;
    let r: Result;
    try {
      r = f.type === "daemon.start" ? await this.startSession(f) : await this.stopSession(f);
    } catch (e) {
      r = { ok: false, code: "start_failed", message: (e as Error).message };
    }
    if (!r.ok)
      log(`refused ${f.type === "daemon.start" ? `a start in ${f.folder} (${f.preset})` : `to stop ${f.sessionId}`}: ${r.message}`);
    this.conn.send(
      r.ok
        ? { type: "daemon.result", requestId: f.requestId, ok: true, sessionId: r.sessionId }
        : { type: "daemon.result", requestId: f.requestId, ok: false, code: r.code, message: r.message },
    );
    if (r.ok) void this.refreshHosts();
  }

  async startSession(f: DaemonStart): Promise<Result> {
    let folder = f.folder;
    let presetName = f.preset;
    let conversation: { id: string; resume: boolean } | null = null;
    if (f.resumeOf) {
      const rec = readRecord(f.resumeOf);
      // a session started here: its own record; one wrapped in a terminal: the id its hooks reported (folder re-checked below)
      if (rec?.conversationId) [folder, presetName, conversation] = [rec.folder, rec.preset, { id: rec.conversationId, resume: true }];
      else if (f.conversationId) conversation = { id: f.conversationId, resume: true };
      else
        return {
          ok: false,
          code: "not_resumable",
          message: `session ${f.resumeOf} has no known Claude conversation id (none was started here, and its hooks reported none), so it cannot be resumed`,
        };
    }
    const place = checkFolder(this.list, folder);
    if (!place.ok) return { ok: false, ...place.refusal };
    const p = checkPreset(this.list, presetName, f.permissionMode as PermissionMode | undefined);
    if (!p.ok) return { ok: false, ...p.refusal };
    if (f.resumeOf && p.preset.agent !== "claude")
      return { ok: false, code: "not_resumable", message: `preset ${presetName} is not Claude Code; only Claude sessions can be resumed` };
    const sessionId = crypto.randomUUID();
    if (!conversation && p.preset.agent === "claude" && !f.continue) conversation = { id: crypto.randomUUID(), resume: false };
    const spec: HostSpec = {
      sessionId,
      argv: agentArgv(p.preset, f, conversation),
      name: `${presetName} · ${basename(place.path)}`,
      agent: p.preset.agent,
      preset: presetName,
      ...DEFAULT_SIZE,
    };
    writeRecord({ sessionId, folder: place.path, preset: presetName, conversationId: conversation?.id ?? null, startedAt: Date.now() });
    const failed = this.spawnHost(spec, place.path);
    if (failed) return { ok: false, code: "start_failed", message: failed };
    if (!(await this.hostReady(sessionId)))
      return {
        ok: false,
        code: "start_failed",
        message: `the session did not come up within ${HOST_READY_MS / 1000} s${this.logTail(sessionId)}`,
      };
    log(`started ${sessionId} in ${place.path} (${presetName}) for ${f.by}`);
    return { ok: true, sessionId };
  }

  private spawnHost(spec: HostSpec, cwd: string): string | null {
    try {
      ensurePrivateDir(runDir());
      const fd = openSync(hostLogPath(spec.sessionId), "a", 0o600);
      try {
        // detached: its own session and process group, so the daemon's exit (or a signal to its group) does not reach it
        const env = { ...process.env, [HOST_SPEC_ENV]: JSON.stringify(spec) };
        spawn(process.execPath, [Bun.main, "__host"], { detached: true, cwd, stdio: ["ignore", fd, fd], env }).unref();
      } finally {
        closeSync(fd);
      }
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }

  private async hostReady(sessionId: string): Promise<boolean> {
    for (const until = Date.now() + HOST_READY_MS; Date.now() < until; await Bun.sleep(50)) {
      const info = await hostInfo(hostSocketPath(sessionId), 500);
      if (info && info !== "dead" && info.childPid) return true;
    }
    return false;
  }

  private logTail(sessionId: string): string {
    try {
      const text = readFileSync(hostLogPath(sessionId), "utf8").trim();
      return text ? `: ${text.slice(-500)}` : "";
    } catch {
      return "";
    }
  }

  private async stopSession(f: DaemonStop): Promise<Result> {
    let c: HostClient;
    try {
      c = await HostClient.connect(hostSocketPath(f.sessionId), 2000);
    } catch {
      return { ok: false, code: "no_such_session", message: `session ${f.sessionId} is not a background session running on this machine` };
    }
    try {
      const r = await c.request({ type: "stop", graceMs: f.graceMs }, "stopping", 2000);
      return r
        ? { ok: true, sessionId: f.sessionId }
        : { ok: false, code: "no_such_session", message: `session ${f.sessionId} did not answer` };
    } finally {
      c.close();
    }
  }
}

export type DaemonArgs = Flags & { install: boolean; uninstall: boolean; yes: boolean };

/** Parses `daemon` flags; a string is the problem with them. */
export function parseDaemonArgs(args: string[]): DaemonArgs | string {
  const out: DaemonArgs = { folders: [], presets: [], modes: [], install: false, uninstall: false, yes: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => inline ?? args[++i];
    if (flag === "--allow-folder" || flag === "--preset" || flag === "--allow-mode") {
      const v = value();
      if (!v) return `${flag} needs a value`;
      if (flag === "--allow-folder") out.folders.push(v);
      else if (flag === "--preset") out.presets.push(v);
      else out.modes.push(v as PermissionMode);
    } else if (a === "--install") out.install = true;
    else if (a === "--uninstall") out.uninstall = true;
    else if (a === "--yes") out.yes = true;
    else return `unknown argument ${a}`;
  }
  return out;
}

export async function daemonMain(args: DaemonArgs): Promise<number> {
  const device = readDeviceConfig();
  if (!device.ok) {
    log(device.reason);
    return 1;
  }
  let list: AllowList;
  try {
    list = loadAllowList(args);
  } catch (e) {
    log((e as Error).message);
    return 2;
  }
  if (list.folders.length === 0) {
    log(`nothing is allowed yet: pass --allow-folder <dir> (repeatable) or list "folders" in ${join(configDir(), "daemon.json")}`);
    return 2;
  }
  const lockPath = join(ensurePrivateDir(configDir()), "daemon");
  const unlock = lockFile(lockPath);
  if (!unlock) {
    log(`another daemon runs for ${configDir()}`);
    return 1;
  }
  // lockFile takes over locks older than 7 h; a daemon runs for weeks, so it keeps its lock fresh
  const touch = setInterval(() => {
    try {
      utimesSync(`${lockPath}.lock`, new Date(), new Date());
    } catch {}
  }, 600_000);
  const d = new Daemon(list, device.config);
  for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(s, () => d.stop(0));
  d.start();
  const code = await d.finished;
  clearInterval(touch);
  unlock();
  return code;
}
