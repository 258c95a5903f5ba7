/**
 * A background session: `claude-remote __host`, started detached by the daemon. It is an ordinary
 * wrapped session (runWrapped: PTY, link, ring, spool, live marker, Claude's hooks) whose local
 * terminal is replaced by a headless screen and a socket (`run/<session>.sock`, 0600) that
 * `claude-remote attach` connects to. Being its own process, it outlives the daemon that started it.
 */
import { chmodSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { z } from "zod";
import { SessionId } from "../../protocol/common.ts";
import { HostRequest, type HostSessionInfo } from "../../protocol/host.ts";
import { HeadlessScreen } from "../../terminal/headless.ts";
import { repaint } from "../../terminal/ansi-repaint.ts";
import { claudeAdapter } from "../claude-adapter.ts";
import { codexAdapter } from "../codex-adapter.ts";
import type { Link } from "../link.ts";
import type { PtyProcess } from "../pty/types.ts";
import { type LocalSide, runWrapped } from "../run.ts";
import { readLines, writeLine } from "./lines.ts";
import { ensurePrivateDir, hostLogPath, hostSocketPath, runDir } from "./paths.ts";
import { alive, descendants, signalAll } from "./process-tree.ts";

export const HOST_SPEC_ENV = "CLAUDE_REMOTE_HOST_SPEC";

export const HostSpec = z.object({
  sessionId: SessionId,
  argv: z.array(z.string()).min(1),
  name: z.string().max(200),
  agent: z.string().max(32).nullable(),
  preset: z.string().max(32),
  cols: z.number().int().min(1).max(1000),
  rows: z.number().int().min(1).max(1000),
});
export type HostSpec = z.infer<typeof HostSpec>;

/** Terminals attached at once; a client whose unread output passes the bound is dropped. */
const MAX_ATTACHED = 8;
const MAX_CLIENT_BACKLOG = 4 * 1024 * 1024;
/** After SIGTERM, how long the tree gets before SIGKILL. */
const TERM_GRACE_MS = 3000;

type Client = { sock: Socket; attached: boolean; live: boolean; pending: string[]; who: string };

class HostSide implements LocalSide {
  private screen: HeadlessScreen;
  private server: Server | null = null;
  private clients = new Set<Client>();
  private pty: PtyProcess | null = null;
  private link: Link | null = null;
  private resize: (cols: number, rows: number) => void = () => {};
  private cols: number;
  private rows: number;
  private stopping = false;
  private tree = new Set<number>();
  exit: { exitCode: number; signal: string | null } | null = null;

  constructor(
    private spec: HostSpec,
    private socketPath: string,
  ) {
    this.cols = spec.cols;
    this.rows = spec.rows;
    this.screen = new HeadlessScreen(spec.cols, spec.rows, { scrollback: 200 });
  }

  size() {
    return { cols: this.cols, rows: this.rows };
  }

  output(data: Uint8Array): void {
    this.screen.write(data);
    if (this.clients.size === 0) return;
    const b64 = Buffer.from(data).toString("base64");
    for (const c of this.clients) {
      if (!c.attached) continue;
      if (c.live) this.sendTo(c, { type: "output", data: b64 });
      else c.pending.push(b64);
    }
  }

  start(pty: PtyProcess, resize: (cols: number, rows: number) => void, link: Link | null): void {
    this.pty = pty;
    this.link = link;
    this.resize = (c, r) => {
      this.cols = c;
      this.rows = r;
      this.screen.resize(c, r);
      resize(c, r);
    };
    void pty.exited.then((e) => {
      this.exit = e;
      signalAll([...this.tree].filter(alive), "SIGKILL"); // what a stopped agent left running
      for (const c of this.clients) this.sendTo(c, { type: "exit", ...e });
    });
    this.listen();
  }

  resized(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    this.screen.resize(cols, rows);
  }

  stop(): void {
    this.server?.close();
    rmSync(this.socketPath, { force: true });
    setTimeout(() => {
      for (const c of this.clients) c.sock.end();
    }, 50);
  }

  private listen(): void {
    ensurePrivateDir(runDir());
    rmSync(this.socketPath, { force: true });
    this.server = createServer((sock) => this.accept(sock));
    this.server.listen(this.socketPath, () => chmodSync(this.socketPath, 0o600));
  }

  private accept(sock: Socket): void {
    const c: Client = { sock, attached: false, live: false, pending: [], who: "" };
    this.clients.add(c);
    sock.on("error", () => {});
    sock.on("close", () => {
      this.clients.delete(c);
      if (c.attached) this.audit(c, "detach");
    });
    readLines(
      sock,
      HostRequest,
      (f) => this.request(c, f),
      (why) => this.sendTo(c, { type: "error", message: why }),
    );
    if (this.exit) this.sendTo(c, { type: "exit", ...this.exit });
  }

  private request(c: Client, f: HostRequest): void {
    switch (f.type) {
      case "info":
        return this.sendTo(c, { type: "info", session: this.info() });
      case "attach":
        return this.attach(c, f.cols, f.rows, f.who);
      case "input":
        if (!c.attached) return this.sendTo(c, { type: "error", message: "attach first" });
        this.pty?.write(Buffer.from(f.data, "base64"));
        return;
      case "resize":
        if (c.attached && (f.cols !== this.cols || f.rows !== this.rows)) this.resize(f.cols, f.rows);
        return;
      case "stop":
        this.sendTo(c, { type: "stopping", graceMs: f.graceMs });
        void this.terminate(f.graceMs);
        return;
    }
  }

  private attach(c: Client, cols: number, rows: number, who: string): void {
    if (c.attached) return;
    if ([...this.clients].filter((x) => x.attached).length >= MAX_ATTACHED)
      return this.sendTo(c, { type: "error", message: `already ${MAX_ATTACHED} terminals attached` });
    c.attached = true;
    c.who = who;
    this.audit(c, "attach");
    // The snapshot is taken inside the parser's callback: exactly the output written before it, the rest follows as pending.
    this.screen.write("", () => {
      this.sendTo(c, { type: "screen", data: Buffer.from(repaint(this.screen.styled())).toString("base64") });
      for (const d of c.pending.splice(0)) this.sendTo(c, { type: "output", data: d });
      c.live = true;
      if (cols !== this.cols || rows !== this.rows) this.resize(cols, rows); // the agent redraws for the new size
    });
  }

  private audit(c: Client, event: "attach" | "detach"): void {
    this.link?.sendControl({ type: "session.attach", sessionId: this.spec.sessionId, event, who: c.who.slice(0, 200), at: Date.now() });
  }

  /** Stop: interrupt, then SIGTERM the whole tree after `graceMs`, then SIGKILL what is left. */
  private async terminate(graceMs: number): Promise<void> {
    const pty = this.pty;
    if (!pty || this.stopping || this.exit) return;
    this.stopping = true;
    const remember = () => [pty.pid, ...descendants(pty.pid)].forEach((p) => this.tree.add(p));
    const exited = pty.exited.then(() => true);
    const within = (ms: number) => Promise.race([exited, Bun.sleep(ms).then(() => false)]);
    remember();
    pty.kill("SIGINT");
    if (await within(graceMs)) return;
    remember();
    signalAll(this.tree, "SIGTERM");
    if (await within(TERM_GRACE_MS)) return;
    remember();
    signalAll(this.tree, "SIGKILL");
  }

  private info(): HostSessionInfo {
    return {
      sessionId: this.spec.sessionId,
      name: this.spec.name,
      cwd: process.cwd(),
      command: this.spec.argv,
      preset: this.spec.preset,
      agent: this.spec.agent,
      pid: process.pid,
      childPid: this.pty?.pid ?? null,
      startedAt: startedAt,
      attached: [...this.clients].filter((c) => c.attached).length,
      cols: this.cols,
      rows: this.rows,
    };
  }

  private sendTo(c: Client, frame: unknown): void {
    if (c.sock.writableLength > MAX_CLIENT_BACKLOG) {
      c.sock.destroy(); // an attached terminal that stopped reading: it re-attaches for a fresh screen
      return;
    }
    writeLine(c.sock, frame);
  }
}

const startedAt = Date.now();

/** `claude-remote __host`: runs the session described in $CLAUDE_REMOTE_HOST_SPEC; exits with the agent's exit code. */
export async function hostMain(): Promise<number> {
  const raw = process.env[HOST_SPEC_ENV];
  delete process.env[HOST_SPEC_ENV]; // not inherited by the agent
  let spec: HostSpec;
  try {
    spec = HostSpec.parse(JSON.parse(raw ?? ""));
  } catch (e) {
    console.error(`claude-remote __host: bad ${HOST_SPEC_ENV}: ${(e as Error).message}`);
    return 2;
  }
  const side = new HostSide(spec, hostSocketPath(spec.sessionId));
  const code = await runWrapped({
    argv: spec.argv,
    name: spec.name,
    agent: spec.agent ?? undefined,
    adapter: spec.agent === "claude" ? claudeAdapter() : spec.agent === "codex" ? codexAdapter() : undefined,
    sessionId: spec.sessionId,
    local: side,
  });
  rmSync(hostLogPath(spec.sessionId), { force: true }); // it only held start-up trouble, which the daemon reads at start
  return code;
}
