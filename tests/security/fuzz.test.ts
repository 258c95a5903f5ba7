/**
 * Fuzz: while a real wrapped session streams, other paired devices send >= 10k malformed WebSocket
 * frames (text and binary: random, truncated, wrong types, unknown types, oversized) and clients send
 * malformed HTTP bodies to every route. The server stays up, answers each bad frame with exactly one
 * error frame, never 5xx, and the session's stored output is byte-exact with what its terminal saw.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_BINARY_FRAME, MAX_TEXT_FRAME } from "../../src/protocol/frames.ts";
import { ROUTES } from "../../src/server/app.ts";
import { BUN, CLI, type TestServer, sessions, startTestServer, storedOutput, tempDir } from "../support/server.ts";
import { spawnInPty } from "../support/pty.ts";
import { waitFor } from "../support/wait.ts";
import { auditActions, fillPath, helloFor, rawSocket } from "./support.ts";

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
function mulberry32(a: number) {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = mulberry32(SEED);
const int = (n: number) => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
const randomText = (n: number) =>
  Array.from({ length: n }, () => String.fromCodePoint(pick([int(128), 0x80 + int(0x700), 0x4e00 + int(0x100), 0x1f600 + int(0x40)]))).join(
    "",
  );

let server: TestServer;
let realSession: string;
let stopFile: string;
let victim: ReturnType<typeof spawnInPty>;
const fuzzers: { deviceId: string; secret: string }[] = [];

beforeAll(async () => {
  server = await startTestServer({ env: { TRUST_PROXY: "true" } });
  const dev = await server.pairDevice("streamer");
  for (let i = 0; i < 4; i++) fuzzers.push(await server.pairDevice(`fuzzer-${i}`));
  stopFile = join(tempDir("cr-fuzz-"), "stop");
  // Output with colours, UTF-8 and raw random bytes (invalid UTF-8 included; C0/C1 controls dropped so xterm's parser does not log), until the test says stop; stdin echo off so nothing typed could show.
  const script = `stty -echo; i=0; while [ ! -e ${stopFile} ]; do i=$((i+1)); printf 'line %06d \\033[3%dm colour \\033[0m é字😀 ' $i $((i % 8)); head -c 97 /dev/urandom | tr -d '\\000-\\037\\177-\\237'; printf '\\n'; sleep 0.01; done; echo done-$i`;
  victim = spawnInPty([BUN, CLI, "exec", "--name", "fuzz-victim", "--", "bash", "-c", script], {
    env: { CLAUDE_REMOTE_CONFIG_DIR: dev.configDir },
  });
  realSession = (
    await waitFor(async () => (await sessions(server)).find((s) => s.name === "fuzz-victim" && s.status === "running"), {
      what: "streaming session",
    })
  ).id;
}, 30_000);

afterAll(async () => {
  if (!existsSync(stopFile)) writeFileSync(stopFile, "");
  victim?.proc.kill("SIGKILL");
  await server?.stop();
});

const VALID_FRAMES = (): Record<string, unknown>[] => [
  { type: "session.open", sessionId: crypto.randomUUID(), name: "x", command: ["a"], cwd: "/", cols: 80, rows: 24, startedAt: Date.now() },
  { type: "session.resize", sessionId: realSession, cols: 80, rows: 24 },
  { type: "session.exit", sessionId: realSession, exitCode: 0, signal: null, endedAt: 1, lastSeq: 1 },
  { type: "session.lost", sessionId: realSession },
  { type: "gap", sessionId: realSession, fromSeq: 1, toSeq: 2, bytes: 3 },
  { type: "ping", t: 1 },
];

function wrongTypeFor(v: unknown): unknown {
  if (typeof v === "number") return pick(["1", {}, [], true, null]);
  if (typeof v === "string") return pick([123, {}, [], true, null]);
  if (Array.isArray(v)) return pick(["x", 1, {}, null]);
  return pick([1, {}, [], true]);
}

/** A text frame the server must answer with exactly one error frame. */
function badTextFrame(): string {
  switch (int(10)) {
    case 0: {
      const s = JSON.stringify(pick(VALID_FRAMES()));
      return s.slice(0, 1 + int(s.length - 1)); // truncated JSON
    }
    case 1:
    case 2: {
      const f = pick(VALID_FRAMES());
      const k = pick(Object.keys(f));
      return JSON.stringify({ ...f, [k]: wrongTypeFor(f[k]) }); // a field of the wrong type
    }
    case 3:
      return JSON.stringify(
        pick([
          { type: `x-${int(1e6)}` },
          { type: 5 },
          {},
          [],
          42,
          "str",
          null,
          true,
          { type: "session.kill", sessionId: realSession },
          { type: "input", sessionId: realSession, data: "rm -rf ~\r" },
        ]),
      ); // unknown types
    case 4:
      return randomText(1 + int(200));
    case 5:
      return pick([
        "[".repeat(50_000),
        `${"[".repeat(3000)}${"]".repeat(3000)}`,
        '{"__proto__":{"polluted":1},"type":"nope"}',
        '{"constructor":{"prototype":{"polluted":1}}}',
        "\u0000",
        "",
      ]);
    case 6:
      // Valid shape, but the session belongs to another device: neither taken over nor ended.
      return JSON.stringify(
        pick([
          { type: "session.open", sessionId: realSession, name: "hijack", command: ["x"], cwd: "/", cols: 80, rows: 24, startedAt: 1 },
          { type: "session.lost", sessionId: realSession },
        ]),
      );
    case 7:
      return JSON.stringify({ type: "gap", sessionId: realSession, fromSeq: 1, toSeq: 1e9, bytes: 1 }); // not this connection's session
    case 8:
      return JSON.stringify({ type: "hello", v: 1, deviceId: "dev_x", nonce: "n".repeat(20), ts: Date.now(), sig: "0".repeat(64) }); // already authenticated
    default:
      return JSON.stringify({ ...pick(VALID_FRAMES()), type: pick(["Session.open", "session.open ", "ping\u0000", "PING"]) });
  }
}

function header(sessionId: string, seq: number, idLen = sessionId.length): Uint8Array {
  const id = new TextEncoder().encode(sessionId);
  const out = new Uint8Array(2 + id.length + 8);
  out[0] = 1;
  out[1] = idLen;
  out.set(id, 2);
  new DataView(out.buffer).setFloat64(2 + id.length, seq);
  return out;
}
const concat = (a: Uint8Array, b: Uint8Array) => {
  const o = new Uint8Array(a.length + b.length);
  o.set(a);
  o.set(b, a.length);
  return o;
};

/** A binary frame the server must answer with exactly one error frame. */
function badBinaryFrame(): Uint8Array {
  switch (int(7)) {
    case 0:
      return randomBytes(int(300)); // random, including empty
    case 1:
      return concat(header(realSession, 1), randomBytes(1 + int(100))).subarray(0, 2 + int(realSession.length + 8)); // truncated header
    case 2:
      return concat(header(realSession, 1 + int(1e6)), randomBytes(1 + int(500))); // another device's session
    case 3:
      return concat(header(realSession, pick([Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY, 2 ** 60])), randomBytes(10)); // bad seq
    case 4:
      return header(crypto.randomUUID(), 1); // empty payload
    case 5:
      return concat(header(pick(["../../etc", "x", "a".repeat(65), "sess ion!"]), 1), randomBytes(10)); // bad session id
    default:
      return concat(new Uint8Array([pick([0, 2, 0xff, 0x7b])]), randomBytes(int(200))); // unknown kind byte
  }
}

async function fuzzDevice(
  creds: { deviceId: string; secret: string },
  batches: number,
): Promise<{ sent: number; errors: number; rateLimited: number }> {
  const s = rawSocket(server.url, (c) => helloFor(creds, c.nonce));
  await s.waitFor("welcome");
  let sent = 0;
  const errors = () => s.received.filter((f) => f.type === "error").length;
  for (let b = 0; b < batches; b++) {
    for (let i = 0; i < 250; i++) {
      if (i % 5 < 2) s.send(badTextFrame());
      else s.ws.send(badBinaryFrame());
      sent++;
    }
    if (b === 1) {
      s.send("x".repeat(MAX_TEXT_FRAME + 1)); // too large for a text frame, below the socket's hard cap
      s.ws.send(new Uint8Array(MAX_BINARY_FRAME + 1024));
      sent += 2;
    }
    await waitFor(() => errors() >= sent, { what: `error frames for batch ${b}`, timeoutMs: 15_000 });
    await Bun.sleep(600); // stay under the per-device control-frame rate: every frame gets parsed
  }
  s.send(JSON.stringify({ type: "ping", t: -42 }));
  await waitFor(() => s.received.find((f) => f.type === "pong" && f.t === -42), { what: "pong after the fuzz" });
  const result = { sent, errors: errors(), rateLimited: s.received.filter((f) => f.type === "error" && f.code === "rate_limited").length };
  s.ws.close();
  return result;
}

const BAD_BODIES: (() => BodyInit)[] = [
  () => randomBytes(1 + int(400)),
  () => JSON.stringify({ text: "x", keys: ["esc"] }).slice(0, 1 + int(20)),
  () =>
    JSON.stringify(
      pick([
        { text: 5 },
        { keys: "esc" },
        { keys: ["nope"] },
        { cols: "80", rows: 24 },
        { token: 1 },
        { code: [], name: {} },
        { option: {} },
        { message: 7 },
        [],
        null,
        42,
      ]),
    ),
  () => `{"text":"${"a".repeat(70_000)}"}`, // over the 64 KiB body cap
  () => randomText(1 + int(100)),
  () => "\xff\xfe\x00{",
];

async function fuzzHttp(count: number): Promise<{ status: number; route: string; body: string }[]> {
  const bad: { status: number; route: string; body: string }[] = [];
  const targets = ROUTES.filter((r) => r.method !== "GET");
  const jobs = Array.from({ length: 6 }, async (_, w) => {
    for (let i = w; i < count; i += 6) {
      const r = pick(targets);
      const path =
        r.path === "/api/sessions/:id/input" || r.path === "/api/sessions/:id/resize"
          ? r.path.replace(":id", realSession)
          : fillPath(r.path);
      const res = await server.api(path, {
        method: r.method,
        body: pick(BAD_BODIES)(),
        headers: {
          "Content-Type": pick(["application/json", "text/plain", "application/octet-stream"]),
          "X-Forwarded-For": `10.77.${(i >> 8) & 255}.${i & 255}`,
        },
      });
      const text = await res.text();
      const okError = res.status >= 400 && res.status < 500 && (res.status === 413 || /"error"/.test(text));
      // Body-less routes (create a pairing code or a login link, log out, revoke a missing device) may ignore the body; they must not 5xx.
      const ignoresBody = ["/api/pairing-codes", "/api/login-links", "/api/logout"].includes(r.path);
      if (!okError && !(ignoresBody && res.status < 300))
        bad.push({ status: res.status, route: `${r.method} ${r.path}`, body: text.slice(0, 200) });
    }
  });
  // GETs with hostile query strings and paths.
  const gets = [
    "/api/audit?before=abc&limit=-5",
    "/api/audit?limit=1e309",
    "/events?session=../../etc&from=-1",
    `/events?session=${realSession}&from=x`,
    "/api/search?q=%00%ff",
    "/api/sessions/%E0%A4%A",
    "/api/sessions/..%2F..%2Fetc/output",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/api/sessions/x/screen?cols=-1",
  ];
  for (const g of gets) {
    const res = await server.api(g);
    if (res.status >= 500) bad.push({ status: res.status, route: `GET ${g}`, body: (await res.text()).slice(0, 200) });
    else await res.body?.cancel();
  }
  await Promise.all(jobs);
  return bad;
}

test(`>= 10k malformed frames and bodies: server up, one error per bad frame, session byte-exact (seed ${SEED})`, async () => {
  const before = victim.output().length;
  const [devices, httpBad] = await Promise.all([Promise.all(fuzzers.map((f) => fuzzDevice(f, 11))), fuzzHttp(1200)]);

  const totalFrames = devices.reduce((n, d) => n + d.sent, 0);
  expect(totalFrames).toBeGreaterThanOrEqual(10_000);
  for (const d of devices) {
    expect(d.errors).toBe(d.sent); // exactly one error frame per malformed frame, then a live pong
    expect(d.rateLimited).toBe(0);
  }
  expect(httpBad).toEqual([]);

  // A frame past the socket's hard cap closes only that socket, with a clear code.
  const huge = rawSocket(server.url, (c) => helloFor(fuzzers[0], c.nonce));
  await huge.waitFor("welcome");
  huge.ws.send(new Uint8Array(2 * 1024 * 1024 + 16));
  expect((await huge.closed).code).toBe(1009);

  // Nothing was polluted, nothing was typed, the stream kept flowing.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect((await auditActions(server)).filter((a) => a.action === "session.input")).toEqual([]);
  expect(victim.output().length).toBeGreaterThan(before);
  expect((await fetch(`${server.url}/health`)).status).toBe(200);

  writeFileSync(stopFile, "");
  expect(await victim.exited).toBe(0);
  const s = await waitFor(async () => (await sessions(server)).find((x) => x.id === realSession && x.status === "exited"), {
    what: "session exited",
  });
  expect(s.exitCode).toBe(0);
  const stored = await storedOutput(server, realSession);
  const seen = victim.output();
  expect(seen.includes("done-")).toBe(true);
  expect(stored.length).toBe(seen.length);
  expect(stored.equals(seen)).toBe(true);
  expect(server.app.store.output.gaps(realSession)).toEqual([]);
}, 60_000);
