/**
 * The wrapper's one WebSocket to the server. Output goes into the ring first (so the PTY never
 * waits on the network) and is sent as binary frames; the server's acks free the ring. On every
 * (re)connect the link resends what the server does not have, announcing any dropped range as a gap.
 */
import { DeviceClose } from "../protocol/codes.ts";
import { assertNever, parseJson, parseWith } from "../protocol/common.ts";
import { type ClientFrame, ServerFrame, type SessionOpenInfo } from "../protocol/frames.ts";
import { deviceSocketUrl, helloFrame } from "../protocol/handshake.ts";
import { OutputFrameWriter } from "../protocol/output-frame.ts";
import type { PromptAnswer } from "../protocol/prompts.ts";
import type { TranscriptFrame } from "../protocol/transcript.ts";
import { Ring, type RingSnapshot } from "./ring.ts";
import { Spill, type SpillEntry } from "./spill.ts";

type ExitFrame = Extract<ClientFrame, { type: "session.exit" }>;

export type FinishOptions = {
  /** When the program ended, if not now (a deliverer reports the original time). */
  endedAt?: number;
  /** Give up at this time (ms since the epoch) even while acks still come. */
  deadline?: number;
  /** Give up as soon as this returns true. */
  stop?: () => boolean;
};

/** Frames besides output that must be stored before the exit is reported (the transcript feed's); what is left of them at exit goes to the spool. */
export type HeldFrames = { unacked(): TranscriptFrame[] };

export type LinkOptions = {
  serverUrl: string;
  deviceId: string;
  secret: string;
  session: SessionOpenInfo;
  ringBytes: number;
  /** Output kept by an earlier process (a spool file): sent as if this link had produced it. */
  restored?: RingSnapshot;
  /** Where what the ring evicts is kept on disk (spill.ts), and the bound of all spill files there; none: it is dropped. */
  spill?: { dir: string; maxBytes: number };
  onInput: (data: string) => void;
  onResize: (cols: number, rows: number) => void;
  /** Human-readable state changes, for the one stderr notice. */
  onState?: (state: "up" | "down", detail: string) => void;
  host?: string;
};

const HIGH_WATER = 1 * 1024 * 1024;
/** How often `finish` looks at its limits while it waits. */
const FINISH_POLL_MS = 250;
/** How long `finish` waits for the server to confirm a sent exit. */
const ENDED_WAIT_MS = 5000;
const HEARTBEAT_MS = 10_000;
const DEAD_AFTER_MS = 30_000;
/** Control frames kept while the link is down; past this, the oldest notice goes (prompt frames are never dropped for one). */
const OUTBOX_MAX = 512;

export class Link {
  readonly ring: Ring;
  /** Older output than the ring's, on disk: sent before the ring's. */
  readonly spill: Spill | null = null;
  private loading = false; // the spill is reading back what to send next
  private ws: WebSocket | null = null;
  private ready = false; // handshake done and session.ready received
  private sentUpTo = 0; // highest seq sent on this connection
  private attempt = 0;
  private closed = false;
  private pumpTimer: ReturnType<typeof setTimeout> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private lastHeard = 0;
  private exitFrame: ExitFrame | null = null;
  private ackWaiters: (() => void)[] = [];
  private outbox: ClientFrame[] = [];
  private readyListeners: (() => void)[] = [];
  private answerListeners: ((f: PromptAnswer) => void)[] = [];
  private transcriptAckListeners: ((seq: number) => void)[] = [];
  private held: HeldFrames[] = [];
  private readonly frames: OutputFrameWriter;
  acked = 0;
  everConnected = false;
  /** The server said it answers `session.exit` with `session.ended`. */
  private serverAcksExit = false;
  /** The server said it stores and acks `transcript` frames: only then does the exit wait for held frames. */
  private serverAcksTranscripts = false;
  /** The server confirmed this session's exit. */
  private ended = false;

  constructor(private opts: LinkOptions) {
    this.frames = new OutputFrameWriter(opts.session.sessionId);
    this.ring = opts.restored ? Ring.restore(opts.restored, opts.ringBytes) : new Ring(opts.ringBytes);
    if (opts.spill) {
      const spill = (this.spill = Spill.open({ ...opts.spill, sessionId: opts.session.sessionId }));
      this.ring.overflow = (e) => spill.take(e);
      spill.onLost = (seq, bytes) => this.ring.drop(seq, bytes);
    }
  }

  /** Output the server has not acknowledged, in memory and spilled to disk. */
  get unackedBytes(): number {
    return this.ring.bytes + (this.spill?.bytes ?? 0);
  }

  start(): void {
    this.connect();
  }

  get session(): SessionOpenInfo {
    return { ...this.opts.session };
  }

  get connected(): boolean {
    return this.ready;
  }

  /** Connection attempts that failed since the last success. */
  get failedAttempts(): number {
    return this.attempt;
  }

  output(data: Uint8Array): void {
    this.ring.push(data);
    this.pump();
  }

  /** The PTY refused `bytes` of the server's input (the program is not reading): the server tells the viewers. */
  inputRefused(bytes: number, queued: number): void {
    if (this.ready) this.sendJson({ type: "input.refused", sessionId: this.opts.session.sessionId, bytes, queued });
  }

  resize(cols: number, rows: number): void {
    this.opts.session.cols = cols;
    this.opts.session.rows = rows;
    if (this.ready) this.sendJson({ type: "session.resize", sessionId: this.opts.session.sessionId, cols, rows });
  }

  /**
   * A control frame from an agent adapter (prompt.open, prompt.closed, notice): sent now, or kept
   * until the link is up again and sent, in order, before any output of that connection.
   */
  sendControl(frame: ClientFrame): void {
    if (this.ready && this.ws?.readyState === WebSocket.OPEN) return this.sendJson(frame);
    this.outbox.push(frame);
    if (this.outbox.length > OUTBOX_MAX) {
      const i = this.outbox.findIndex((f) => f.type === "notice");
      this.outbox.splice(i >= 0 ? i : 0, 1);
    }
  }

  /** Called after every (re)connect, once queued control frames are sent (e.g. to re-announce pending prompts). */
  onReadyAgain(fn: () => void): void {
    this.readyListeners.push(fn);
  }

  /** Answers to this session's prompts from the server. */
  onPromptAnswer(fn: (f: PromptAnswer) => void): void {
    this.answerListeners.push(fn);
  }

  /** Acks of this session's `transcript` frames (their own seq; see transcript-feed.ts). */
  onTranscriptAck(fn: (seq: number) => void): void {
    this.transcriptAckListeners.push(fn);
  }

  /** `finish` reports the exit only once `h` holds no unacked frames. */
  hold(h: HeldFrames): void {
    this.held.push(h);
  }

  /** The held frames the server has not acknowledged (for the spool), oldest first per holder. */
  heldFrames(): TranscriptFrame[] {
    return this.held.flatMap((h) => h.unacked());
  }

  /**
   * Reports the exit once all output (and every held frame) is stored. Waits as long as acks keep coming (a server that is
   * merely slower than the program still gets everything), gives up after `idleMs` without
   * progress, at `deadline`, or once `stop()` says so. Resolves true only when everything was acked
   * and the server confirmed the exit (`session.ended`; a server that does not announce
   * `exitAcks` is taken at its word once the frame is sent).
   */
  async finish(exitCode: number, signal: string | null, idleMs: number, opts: FinishOptions = {}): Promise<boolean> {
    const done = await this.reportExit(exitCode, signal, idleMs, opts);
    await this.spill?.settle(); // spilled output on disk (a spool file written next relies on it), acknowledged segments removed
    return done;
  }

  private async reportExit(exitCode: number, signal: string | null, idleMs: number, opts: FinishOptions): Promise<boolean> {
    const s = this.opts.session;
    this.exitFrame = {
      type: "session.exit",
      sessionId: s.sessionId,
      exitCode,
      signal,
      endedAt: opts.endedAt ?? Date.now(),
      lastSeq: this.ring.lastSeq,
    };
    this.pump();
    const deadline = opts.deadline ?? Infinity;
    const all = this.allAcked();
    for (let seen = this.acked, progressAt = Date.now(); ; ) {
      const acked = this.acked >= this.ring.lastSeq;
      if (
        acked &&
        this.ready &&
        this.ws?.readyState === WebSocket.OPEN &&
        (!this.serverAcksTranscripts || this.held.every((h) => h.unacked().length === 0))
      )
        break;
      const now = Date.now();
      if (this.acked !== seen) [seen, progressAt] = [this.acked, now];
      if (now - progressAt >= idleMs || now >= deadline || opts.stop?.()) return false;
      // once acked by a server that then went away, only the link coming back can finish it
      await (acked ? Bun.sleep(FINISH_POLL_MS) : Promise.race([all, Bun.sleep(Math.min(FINISH_POLL_MS, idleMs))]));
    }
    this.ended = false;
    this.sendJson(this.exitFrame);
    if (!this.serverAcksExit) {
      await Bun.sleep(20);
      return true;
    }
    const until = Date.now() + ENDED_WAIT_MS;
    while (!this.ended && Date.now() < until && this.ready) await Bun.sleep(5);
    return this.ended;
  }

  /** The exit this link reported or tried to report (set by `finish`). */
  get exit(): ExitFrame | null {
    return this.exitFrame;
  }

  close(): void {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.ws?.close(DeviceClose.bye, "bye");
  }

  private allAcked(): Promise<void> {
    if (this.acked >= this.ring.lastSeq) return Promise.resolve();
    return new Promise((r) => this.ackWaiters.push(r));
  }

  private connect(): void {
    if (this.closed) return;
    const url = deviceSocketUrl(this.opts.serverUrl);
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      return this.lost(`cannot open ${url}: ${(e as Error).message}`);
    }
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onmessage = (ev) => this.onMessage(ws, ev.data);
    ws.onclose = (ev) => {
      if (this.ws === ws) this.lost(`connection closed (${ev.code}${ev.reason ? ` ${ev.reason}` : ""})`);
    };
    ws.onerror = () => {};
  }

  private lost(detail: string): void {
    const wasReady = this.ready;
    this.ready = false;
    this.ws = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (this.closed) return;
    if (wasReady || this.attempt === 0) this.opts.onState?.("down", detail);
    const base = Math.min(10_000, 250 * 2 ** Math.min(this.attempt++, 6));
    const delay = base / 2 + Math.random() * base; // jitter: reconnecting wrappers do not stampede
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private onMessage(ws: WebSocket, raw: unknown): void {
    if (typeof raw !== "string") return;
    this.lastHeard = Date.now();
    const json = parseJson(raw);
    if (!json.ok) return;
    const parsed = parseWith(ServerFrame, json.value);
    if (!parsed.ok) return;
    const f = parsed.value;
    const s = this.opts.session;
    switch (f.type) {
      case "challenge":
        return this.sendJson(helloFrame(this.opts, f.nonce, this.opts.host));
      case "welcome":
        this.serverAcksExit = f.exitAcks === true;
        this.serverAcksTranscripts = f.transcripts === true;
        return this.sendJson({
          type: "session.open",
          sessionId: s.sessionId,
          name: s.name,
          command: s.command,
          cwd: s.cwd,
          cols: s.cols,
          rows: s.rows,
          startedAt: s.startedAt,
          agent: s.agent,
          hooks: s.hooks,
        });
      case "session.ready":
        return this.onReady(ws, f.lastSeq);
      case "ack":
        return this.onAck(f.seq);
      case "session.ended":
        if (f.sessionId === s.sessionId) this.ended = true;
        return;
      case "input":
        if (f.sessionId === s.sessionId) this.opts.onInput(f.data);
        return;
      case "resize":
        if (f.sessionId === s.sessionId) this.opts.onResize(f.cols, f.rows);
        return;
      case "prompt.answer":
        if (f.sessionId === s.sessionId) for (const fn of this.answerListeners) fn(f);
        return;
      case "transcript.ack":
        if (f.sessionId === s.sessionId) for (const fn of this.transcriptAckListeners) fn(f.seq);
        return;
      case "ping":
        return this.sendJson({ type: "pong", t: f.t });
      case "pong":
      case "error":
      case "daemon.start":
      case "daemon.stop":
        return; // errors are the server's word on a frame; daemon requests go to the daemon's own connection
      default:
        return assertNever(f);
    }
  }

  private onReady(ws: WebSocket, lastSeq: number): void {
    if (ws !== this.ws) return;
    this.ready = true;
    this.everConnected = true;
    this.attempt = 0;
    this.onAck(lastSeq);
    this.sentUpTo = lastSeq;
    for (const e of this.ring.after(lastSeq)) e.sent = false;
    this.lastHeard = Date.now();
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.opts.onState?.("up", this.opts.serverUrl);
    for (const f of this.outbox.splice(0)) this.sendJson(f);
    for (const fn of this.readyListeners) fn();
    this.pump();
  }

  private onAck(seq: number): void {
    if (seq <= this.acked) return;
    this.acked = seq;
    this.ring.ack(seq);
    this.spill?.ack(seq);
    if (this.acked >= this.ring.lastSeq) for (const w of this.ackWaiters.splice(0)) w();
  }

  private beat(): void {
    if (Date.now() - this.lastHeard > DEAD_AFTER_MS) {
      this.ws?.close(DeviceClose.heartbeat, "no heartbeat");
      return;
    }
    this.sendJson({ type: "ping", t: Date.now() });
  }

  /** Sends unsent output in order while the socket has room; never blocks. */
  private pump(): void {
    const ws = this.ws;
    if (!this.ready || !ws || this.pumpTimer || this.closed || this.loading) return;
    // spilled output is older than anything in the ring
    for (let e = this.spill?.next(this.sentUpTo); e; e = this.spill?.next(this.sentUpTo)) {
      if (ws.bufferedAmount > HIGH_WATER) return this.pumpIn(2);
      if (e === "load") return this.loadSpill(this.spill!);
      this.sendEntry(ws, e);
    }
    for (const e of this.ring.after(this.sentUpTo)) {
      if (ws.bufferedAmount > HIGH_WATER) return this.pumpIn(2);
      this.sendEntry(ws, e);
    }
    // seqs the ring no longer holds and the server does not have (it lost output it had acked): a gap, so acks can reach the end
    if (this.sentUpTo < this.ring.lastSeq) this.sendGap(this.sentUpTo + 1, this.ring.lastSeq);
    if (this.exitFrame && this.acked >= this.ring.lastSeq) this.ackWaiters.splice(0).forEach((w) => w());
  }

  private loadSpill(spill: Spill): void {
    this.loading = true;
    void spill.load(this.sentUpTo).finally(() => {
      this.loading = false;
      this.pump();
    });
  }

  private pumpIn(ms: number): void {
    this.pumpTimer = setTimeout(() => {
      this.pumpTimer = null;
      this.pump();
    }, ms);
  }

  private sendEntry(ws: WebSocket, e: SpillEntry & { sent?: boolean }): void {
    if (e.seq > this.sentUpTo + 1) this.sendGap(this.sentUpTo + 1, e.seq - 1);
    ws.send(this.frames.encode(e.seq, e.parts)); // send copies it (masking), so one buffer serves every frame
    e.sent = true;
    this.sentUpTo = e.seq;
  }

  private sendGap(fromSeq: number, toSeq: number): void {
    this.sendJson({ type: "gap", sessionId: this.opts.session.sessionId, fromSeq, toSeq, bytes: this.ring.droppedIn(fromSeq, toSeq) });
    this.sentUpTo = toSeq;
  }

  private sendJson(frame: ClientFrame): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }
}
