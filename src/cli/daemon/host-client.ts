/** The client end of a background session's socket: attach, ls and the daemon use it. */
import { connect, type Socket } from "node:net";
import { HostReply, type HostRequest, type HostSessionInfo } from "../../protocol/host.ts";
import { readLines, writeLine } from "./lines.ts";

export class HostClient {
  private listeners: ((r: HostReply) => void)[] = [];
  closed: Promise<void>;

  private constructor(readonly sock: Socket) {
    readLines(
      sock,
      HostReply,
      (r) => this.listeners.forEach((fn) => fn(r)),
      () => {},
    );
    this.closed = new Promise((resolve) => sock.on("close", () => resolve()));
  }

  static connect(path: string, timeoutMs = 2000): Promise<HostClient> {
    return new Promise((resolve, reject) => {
      const sock = connect(path);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`no answer from ${path} within ${timeoutMs} ms`));
      }, timeoutMs);
      sock.once("connect", () => {
        clearTimeout(timer);
        resolve(new HostClient(sock));
      });
      sock.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  send(req: HostRequest): void {
    writeLine(this.sock, req);
  }

  onReply(fn: (r: HostReply) => void): void {
    this.listeners.push(fn);
  }

  /** Sends `req` and resolves with the first reply of that type (null on timeout or close). */
  request<T extends HostReply["type"]>(req: HostRequest, type: T, timeoutMs = 2000): Promise<Extract<HostReply, { type: T }> | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      this.onReply((r) => {
        if (r.type !== type) return;
        clearTimeout(timer);
        resolve(r as Extract<HostReply, { type: T }>);
      });
      void this.closed.then(() => resolve(null));
      this.send(req);
    });
  }

  close(): void {
    this.sock.end();
  }
}

/** The session behind `path`; "dead" if nothing listens there (a stale socket file), null if it did not answer in time. */
export async function hostInfo(path: string, timeoutMs = 1500): Promise<HostSessionInfo | "dead" | null> {
  let c: HostClient;
  try {
    c = await HostClient.connect(path, timeoutMs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ECONNREFUSED" || code === "ENOENT" ? "dead" : null;
  }
  try {
    return (await c.request({ type: "info" }, "info", timeoutMs))?.session ?? null;
  } finally {
    c.sock.destroy();
  }
}
