/**
 * The wrapper: runs a command in a PTY so the local terminal cannot tell it from the real thing,
 * and streams every byte to the server over the link.
 */
import { hostname } from "node:os";
import { basename } from "node:path";
import { OutputTail } from "./output-tail.ts";
import { readDeviceConfig } from "./config.ts";
import { deliveryWaiting, startDeliverer } from "./deliver.ts";
import { Link } from "./link.ts";
import { markerPath, removeMarker, writeMarker } from "./live-marker.ts";
import { loadBackend } from "./pty/index.ts";
import { DEFAULT_INPUT_QUEUE_BYTES, type PtyProcess } from "./pty/types.ts";
import { spillBytes } from "./spill.ts";
import { spoolDir, writeSpool } from "./spool.ts";
import { enterRaw, restoreTerminal, terminalSize } from "./terminal.ts";

const DEFAULT_RING_BYTES = 8 * 1024 * 1024;

/** Lets an agent adapter (e.g. Claude's hooks) change the command and environment, and clean up after. */
export type Adapter = {
  prepare(ctx: { sessionId: string; argv: string[]; env: Record<string, string | undefined> }): Promise<{
    argv: string[];
    env: Record<string, string | undefined>;
    /** True when the adapter answers permission prompts through the agent's hooks (the server then reads none off the screen). */
    hooks?: boolean;
    dispose(): Promise<void> | void;
  }>;
  /** Gets the link once it exists (to send prompt frames) and the live PTY (to type answers). */
  attach?(link: Link | null, pty: PtyProcess): void;
  /** A line for the user after the program exited, from the last output it wrote (e.g. how to resume). */
  exitNotice?(tail: string): string | null;
};

/**
 * Where the session is shown and typed into: the local terminal (default), or nothing but the
 * attach socket of a background session (src/cli/daemon/host.ts).
 */
export type LocalSide = {
  size(): { cols: number; rows: number };
  /** The backend itself copies stdin to the child and the child's output to stdout (`local: true`). */
  ownsTerminal?: boolean;
  /** Before the child starts (raw mode: the backend may write its first byte off this thread). */
  before?(): void;
  /** Output of the child, before the link gets it (already on stdout when `ownsTerminal`). */
  output(data: Uint8Array): void;
  /** The PTY exists: start feeding it keys and resizes (`resize` also tells the server); `link` is null when not paired. */
  start(pty: PtyProcess, resize: (cols: number, rows: number) => void, link: Link | null): void;
  /** The server (the phone) resized the PTY. */
  resized?(cols: number, rows: number): void;
  stop(): void;
};

export type RunOptions = { argv: string[]; name?: string; agent?: string; adapter?: Adapter; sessionId?: string; local?: LocalSide };

/** The user's terminal: raw mode and SIGWINCH here; the backend copies stdin and stdout itself. */
function terminalSide(): LocalSide {
  let onWinch: (() => void) | null = null;
  return {
    size: terminalSize,
    ownsTerminal: true,
    before: enterRaw,
    output: () => {},
    start(_pty, resize) {
      onWinch = () => {
        const s = terminalSize();
        resize(s.cols, s.rows);
      };
      process.on("SIGWINCH", onWinch);
    },
    stop() {
      restoreTerminal();
      if (onWinch) process.off("SIGWINCH", onWinch);
    },
  };
}

function notice(msg: string): void {
  process.stderr.write(`claude-remote: ${msg}\n`);
}

function ringBytes(): number {
  const v = Number(process.env.CLAUDE_REMOTE_RING_BYTES);
  return Number.isInteger(v) && v > 0 ? v : DEFAULT_RING_BYTES;
}

function inputQueueBytes(): number {
  const v = Number(process.env.CLAUDE_REMOTE_INPUT_QUEUE_BYTES);
  return Number.isInteger(v) && v > 0 ? v : DEFAULT_INPUT_QUEUE_BYTES;
}

/**
 * Waits for the link's first attempt (briefly), so a notice lands before the child draws its screen.
 * Only an attempt that failed counts: one still under way (a slow or loaded server) is not "cannot reach".
 */
async function firstAttemptFailed(link: Link, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !link.connected && link.failedAttempts === 0) await Bun.sleep(5);
  return !link.connected && link.failedAttempts > 0;
}

export async function runWrapped(opts: RunOptions): Promise<number> {
  const sessionId = opts.sessionId ?? crypto.randomUUID();
  const side = opts.local ?? terminalSide();
  const { cols, rows } = side.size();
  let argv = opts.argv;
  let env: Record<string, string | undefined> = { ...process.env };
  const prepared = opts.adapter ? await opts.adapter.prepare({ sessionId, argv, env }) : null;
  if (prepared) ({ argv, env } = prepared);

  const device = readDeviceConfig();
  let link: Link | null = null;
  let pty: PtyProcess | null = null;
  let downDetail = "";
  if (!device.ok) notice(`${device.reason}; running without remote.`);
  else {
    link = new Link({
      serverUrl: device.config.server,
      deviceId: device.config.deviceId,
      secret: device.config.secret,
      host: hostname(),
      ringBytes: ringBytes(),
      spill: spillBytes() > 0 ? { dir: spoolDir(), maxBytes: spillBytes() } : undefined,
      session: {
        sessionId,
        name: opts.name ?? basename(argv[0]),
        command: opts.argv,
        cwd: process.cwd(),
        cols,
        rows,
        startedAt: Date.now(),
        agent: opts.agent,
        hooks: prepared?.hooks,
      },
      onInput: (data) => {
        if (pty && !pty.write(data)) link?.inputRefused(Buffer.byteLength(data), pty.queuedInput);
      },
      onResize: (c, r) => {
        pty?.resize(c, r);
        side.resized?.(c, r);
      },
      onState: (state, detail) => {
        if (state === "down") downDetail = detail;
      },
    });
    markLive(sessionId, device.config.deviceId);
    link.start();
    if (deliveryWaiting(device.config.deviceId)) {
      const failed = startDeliverer(); // output an earlier session could not deliver, or a session whose wrapper was killed
      if (failed) notice(`cannot start sending kept output in the background: ${failed}`);
    }
    if (await firstAttemptFailed(link, 500)) notice(`cannot reach ${device.config.server} yet; output is kept and sent when it is back.`);
  }

  const backend = await loadBackend();
  side.before?.();
  const tail = opts.adapter?.exitNotice ? new OutputTail() : null;
  pty = backend(argv, {
    cols,
    rows,
    cwd: process.cwd(),
    env,
    local: side.ownsTerminal === true,
    inputQueueBytes: inputQueueBytes(),
    // an unpaired terminal session wants the output nowhere but on stdout, which the backend writes itself
    onData:
      link || tail || !side.ownsTerminal
        ? (data) => {
            side.output(data); // the local side first: the network never holds it up
            link?.output(data);
            tail?.push(data);
          }
        : undefined,
  });
  opts.adapter?.attach?.(link, pty);

  const livePty = pty;
  side.start(
    livePty,
    (c, r) => {
      livePty.resize(c, r);
      link?.resize(c, r);
    },
    link,
  );

  const forward = (sig: NodeJS.Signals) => () => pty?.kill(sig);
  const forwarders = (["SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT"] as const).map((s) => [s, forward(s)] as const);
  for (const [s, f] of forwarders) process.on(s, f);

  const { exitCode, signal } = await pty.exited;

  side.stop();
  for (const [s, f] of forwarders) process.off(s, f);
  await prepared?.dispose();
  const said = tail && opts.adapter?.exitNotice?.(tail.text());
  if (said) process.stderr.write(`${said}\n`);

  if (link) {
    const delivered = await link.finish(exitCode, signal, link.connected ? 10_000 : 2_000); // idle limits: waits on while acks advance
    link.close();
    // with neither, the marker stays: a later deliverer reports the session lost, not left open
    if (delivered || keepForLater(link, device.ok ? device.config.deviceId : "", downDetail)) unmarkLive(sessionId);
  }
  return exitCode;
}

/** If this process dies without a word, the marker it leaves lets a later deliverer report the session lost. */
function markLive(sessionId: string, deviceId: string): void {
  try {
    writeMarker(sessionId, deviceId);
  } catch (e) {
    notice(
      `cannot write ${markerPath(sessionId)} (${(e as Error).message}); if this process is killed, its session stays open on the server.`,
    );
  }
}

function unmarkLive(sessionId: string): void {
  try {
    removeMarker(sessionId);
  } catch {} // a marker left behind is reported to the server, which then only confirms the exit
}

/** Output the server did not acknowledge (or an exit it never heard of) goes to the spool, and a deliverer sends it later. True if kept. */
function keepForLater(link: Link, deviceId: string, why: string): boolean {
  const transcript = link.heldFrames();
  const what =
    [link.unackedBytes ? `${link.unackedBytes} bytes of output` : "", transcript.length ? `${transcript.length} transcript frames` : ""]
      .filter(Boolean)
      .join(" and ") || "the exit";
  const because = why ? ` (${why})` : "";
  try {
    const ring = link.ring.snapshot();
    const file = writeSpool({
      header: {
        v: 1,
        deviceId,
        open: { type: "session.open", ...link.session },
        exit: link.exit!,
        lastSeq: ring.lastSeq,
        dropped: ring.dropped,
        createdAt: Date.now(),
        ...(transcript.length ? { transcript } : {}),
      },
      ring,
    });
    const failed = startDeliverer();
    notice(
      `the server does not have ${what} yet${because}; kept in ${file}${failed ? `; run \`claude-remote deliver\` to send it (${failed})` : " and sent in the background when it is back"}.`,
    );
    return true;
  } catch (e) {
    notice(`${what} could not be delivered to the server${because} or kept: ${(e as Error).message}`);
    return false;
  }
}
