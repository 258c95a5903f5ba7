/**
 * The database refuses writes — full (SQLite `PRAGMA max_page_count` pinned to the current size:
 * the same SQLITE_FULL a full disk gives) or read-only (`PRAGMA query_only`: SQLITE_READONLY, what
 * a read-only file or mount gives): devices get a clear `store_failed` error, nothing is acked that
 * was not stored, the wrapper keeps its output buffered, and once the database takes writes again
 * everything arrives byte-exact.
 */
import { afterAll, expect, test } from "bun:test";
import { encodeOutput } from "../../src/protocol/output-frame.ts";
import { spawnInPty, type OuterPty } from "../support/pty.ts";
import { BUN, CLI, startTestServer, storedOutput, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { RawDevice, endedSession, firstDiff } from "./helpers.ts";

let server: TestServer | null = null;
let term: OuterPty | null = null;
let raw: RawDevice | null = null;
afterAll(async () => {
  term?.proc.kill("SIGKILL");
  raw?.close();
  await server?.stop();
});

const CASES = [
  {
    name: "disk full",
    message: /full/i,
    refuse: (pages: number) => `PRAGMA max_page_count = ${pages}`,
    allow: "PRAGMA max_page_count = 1073741823",
  },
  { name: "read-only database", message: /readonly/i, refuse: () => "PRAGMA query_only = ON", allow: "PRAGMA query_only = OFF" },
];

test.each(CASES)(
  "$name: clear error, no ack without storage, wrapper keeps buffering, everything arrives after",
  async (c) => {
    term?.proc.kill("SIGKILL");
    raw?.close();
    await server?.stop();
    server = await startTestServer();
    const db = server.app.store.db;
    const dev = await server.pairDevice();
    const sessionBytes = async (name: string) => {
      const list = (await (await server!.api("/api/sessions")).json()) as Array<{ id: string; name: string }>;
      const s = list.find((x) => x.name === name);
      return s ? ((await (await server!.api(`/api/sessions/${s.id}`)).json()) as { bytes: number }).bytes : 0;
    };
    // ~2 KB lines every 10 ms for 7 s: output keeps coming during the whole outage
    const perl = `$|=1; my $pad = "y" x 2000; for my $i (1..700) { print "L$i $pad\\n"; select(undef,undef,undef,0.01); } print "DONE\\n";`;
    term = spawnInPty([BUN, CLI, "exec", "--name", "full", "--", "perl", "-e", perl], { env: { CLAUDE_REMOTE_CONFIG_DIR: dev.configDir } });
    await waitFor(async () => (await sessionBytes("full")) > 50_000, { timeoutMs: 15_000 });

    // a raw device shows what the wrapper sees: an error naming the cause, and no ack
    raw = await RawDevice.connect(server.url, dev.deviceId, dev.secret);
    const rawId = crypto.randomUUID();
    raw.sendJson({
      type: "session.open",
      sessionId: rawId,
      name: "raw",
      command: ["raw"],
      cwd: "/",
      cols: 80,
      rows: 24,
      startedAt: Date.now(),
    });
    await waitFor(() => raw!.frames.some((f) => f.type === "session.ready"), { timeoutMs: 5000 });
    const pages = (db.query("PRAGMA page_count").get() as { page_count: number }).page_count;
    db.exec(c.refuse(pages));
    for (let seq = 1; seq <= 50; seq++) raw.sendBinary(encodeOutput(rawId, seq, new Uint8Array(4096).fill(65)));
    const err = await waitFor(() => raw!.frames.find((f) => f.type === "error" && f.code === "store_failed"), { timeoutMs: 10_000 });
    expect(err.message).toMatch(c.message);
    expect(raw.lastAck(rawId)).toBe(0);
    const frozen = await sessionBytes("full");
    await Bun.sleep(1500);
    expect(await sessionBytes("full")).toBe(frozen); // nothing stored while full…
    expect(term.text()).not.toContain("DONE"); // …while the program is still writing

    db.exec(c.allow);
    expect(await term.exited).toBe(0);
    const s = await endedSession(server.api, "full", 30_000);
    const stored = await storedOutput(server, s.id);
    const local = term.output();
    expect(local.subarray(-8).toString()).toContain("DONE");
    expect(firstDiff(stored, local)).toBe(-1);
  },
  60_000,
);
