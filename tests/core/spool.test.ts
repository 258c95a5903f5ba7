/**
 * The spool: output a wrapper could not deliver, on disk, and `deliverSpooled` sending it to a real
 * server as the session it came from (dropped ranges as gaps, the exit last). Bad files are set
 * aside with a reason; a file belonging to another device is kept; one deliverer per file.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deliverSpooled } from "../../src/cli/deliver.ts";
import { Ring } from "../../src/cli/ring.ts";
import { lockFile } from "../../src/cli/file-lock.ts";
import { readSpool, type SpoolHeader, writeSpool } from "../../src/cli/spool.ts";
import { connectDevice } from "../support/device-client.ts";
import { freePort, startTestServer, storedOutput, tempDir, type TestServer } from "../support/server.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

/** A ring as a wrapper leaves it when the server is gone: seqs 1-3 evicted past its 24 bytes (a gap), 4-6 waiting. */
function leftover(): Ring {
  const r = new Ring(24);
  for (const s of ["aaaaaaaaaa", "bbbbbbbbbb", "cccc", "dddd\r\n", "eeee\r\n", "THE-END\r\n"]) {
    r.push(bytes(s));
    for (const e of r.after(0)) e.sent = true; // one seq per push
  }
  return r;
}

function header(sessionId: string, deviceId: string, ring: Ring): SpoolHeader {
  const snap = ring.snapshot();
  return {
    v: 1,
    deviceId,
    open: {
      type: "session.open",
      sessionId,
      name: "spooled",
      command: ["bash"],
      cwd: "/",
      cols: 80,
      rows: 24,
      startedAt: Date.now() - 5000,
    },
    exit: { type: "session.exit", sessionId, exitCode: 3, signal: null, endedAt: Date.now() - 1000, lastSeq: snap.lastSeq },
    lastSeq: snap.lastSeq,
    dropped: snap.dropped,
    createdAt: Date.now(),
  };
}

let server: TestServer;
let device: { configDir: string; deviceId: string; secret: string };
const savedEnv = process.env.CLAUDE_REMOTE_CONFIG_DIR;
beforeAll(async () => {
  server = await startTestServer();
  device = await server.pairDevice();
  process.env.CLAUDE_REMOTE_CONFIG_DIR = device.configDir; // deliverSpooled reads the device config
});
afterAll(async () => {
  if (savedEnv === undefined) delete process.env.CLAUDE_REMOTE_CONFIG_DIR;
  else process.env.CLAUDE_REMOTE_CONFIG_DIR = savedEnv;
  await server.stop();
});

test("a spool file reads back as written: the waiting chunks, the dropped range, private file modes", () => {
  const dir = join(tempDir("cr-spool-"), "spool");
  const ring = leftover();
  const file = writeSpool({ header: header(crypto.randomUUID(), "dev", ring), ring: ring.snapshot() }, dir);
  expect(statSync(dir).mode & 0o777).toBe(0o700);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const r = readSpool(file);
  if (!r.ok) throw new Error(r.error);
  expect(r.value.ring.entries.map((e) => [e.seq, new TextDecoder().decode(e.data)])).toEqual([
    [4, "dddd\r\n"],
    [5, "eeee\r\n"],
    [6, "THE-END\r\n"],
  ]);
  expect(r.value.ring.dropped).toEqual([{ fromSeq: 1, toSeq: 3, bytes: 24 }]);
  const back = Ring.restore(r.value.ring, 1);
  expect(back.lastSeq).toBe(6);
  expect(back.droppedIn(1, 3)).toBe(24);
  expect([...back.after(0)].map((e) => e.seq)).toEqual([4, 5, 6]);
});

test("delivered to the server as the same session: the gap recorded, every waiting byte stored, the exit code set, the file removed", async () => {
  const dir = join(tempDir("cr-spool-"), "spool");
  const id = crypto.randomUUID();
  const ring = leftover();
  const file = writeSpool({ header: header(id, device.deviceId, ring), ring: ring.snapshot() }, dir);
  const logs: string[] = [];
  const r = await deliverSpooled({ dir, forMs: 15_000, log: (m) => logs.push(m) });
  expect(r).toEqual({ delivered: 1, left: 0 });
  expect(existsSync(file)).toBe(false);
  expect(logs.join("\n")).toContain(`delivered session ${id}`);
  const info = await (await server.api(`/api/sessions/${id}`)).json();
  expect(info).toMatchObject({ status: "exited", exitCode: 3, name: "spooled" });
  expect(server.app.store.output.gaps(id)).toEqual([{ sessionId: id, fromSeq: 1, toSeq: 3, bytes: 24 }]);
  expect((await storedOutput(server, id)).toString()).toBe("dddd\r\neeee\r\nTHE-END\r\n");
});

test("bad files are set aside with what is wrong; another device's file is kept; a locked file is left to its deliverer", async () => {
  const dir = join(tempDir("cr-spool-"), "spool");
  const ring = leftover();
  const good = writeSpool({ header: header(crypto.randomUUID(), device.deviceId, ring), ring: ring.snapshot() }, dir);
  const bytesOf = Bun.file(good);
  const whole = new Uint8Array(await bytesOf.arrayBuffer());
  writeFileSync(join(dir, "truncated.spool"), whole.subarray(0, whole.byteLength - 3));
  writeFileSync(join(dir, "garbage.spool"), "not a spool at all");
  const badHeader = { ...header(crypto.randomUUID(), device.deviceId, ring), exit: { type: "session.exit" } };
  const json = bytes(JSON.stringify(badHeader));
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, json.byteLength);
  writeFileSync(join(dir, "bad-header.spool"), Buffer.concat([bytes("CRSPOOL1\n"), len, json]));
  const foreign = writeSpool({ header: header(crypto.randomUUID(), "some-other-device", ring), ring: ring.snapshot() }, dir);
  const release = lockFile(good)!;
  expect(lockFile(good)).toBeNull(); // held by a live process (this one)

  const logs: string[] = [];
  const r = await deliverSpooled({ dir, forMs: 2000, log: (m) => logs.push(m) });
  release();
  expect(r).toEqual({ delivered: 0, left: 5 });
  const log = logs.join("\n");
  expect(log).toMatch(/truncated\.spool: entry 6 truncated; moved to .*truncated\.spool\.bad/);
  expect(log).toMatch(/garbage\.spool: not a claude-remote spool file/);
  expect(log).toMatch(/bad-header\.spool: bad header: .*exit/);
  expect(log).toContain(`${foreign}: kept: written for device some-other-device`);
  expect(readdirSync(dir).sort()).toEqual(
    [good, foreign]
      .map((f) => f.slice(dir.length + 1))
      .concat(["bad-header.spool.bad", "garbage.spool.bad", "truncated.spool.bad"])
      .sort(),
  );

  // a lock left by a process that is gone is taken over
  writeFileSync(`${good}.lock`, "999999999");
  const r2 = await deliverSpooled({ dir, forMs: 15_000, log: () => {} });
  expect(r2).toEqual({ delivered: 1, left: 1 });
  expect(existsSync(good)).toBe(false);
});

test("a lock naming a live process is held, unless it is older than any deliverer lives (a reused pid)", () => {
  const dir = tempDir("cr-spool-");
  const file = join(dir, "x.spool");
  writeFileSync(file, "");
  writeFileSync(`${file}.lock`, String(process.ppid)); // alive, and not this process
  expect(lockFile(file)).toBeNull();
  const old = new Date(Date.now() - 8 * 3600 * 1000);
  utimesSync(`${file}.lock`, old, old);
  const release = lockFile(file);
  expect(release).not.toBeNull();
  release!();
  expect(existsSync(`${file}.lock`)).toBe(false);
});

test("two deliverers at once: every file delivered exactly once, the output stored once", async () => {
  const dir = join(tempDir("cr-spool-"), "spool");
  const ids = Array.from({ length: 6 }, () => crypto.randomUUID());
  for (const id of ids) {
    const ring = leftover();
    writeSpool({ header: header(id, device.deviceId, ring), ring: ring.snapshot() }, dir);
  }
  const [a, b] = await Promise.all([
    deliverSpooled({ dir, forMs: 15_000, log: () => {} }),
    deliverSpooled({ dir, forMs: 15_000, log: () => {} }),
  ]);
  expect(a.delivered + b.delivered).toBe(ids.length);
  expect(readdirSync(dir).filter((f) => f.endsWith(".spool") || f.endsWith(".lock"))).toEqual([]);
  for (const id of ids) expect((await storedOutput(server, id)).toString()).toBe("dddd\r\neeee\r\nTHE-END\r\n");
});

test("a deliverer whose server is away stops once its file is removed; stale temp files are cleaned up", async () => {
  const configDir = tempDir("cr-spool-cfg-");
  writeFileSync(
    join(configDir, "config.json"),
    JSON.stringify({ server: `http://127.0.0.1:${freePort()}`, deviceId: device.deviceId, secret: "s".repeat(32) }),
  );
  const dir = join(configDir, "spool");
  mkdirSync(dir, { recursive: true });
  const stale = join(dir, "half-written.spool.tmp");
  writeFileSync(stale, "partial");
  const old = new Date(Date.now() - 2 * 3600 * 1000);
  utimesSync(stale, old, old);
  const ring = leftover();
  const file = writeSpool({ header: header(crypto.randomUUID(), device.deviceId, ring), ring: ring.snapshot() }, dir);
  process.env.CLAUDE_REMOTE_CONFIG_DIR = configDir;
  try {
    const running = deliverSpooled({ dir, forMs: 600_000, log: () => {} }); // would try for 10 minutes
    await Bun.sleep(300);
    expect(existsSync(stale)).toBe(false);
    Bun.spawnSync(["rm", file]);
    expect(await running).toEqual({ delivered: 0, left: 1 });
  } finally {
    process.env.CLAUDE_REMOTE_CONFIG_DIR = device.configDir;
  }
}, 30_000);

test("the server confirms a stored exit with session.ended, and refuses an exit for a session this connection has not opened", async () => {
  const d = await connectDevice(server.url, device);
  const welcome = await d.waitFrame("welcome");
  expect(welcome.exitAcks).toBe(true);
  const id = crypto.randomUUID();
  d.sendJson({ type: "session.exit", sessionId: id, exitCode: 0, signal: null, endedAt: Date.now(), lastSeq: 0 });
  expect(await d.waitFrame("error", (f) => f.ref === "session.exit")).toMatchObject({ code: "not_open" });
  await d.openSession(id);
  d.sendJson({ type: "session.exit", sessionId: id, exitCode: 5, signal: null, endedAt: Date.now(), lastSeq: 0 });
  await d.waitFrame("session.ended", (f) => f.sessionId === id);
  expect(await (await server.api(`/api/sessions/${id}`)).json()).toMatchObject({ status: "exited", exitCode: 5 });
  d.ws.close();
});
