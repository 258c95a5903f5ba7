/**
 * Live markers: a running wrapper has `<spool dir>/<session>.live`; a normal exit removes it. A
 * deliverer reports the sessions of dead wrappers (pid gone, or reused by another process) as lost
 * and removes their markers, and leaves alone the markers of live wrappers, of another device, and
 * of sessions a spool file speaks for.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type LiveMarker, markerPath, readMarker } from "../../src/cli/live-marker.ts";
import { reportLost } from "../../src/cli/lost.ts";
import { ownStamp, procStat, processState } from "../../src/cli/process-check.ts";
import { writeSpool } from "../../src/cli/spool.ts";
import { Ring } from "../../src/cli/ring.ts";
import { connectDevice, type DeviceClient } from "../support/device-client.ts";
import { spawnInPty } from "../support/pty.ts";
import { BUN, CLI, startTestServer, tempDir, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

let server: TestServer;
let device: { configDir: string; deviceId: string; secret: string };
let sleeper: ReturnType<typeof Bun.spawn>;
const savedEnv = process.env.CLAUDE_REMOTE_CONFIG_DIR;
beforeAll(async () => {
  server = await startTestServer();
  device = await server.pairDevice();
  process.env.CLAUDE_REMOTE_CONFIG_DIR = device.configDir; // reportLost reads the device config
  sleeper = Bun.spawn(["sleep", "120"]); // a live process that is not any wrapper
});
afterAll(async () => {
  sleeper.kill("SIGKILL");
  if (savedEnv === undefined) delete process.env.CLAUDE_REMOTE_CONFIG_DIR;
  else process.env.CLAUDE_REMOTE_CONFIG_DIR = savedEnv;
  await server.stop();
});

const status = async (id: string) => ((await (await server.api(`/api/sessions/${id}`)).json()) as { status: string }).status;

/** A session on the server whose connection went away, as when its wrapper is killed. */
async function disconnected(owner = device): Promise<string> {
  const id = crypto.randomUUID();
  const d = await connectDevice(server.url, owner);
  await d.openSession(id);
  d.ws.close();
  await d.closed;
  await waitFor(async () => (await status(id)) === "disconnected", { what: "the session disconnected" });
  return id;
}

async function deadPid(): Promise<number> {
  const p = Bun.spawn(["true"]);
  await p.exited;
  return p.pid;
}

function mark(dir: string, m: Partial<LiveMarker> & { sessionId: string }): string {
  const marker: LiveMarker = {
    v: 1,
    deviceId: device.deviceId,
    pid: sleeper.pid,
    procStart: procStat(sleeper.pid)!.start,
    bootId: ownStamp().bootId,
    writtenAt: Date.now(),
    ...m,
  };
  const path = markerPath(m.sessionId, dir);
  writeFileSync(path, JSON.stringify(marker), { mode: 0o600 });
  return path;
}

test("a wrapper marks its session while it runs (0600, its pid and start time) and removes the marker after a normal exit", async () => {
  const go = join(tempDir("cr-live-"), "go");
  const term = spawnInPty(
    [BUN, CLI, "exec", "--name", "marked", "--", "bash", "-c", `echo started; while [ ! -e ${go} ]; do sleep 0.05; done; echo done`],
    { env: { CLAUDE_REMOTE_CONFIG_DIR: device.configDir } },
  );
  const spool = join(device.configDir, "spool");
  const id = await waitFor(
    async () => ((await (await server.api("/api/sessions")).json()) as { id: string; name: string }[]).find((s) => s.name === "marked")?.id,
    { what: "the session" },
  );
  const path = markerPath(id, spool);
  expect(existsSync(path)).toBe(true);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  const r = readMarker(path);
  if (!r.ok) throw new Error(r.error);
  expect(r.value).toMatchObject({
    v: 1,
    sessionId: id,
    deviceId: device.deviceId,
    pid: term.proc.pid,
    procStart: procStat(term.proc.pid)!.start,
    bootId: ownStamp().bootId,
  });
  expect(processState(r.value)).toBe("alive");

  writeFileSync(go, "");
  expect(await term.exited).toBe(0);
  expect(await status(id)).toBe("exited");
  expect(readdirSync(spool)).toEqual([]);
}, 30_000);

test("the deliverer reports dead wrappers' sessions lost; live wrappers, another device's markers and spooled sessions are left alone", async () => {
  const dir = join(tempDir("cr-live-"), "spool");
  Bun.spawnSync(["mkdir", "-p", dir]);
  const alive = await disconnected();
  const reused = await disconnected();
  const gone = await disconnected();
  const rebooted = await disconnected();
  const foreign = await disconnected();
  const spooled = await disconnected();
  const unknown = crypto.randomUUID();
  const othersSession = await disconnected(await server.pairDevice("other")); // the server says it is another device's
  const keep = [
    mark(dir, { sessionId: alive }),
    mark(dir, { sessionId: foreign, deviceId: "some-other-device", pid: await deadPid() }),
    mark(dir, { sessionId: spooled, pid: await deadPid() }),
  ];
  const go = [
    mark(dir, { sessionId: reused, procStart: "1" }), // the pid is alive, but it is another process now
    mark(dir, { sessionId: gone, pid: await deadPid() }),
    mark(dir, { sessionId: rebooted, bootId: "an-earlier-boot" }), // a live pid, but the marker is from before the machine restarted
    mark(dir, { sessionId: unknown, pid: await deadPid() }),
    mark(dir, { sessionId: othersSession, pid: await deadPid() }),
  ];
  const ring = new Ring(1024);
  ring.push(new TextEncoder().encode("tail"));
  const snap = ring.snapshot();
  const open = {
    type: "session.open" as const,
    sessionId: spooled,
    name: "s",
    command: ["s"],
    cwd: "/",
    cols: 80,
    rows: 24,
    startedAt: Date.now(),
  };
  writeSpool(
    {
      header: {
        v: 1,
        deviceId: device.deviceId,
        open,
        exit: { type: "session.exit", sessionId: spooled, exitCode: 0, signal: null, endedAt: Date.now(), lastSeq: 1 },
        lastSeq: 1,
        dropped: [],
        createdAt: Date.now(),
      },
      ring: snap,
    },
    dir,
  );
  const garbage = join(dir, "garbage.live");
  writeFileSync(garbage, "{not json");

  const logs: string[] = [];
  const r = await reportLost({ dir, forMs: 10_000, log: (m) => logs.push(m) });
  expect(r).toEqual({ reported: 3, left: 0 });
  for (const p of keep) expect(existsSync(p)).toBe(true);
  for (const p of [...go, garbage]) expect(existsSync(p)).toBe(false);
  expect(await status(reused)).toBe("lost");
  expect(await status(gone)).toBe("lost");
  expect(await status(rebooted)).toBe("lost");
  for (const id of [alive, foreign, spooled, othersSession]) expect(await status(id)).toBe("disconnected");
  const log = logs.join("\n");
  expect(log).toContain(`reported session ${gone} lost (its wrapper (pid`);
  expect(log).toContain(`reported session ${reused} lost (its wrapper's pid ${sleeper.pid} now belongs to another process)`);
  expect(log).toContain(`the server never had session ${unknown}; marker removed`);
  expect(log).toContain(`${markerPath(othersSession, dir)}: session belongs to another device; marker removed`);
  expect(log).toMatch(/garbage\.live: invalid JSON.*; removed/);
});

test("a session a connection still holds is not ended: the deliverer retries, and reports it once the connection is gone", async () => {
  const dir = join(tempDir("cr-live-"), "spool");
  Bun.spawnSync(["mkdir", "-p", dir]);
  const id = crypto.randomUUID();
  const holder: DeviceClient = await connectDevice(server.url, device);
  await holder.openSession(id);
  const path = mark(dir, { sessionId: id, pid: await deadPid() });
  const logs: string[] = [];
  const running = reportLost({ dir, forMs: 30_000, log: (m) => logs.push(m) });
  await Bun.sleep(1500);
  expect(await status(id)).toBe("running");
  expect(existsSync(path)).toBe(true);
  holder.ws.close();
  expect(await running).toEqual({ reported: 1, left: 0 });
  expect(await status(id)).toBe("lost");
  expect(existsSync(path)).toBe(false);
}, 40_000);

test("a process holding the pid is the wrapper: by /proc start time; without it (macOS), only if it started before the marker was written (ps lstart, to the second)", () => {
  const pid = sleeper.pid;
  expect(processState({ pid, procStart: procStat(pid)!.start, bootId: null, writtenAt: 0 })).toBe("alive");
  expect(processState({ pid, procStart: "1", bootId: null, writtenAt: Date.now() })).toBe("reused");
  expect(processState({ pid, procStart: procStat(pid)!.start, bootId: "an-earlier-boot", writtenAt: 0 })).toBe("gone");
  expect(processState({ pid, procStart: null, bootId: null, writtenAt: Date.now() })).toBe("alive"); // the sleeper started before now
  expect(processState({ pid, procStart: null, bootId: null, writtenAt: Date.now() - 3600_000 })).toBe("reused");
});
