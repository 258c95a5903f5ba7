/**
 * The server's screen feed during a flood: it parses in paced slices (a bounded share of the
 * server's thread while output keeps arriving) yet skips nothing, so the final screen equals a
 * full parse of the same bytes, and a dialog drawn right after a flood is still detected.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Prompt } from "../../src/protocol/prompts.ts";
import { ScreenFeed } from "../../src/server/ingest/screen-feed.ts";
import { Store } from "../../src/store/index.ts";
import { HeadlessScreen } from "../../src/terminal/headless.ts";
import { connectDevice } from "../support/device-client.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

const FIXTURES = process.env.FIXTURES_DIR ?? resolve(import.meta.dir, "../../../shared/fixtures");
const SLICE = 64 * 1024;
const enc = new TextEncoder();

/** Busy terminal output: colours, cursor moves, wrapped lines, an alternate-screen excursion, a scroll region. */
function floodChunk(i: number, lines = 200): Uint8Array {
  let s = "";
  for (let l = 0; l < lines; l++) {
    const n = i * lines + l;
    s += `\x1b[3${n % 8}m${n} ${"lorem ipsum ".repeat(1 + (n % 13))}\x1b[0m\r\n`;
    if (n % 97 === 0) s += `\x1b[${1 + (n % 20)};${1 + (n % 70)}H\x1b[1;4m*${n}*\x1b[0m\x1b[K`;
  }
  if (i % 17 === 5) s += "\x1b[?1049h\x1b[2J\x1b[Halt screen\x1b[?1049l";
  if (i % 23 === 7) s += "\x1b[5;15r\x1b[10Hscrolled\n\n\n\x1b[r";
  return enc.encode(s);
}

const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

test("a flood is parsed in paced slices, never more than one slice in xterm, and the final screen equals a full parse", async () => {
  const store = Store.open(join(mkdtempSync(join(tmpdir(), "feed-")), "db.sqlite"));
  store.devices.add("dev", "dev", null, new Uint8Array(32));
  const id = "sess-feed-0001";
  store.sessions.open("dev", { sessionId: id, name: "flood", command: ["x"], cwd: "/", cols: 100, rows: 30, startedAt: Date.now() });
  // the scrollback holds every line, so any chunk skipped or parsed twice shows in the comparison
  const screen = new HeadlessScreen(100, 30, { scrollback: 20_000 });
  const feed = new ScreenFeed(screen, id, store.output, 0);
  const all: Uint8Array[] = [];
  let maxInParser = 0;
  let biggest = 0;
  // ~2.5 MB arriving as fast as it is committed, yielding to the event loop as a socket would
  for (let seq = 1; seq <= 400; seq++) {
    const data = floodChunk(seq, 40);
    all.push(data);
    biggest = Math.max(biggest, data.byteLength);
    store.output.commit([{ sessionId: id, seq, ts: Date.now(), data }], []);
    feed.offer(seq, data);
    maxInParser = Math.max(maxInParser, feed.parsing);
    if (seq % 4 === 0) await Bun.sleep(1);
  }
  expect(feed.pacedSlices).toBeGreaterThan(0); // it held back while output kept coming
  expect(maxInParser).toBeLessThanOrEqual(SLICE + biggest);
  await feed.settled();
  await screen.flush();

  const full = new HeadlessScreen(100, 30, { scrollback: 20_000 });
  full.write(Buffer.concat(all));
  await full.flush();
  expect(screen.styled()).toEqual(full.styled());
  const history = screen.history(undefined, 20_000);
  expect(history.total).toBeGreaterThan(15_000);
  expect(history).toEqual(full.history(undefined, 20_000));
  screen.dispose();
  full.dispose();
  store.close();
});

test("a dialog drawn right after a flood is still detected on the server's screen", async () => {
  const server = await startTestServer();
  servers.push(server);
  const dev = await server.pairDevice();
  const fixture = "codex-0.169.0/01-exec-escalation";
  const meta = JSON.parse(readFileSync(join(FIXTURES, `${fixture}.json`), "utf8"));
  const dialog = readFileSync(join(FIXTURES, `${fixture}.raw`)).subarray(0, meta.prompts[0].promptVisibleAtByte); // up to the dialog on screen
  const c = await connectDevice(server.url, dev);
  const id = crypto.randomUUID();
  await c.openSession(id, { cols: meta.cols, rows: meta.rows });
  const since = Date.now() - 1;
  let seq = 0;
  for (let i = 1; i <= 400; i++) c.output(id, ++seq, floodChunk(i)); // ~8 MB, as fast as the socket takes it
  for (let at = 0; at < dialog.byteLength; at += 4096) c.output(id, ++seq, dialog.subarray(at, at + 4096));
  await c.waitFrame("ack", (f) => f.sessionId === id && f.seq === seq);

  const prompt = await waitFor(
    async () =>
      ((await (await server.api("/api/prompts?status=pending")).json()) as Prompt[]).find(
        (p) => p.sessionId === id && p.createdAt >= since,
      ),
    { timeoutMs: 30_000, what: "the dialog drawn after the flood, as a screen prompt" },
  );
  expect(prompt).toMatchObject({ source: "screen", question: meta.prompts[0].prompt.question });

  const screen = (await (await server.api(`/api/sessions/${id}/screen`)).json()) as { lines: string[] };
  const full = new HeadlessScreen(meta.cols, meta.rows);
  for (let i = 1; i <= 400; i++) full.write(floodChunk(i));
  full.write(dialog);
  await full.flush();
  expect(screen.lines).toEqual(full.snapshot().lines);
  full.dispose();
});
