/**
 * The daemons connected to this server (one per device) and the start / stop requests relayed
 * to them. The server decides nothing about what may run: it forwards a request and reports the
 * daemon's answer; the allow-list and presets live on the dev machine.
 */
import { DeviceClose } from "../../protocol/codes.ts";
import type { z } from "zod";
import type {
  DaemonHello,
  DaemonInfo,
  DaemonResult,
  DaemonSessions,
  DaemonStart,
  DaemonStop,
  HostedSession,
  PresetInfo,
} from "../../protocol/daemon.ts";
import type { ServerFrame } from "../../protocol/frames.ts";
import type { Logger } from "../log.ts";

export type DaemonConn = { readonly deviceId: string; send(frame: ServerFrame): void; close(code: number, reason: string): void };

type Daemon = {
  conn: DaemonConn;
  host: string | null;
  connectedAt: number;
  folders: string[];
  presets: PresetInfo[];
  sessions: HostedSession[];
};
type Pending = { deviceId: string; resolve: (r: z.infer<typeof DaemonResult> | null) => void; timer: ReturnType<typeof setTimeout> };

/** Requests waiting for a daemon's answer, per device and in all. */
const MAX_PENDING_PER_DEVICE = 16;
const MAX_PENDING = 1024;
const DAEMON_ANSWER_MS = 30_000;

export class RemoteStart {
  private daemons = new Map<string, Daemon>();
  private pending = new Map<string, Pending>();

  /**
   * `hosted`: called with the sessions whose "its daemon hosts it" changed (a daemon came, went or
   * listed its sessions anew). Nothing else tells a dashboard that its Stop button now works.
   */
  constructor(
    private log: Logger,
    private hosted: (sessionIds: string[]) => void = () => {},
  ) {}

  get onlineCount(): number {
    return this.daemons.size;
  }

  online(deviceId: string): boolean {
    return this.daemons.has(deviceId);
  }

  list(names: (deviceId: string) => string | null): DaemonInfo[] {
    return [...this.daemons.entries()].map(([deviceId, d]) => ({
      deviceId,
      deviceName: names(deviceId),
      host: d.host,
      connectedAt: d.connectedAt,
      folders: d.folders,
      presets: d.presets,
      sessions: d.sessions,
    }));
  }

  /** Whether a running session is one of this device's daemon's background sessions. */
  hosts(deviceId: string, sessionId: string): boolean {
    return this.daemons.get(deviceId)?.sessions.some((s) => s.sessionId === sessionId) ?? false;
  }

  /** `daemon.hello`: this connection is the device's daemon now; an older one is replaced. */
  hello(conn: DaemonConn, f: z.infer<typeof DaemonHello>, host: string | null): void {
    const old = this.daemons.get(conn.deviceId);
    if (old && old.conn !== conn) old.conn.close(DeviceClose.replaced, "replaced by a newer daemon");
    this.daemons.set(conn.deviceId, { conn, host, connectedAt: Date.now(), folders: f.folders, presets: f.presets, sessions: f.sessions });
    this.changed(old?.sessions ?? [], f.sessions);
    this.log.info("daemon_online", { deviceId: conn.deviceId, folders: f.folders.length, sessions: f.sessions.length });
  }

  sessions(conn: DaemonConn, f: z.infer<typeof DaemonSessions>): string | null {
    const d = this.daemons.get(conn.deviceId);
    if (!d || d.conn !== conn) return "daemon.hello first";
    const before = d.sessions;
    d.sessions = f.sessions;
    this.changed(before, f.sessions);
    return null;
  }

  result(conn: DaemonConn, f: z.infer<typeof DaemonResult>): string | null {
    const p = this.pending.get(f.requestId);
    if (!p || p.deviceId !== conn.deviceId) return "no such request";
    this.pending.delete(f.requestId);
    clearTimeout(p.timer);
    p.resolve(f);
    return null;
  }

  /** The connection closed: if it was the daemon, the device's daemon is offline and its requests fail. */
  detach(conn: DaemonConn): void {
    const d = this.daemons.get(conn.deviceId);
    if (!d || d.conn !== conn) return;
    this.daemons.delete(conn.deviceId);
    for (const [id, p] of this.pending) {
      if (p.deviceId !== conn.deviceId) continue;
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.resolve(null);
    }
    this.log.info("daemon_offline", { deviceId: conn.deviceId });
    this.changed(d.sessions, []);
  }

  private changed(before: HostedSession[], after: HostedSession[]): void {
    const was = new Set(before.map((s) => s.sessionId));
    const is = new Set(after.map((s) => s.sessionId));
    const ids = [...is].filter((id) => !was.has(id)).concat([...was].filter((id) => !is.has(id)));
    if (ids.length > 0) this.hosted(ids);
  }

  /**
   * Sends a request to the device's daemon and waits for its answer: the daemon's `daemon.result`,
   * `offline` (no daemon, or it left before answering), `busy` (too many requests waiting), or `timeout`.
   */
  async ask(
    deviceId: string,
    frame: DaemonStart | DaemonStop,
    timeoutMs = DAEMON_ANSWER_MS,
  ): Promise<z.infer<typeof DaemonResult> | "offline" | "busy" | "timeout"> {
    const d = this.daemons.get(deviceId);
    if (!d) return "offline";
    let mine = 0;
    for (const p of this.pending.values()) if (p.deviceId === deviceId) mine++;
    if (mine >= MAX_PENDING_PER_DEVICE || this.pending.size >= MAX_PENDING) return "busy";
    let timedOut = false;
    const answer = await new Promise<z.infer<typeof DaemonResult> | null>((resolve) => {
      const timer = setTimeout(() => {
        timedOut = true;
        this.pending.delete(frame.requestId);
        resolve(null);
      }, timeoutMs);
      this.pending.set(frame.requestId, { deviceId, resolve, timer });
      d.conn.send(frame);
    });
    return answer ?? (timedOut ? "timeout" : "offline");
  }

  stop(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.resolve(null);
    }
    this.pending.clear();
  }
}
