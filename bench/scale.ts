/**
 * Scale: 20 wrapped sessions (`claude-remote exec -- workload.sh latency …` in real PTYs, paired to a
 * server running as its own process), each printing a timestamped line every 10 ms, × 5 viewers per
 * session (3 on the raw SSE, 2 on the screen view) streaming at once. Phase 1 (`--seconds`, ≤ 30):
 * server RSS and CPU from /proc, events/s at the viewers, output→viewer latency. Phase 2, same
 * length: one more viewer, a raw TCP client that sends its request and never reads, on a session
 * with 20 MB of history; server RSS before/after, what happened to that connection, and the other
 * viewers' latency again.
 *   bun bench/run.ts scale [--seconds=15] [--sessions=20] [--viewers=5] [--screen-viewers=2]
 */
import { dataFile } from "./passthrough.ts";
import { cpuSeconds, RssSampler, status } from "./lib/proc.ts";
import { timeInPty } from "./lib/pty-run.ts";
import { flag, waitUntil } from "./lib/args.ts";
import { perSecondP99, phase, type Sample, Viewer } from "./lib/latency-viewer.ts";
import { ADMIN_TOKEN, BUN, CLI, metric, sessionNamed, settleIndexer, startBenchServer } from "./lib/server.ts";
import { readSse } from "./lib/sse.ts";
import { mb, now, r2, stats } from "./lib/stats.ts";
import { WORKLOAD } from "./peer-claude-remote.ts";

const HISTORY_BYTES = 20_000_000;
const BASELINE_S = 3;
const SETTLE_MS = 4000;

/** Kernel view of the stalled client's connection: bytes stuck in the client's receive queue and the server's send queue. */
async function socketQueues(port: number, clientPid: number): Promise<{ state: string; clientRecvQ: number; serverSendQ: number } | null> {
  const sh = async (args: string[]) => new Response(Bun.spawn(["ss", "-tanpH", ...args], { stdout: "pipe" }).stdout).text();
  const mine = (await sh(["dst", `127.0.0.1:${port}`])).split("\n").find((l) => l.includes(`pid=${clientPid},`));
  if (!mine) return null;
  const [state, recvQ, , local] = mine.trim().split(/\s+/);
  const lport = local.split(":").pop();
  const srv = (await sh(["src", `127.0.0.1:${port}`, "dst", `127.0.0.1:${lport}`])).trim().split(/\s+/);
  return { state, clientRecvQ: Number(recvQ), serverSendQ: Number(srv[2] ?? NaN) };
}

export async function run(args: string[] = []): Promise<Record<string, unknown>> {
  const seconds = Math.min(30, flag(args, "seconds", 15));
  const nSessions = Math.min(50, flag(args, "sessions", 20));
  const perSession = Math.min(10, flag(args, "viewers", 5));
  const screenPer = Math.min(perSession, flag(args, "screen-viewers", 2));
  const server = await startBenchServer();
  const wrapperPids: number[] = [];
  const runs: Promise<unknown>[] = [];
  const aborts: AbortController[] = [];
  const finished = new Set<number>();
  const hold: { stalled?: ReturnType<typeof Bun.spawn> } = {};
  try {
    // the session the stalled viewer will ask for: 20 MB of history it will never read
    const file = await dataFile(HISTORY_BYTES);
    await timeInPty([BUN, CLI, "exec", "--name", "scale-history", "--", "cat", file], {
      env: { CLAUDE_REMOTE_CONFIG_DIR: server.configDir },
      capMs: 90_000,
    });
    const historyId = await sessionNamed(server, "scale-history");
    const indexerS = await settleIndexer(server, 90_000);
    console.log(`scale: history session stored (${mb(HISTORY_BYTES)} MB), indexer settled after ${indexerS} s`);

    // 20 sessions, started 150 ms apart so 20 Bun start-ups do not land at once
    const count = Math.ceil((2 * seconds + BASELINE_S + 12) * 100);
    const ids: string[] = [];
    for (let i = 0; i < nSessions; i++) {
      const name = `scale-${i}`;
      runs.push(
        timeInPty([BUN, CLI, "exec", "--name", name, "--", WORKLOAD, "latency", String(count), "10"], {
          env: { CLAUDE_REMOTE_CONFIG_DIR: server.configDir },
          capMs: (2 * seconds + 90) * 1000,
          onSpawn: (p) => wrapperPids.push(p),
        }).then((r) => finished.add(r.pid)),
      );
      await Bun.sleep(150);
    }
    for (let i = 0; i < nSessions; i++) ids.push(await sessionNamed(server, `scale-${i}`, 30_000));

    const samples: Sample[] = [];
    const viewers: Viewer[] = [];
    for (const id of ids) {
      for (let v = 0; v < perSession; v++) {
        const screen = v >= perSession - screenPer;
        const viewer = new Viewer(screen, samples);
        const ac = new AbortController();
        aborts.push(ac);
        viewers.push(viewer);
        void readSse(`${server.url}/events?session=${id}${screen ? "&view=screen" : ""}`, ADMIN_TOKEN, viewer.onEvent, {
          signal: ac.signal,
          onWire: (b) => (viewer.wire += b),
        }).catch((e) => console.error(`scale: viewer ended: ${e}`));
      }
    }
    await waitUntil(() => viewers.every((v) => v.ready), 30_000, "every viewer to see __BENCH_READY__");
    const viewersBefore = await metric(server, 'claude_remote_viewers{stream="session"}');
    const trigger = (id: string) => server.api(`/api/sessions/${id}/input`, { method: "POST", body: JSON.stringify({ text: "go\r" }) });
    // in-run baseline: session 0 streams alone (its 5 viewers) while the other wrappers wait for the trigger
    await trigger(ids[0]);
    await Bun.sleep(1000);
    const b0 = now();
    await Bun.sleep(BASELINE_S * 1000);
    const alone = phase(samples, b0, now());
    console.log(
      `scale baseline (1 session streaming): raw p50/p99 ${alone.raw.p50}/${alone.raw.p99} ms, screen ${alone.screen.p50}/${alone.screen.p99} ms`,
    );
    await Promise.all(ids.slice(1).map(trigger));
    await Bun.sleep(2000); // warm-up: every session streaming

    const counters = () => ({
      t: now(),
      cpu: cpuSeconds(server.pid),
      self: cpuSeconds(process.pid),
      wrappers: wrapperPids.reduce((s, p) => s + (cpuSeconds(p) || 0), 0),
      events: viewers.reduce((s, v) => s + v.events, 0),
      rawEvents: viewers.filter((v) => !v.screen).reduce((s, v) => s + v.events, 0),
      lines: viewers.reduce((s, v) => s + v.lines, 0),
    });
    const sseOut = () => metric(server, "claude_remote_sse_bytes_sent_total");
    const measure = async (label: string, during?: () => Promise<void>) => {
      const rss = new RssSampler(server.pid, 100);
      const rssPerSecondMB: number[] = [];
      const tick = setInterval(() => rssPerSecondMB.push(Math.round(status(server.pid).rssKB / 1024)), 1000);
      const a = counters();
      const sse0 = await sseOut();
      await during?.();
      await Bun.sleep(Math.max(0, seconds * 1000 - (now() - a.t)));
      clearInterval(tick);
      const b = counters();
      const sse1 = await sseOut();
      const secs = (b.t - a.t) / 1000;
      const lat = phase(samples, a.t, b.t);
      const out = {
        seconds: r2(secs),
        serverRssMB: rss.stop(),
        serverCpuPct: Math.round(((b.cpu - a.cpu) / secs) * 100),
        benchClientCpuPct: Math.round(((b.self - a.self) / secs) * 100),
        wrappersCpuPct: Math.round(((b.wrappers - a.wrappers) / secs) * 100),
        eventsPerS: Math.round((b.events - a.events) / secs),
        rawEventsPerS: Math.round((b.rawEvents - a.rawEvents) / secs),
        linesPerS: Math.round((b.lines - a.lines) / secs),
        sseMBps: r2((sse1 - sse0) / 1e6 / secs),
        latencyMs: lat,
        rawP99PerSecondMs: perSecondP99(samples, a.t, b.t),
        rssPerSecondMB,
        rawAfter3s: phase(samples, a.t + 3000, b.t).raw,
      };
      console.log(`scale ${label}: ${JSON.stringify(out)}`);
      return out;
    };

    const steady = await measure("steady");
    // Computing a phase's figures (sorting ~300k samples) blocks this client for a moment; its
    // viewers' backlog must drain before the next phase starts, or the next phase measures the client.
    await Bun.sleep(SETTLE_MS);
    let stall: Record<string, unknown> = {};
    const withStall = await measure("stalled", async () => {
      const req = `GET /events?session=${historyId} HTTP/1.1\\r\\nHost: 127.0.0.1:${server.port}\\r\\nAuthorization: Bearer ${ADMIN_TOKEN}\\r\\nAccept: text/event-stream\\r\\n\\r\\n`;
      // bash's /dev/tcp: connect, send the request, then sleep without ever reading fd 3
      const stalled = (hold.stalled = Bun.spawn(
        ["bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${server.port}; printf '${req}' >&3; exec sleep ${seconds + 60}`],
        { stdout: "ignore", stderr: "inherit" },
      ));
      await Bun.sleep(1000);
      stall.viewersAfterConnect = await metric(server, 'claude_remote_viewers{stream="session"}');
      stall.socketAfter1s = await socketQueues(server.port, stalled.pid);
    });
    stall.socketAtEnd = hold.stalled ? await socketQueues(server.port, hold.stalled.pid) : null;
    stall.viewersAtEnd = await metric(server, 'claude_remote_viewers{stream="session"}');
    stall.viewersBefore = viewersBefore;
    const sock = stall.socketAtEnd as { serverSendQ: number; clientRecvQ: number } | null;
    stall.cutOff = (stall.viewersAtEnd as number) < (stall.viewersAfterConnect as number);
    stall.kernelQueuedMB = sock ? mb(sock.serverSendQ + sock.clientRecvQ) : null;
    const expectedLines = viewers.length * 100 * seconds;
    const summary = {
      sessions: nSessions,
      viewers: viewers.length,
      rawViewers: viewers.filter((v) => !v.screen).length,
      screenViewers: viewers.filter((v) => v.screen).length,
      phaseSeconds: seconds,
      steady,
      stalled: withStall,
      stall,
      rssGrowthDuringStallMB: r2(withStall.serverRssMB.peakMB - steady.serverRssMB.endMB),
      baseline: { seconds: BASELINE_S, what: "session 0 streaming alone (5 viewers), 19 wrappers idle", latencyMs: alone },
      rawP99AloneMs: alone.raw.p99,
      rawP99SteadyMs: steady.latencyMs.raw.p99,
      rawP99StalledAfter3sMs: withStall.rawAfter3s.p99,
      rawP99StalledMs: withStall.latencyMs.raw.p99,
      screenP99SteadyMs: steady.latencyMs.screen.p99,
      screenP99StalledMs: withStall.latencyMs.screen.p99,
      linesDeliveredSteadyPct: Math.round((steady.linesPerS * seconds * 100) / expectedLines),
    };
    console.log(
      `scale: ${nSessions}×${perSession} viewers: server CPU ${steady.serverCpuPct} %, RSS ${steady.serverRssMB.endMB} MB, ${steady.eventsPerS} events/s, raw p99 ${summary.rawP99SteadyMs} ms → ${summary.rawP99StalledMs} ms with a stalled viewer (${summary.rawP99StalledAfter3sMs} ms from 3 s after it connected; RSS +${summary.rssGrowthDuringStallMB} MB, cut off: ${stall.cutOff})`,
    );
    return { summary };
  } finally {
    for (const ac of aborts) ac.abort();
    hold.stalled?.kill("SIGKILL");
    for (const pid of wrapperPids) {
      if (finished.has(pid)) continue;
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    await Promise.race([Promise.allSettled(runs), Bun.sleep(5000)]);
    await server.stop();
  }
}

if (import.meta.main) console.log(JSON.stringify(await run(process.argv.slice(2))));
