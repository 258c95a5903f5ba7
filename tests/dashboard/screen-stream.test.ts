/** The screen view over SSE and the scrollback route, against a real server and a real wrapped PTY session. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { RowsEvent, ScreenEvent, ScrollbackPage } from "../../src/protocol/screen.ts";
import { diffRows, rowText } from "../../src/terminal/screen-state.ts";
import { spawnInPty, type OuterPty } from "../support/pty.ts";
import { BUN, CLI, startTestServer, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

let server: TestServer;
let pty: OuterPty;
let sessionId: string;

// Prints 150 numbered lines (so there is scrollback), a coloured wide-char line, then echoes input lines.
const SCRIPT = `for i in $(seq 1 150); do echo "line $i"; done; printf '\\e[1;31mred\\e[0m \\e[7minv\\e[0m 中文 ok\\n'; while IFS= read -r l; do echo "got:$l"; done`;

beforeAll(async () => {
  server = await startTestServer();
  const dev = await server.pairDevice();
  pty = spawnInPty([BUN, CLI, "exec", "--name", "stream", "--", "bash", "-c", SCRIPT], {
    env: { CLAUDE_REMOTE_CONFIG_DIR: dev.configDir },
    cols: 60,
    rows: 20,
  });
  sessionId = await waitFor(
    async () => {
      const list = (await (await server.api("/api/sessions")).json()) as { id: string; status: string }[];
      return list.find((s) => s.status === "running")?.id;
    },
    { what: "a running session" },
  );
  await waitFor(
    async () =>
      ((await (await server.api(`/api/sessions/${sessionId}/screen`)).json()) as { lines: string[] }).lines.some((l) => l.includes("ok")),
    { what: "the coloured line on the server screen" },
  );
});

afterAll(async () => {
  pty?.proc.kill();
  await pty?.exited;
  await server?.stop();
});

/** Reads SSE events from a stream until `until` says stop. */
async function readEvents(res: Response, until: (events: { event: string; data: unknown; id?: string }[]) => boolean) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: { event: string; data: unknown; id?: string }[] = [];
  let buf = "";
  const deadline = Date.now() + 10_000;
  while (!until(events)) {
    if (Date.now() > deadline) throw new Error(`timed out; got ${events.map((e) => e.event).join(",")}`);
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let i: number;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const e: { event: string; data: unknown; id?: string } = { event: "message", data: null };
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) e.event = line.slice(7);
        else if (line.startsWith("id: ")) e.id = line.slice(4);
        else if (line.startsWith("data: ")) e.data = JSON.parse(line.slice(6));
      }
      if (e.data !== null) events.push(e);
    }
  }
  reader.cancel();
  return events;
}

test("join sends hello then a full styled screen equal to GET /screen; new output arrives as changed rows only", async () => {
  const res = await server.api(`/events?session=${sessionId}&view=screen`);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const expected = (await (await server.api(`/api/sessions/${sessionId}/screen`)).json()) as { lines: string[] };
  let sent = false;
  const events = await readEvents(res, (ev) => {
    if (!sent && ev.some((e) => e.event === "screen")) {
      sent = true;
      void server.api(`/api/sessions/${sessionId}/input`, { method: "POST", body: JSON.stringify({ text: "marker-1\r" }) });
    }
    return ev.some((e) => e.event === "rows" && JSON.stringify(e.data).includes("got:marker-1"));
  });
  expect(events[0].event).toBe("hello");
  const screen = ScreenEvent.parse(events[1].data);
  expect(events[1].event).toBe("screen");
  expect(screen.cols).toBe(60);
  expect(screen.lines.map(rowText)).toEqual(expected.lines);
  const styledLine = screen.lines.find((r) => rowText(r).includes("red"))!;
  expect(styledLine.find((r) => r.t === "red")).toMatchObject({ fg: 1, a: 1 });
  expect(styledLine.find((r) => r.t === "inv")?.a).toBe(16);
  expect(styledLine.filter((r) => r.a === 128).map((r) => r.t)).toEqual(["中", "文"]);
  const rows = events.filter((e) => e.event === "rows").map((e) => RowsEvent.parse(e.data));
  // Output that scrolls is sent as a shift plus the few new rows, not as a whole screen.
  expect(rows.some((r) => (r.scroll ?? 0) > 0)).toBe(true);
  for (const r of rows) expect(r.rows.length).toBeLessThan(5);
  // Replaying the events on the first snapshot gives exactly the server's screen.
  const replayed = screen.lines.map(rowText);
  for (const r of rows) {
    if (r.scroll) replayed.splice(0, r.scroll), replayed.push(...Array(r.scroll).fill(""));
    for (const [i, row] of r.rows) replayed[i] = rowText(row);
  }
  const after = (await (await server.api(`/api/sessions/${sessionId}/screen`)).json()) as { lines: string[] };
  expect(after.lines.some((l) => l === "got:marker-1")).toBe(true);
  expect(replayed).toEqual(after.lines);
});

test("scrollback pages older lines from the server's terminal, oldest first, without the screen", async () => {
  const first = ScrollbackPage.parse(await (await server.api(`/api/sessions/${sessionId}/scrollback?limit=50`)).json());
  expect(first.lines).toHaveLength(50);
  expect(first.start + 50).toBe(first.total);
  const texts = first.lines.map(rowText);
  const n = Number(texts[texts.length - 1].replace("line ", ""));
  expect(texts[0]).toBe(`line ${n - 49}`);
  const older = ScrollbackPage.parse(
    await (await server.api(`/api/sessions/${sessionId}/scrollback?before=${first.start}&limit=50`)).json(),
  );
  expect(older.lines.map(rowText).at(-1)).toBe(`line ${n - 50}`);
  expect((await server.api(`/api/sessions/${sessionId}/scrollback?limit=0`)).status).toBe(400);
  expect((await server.api(`/api/sessions/nosuchsession1/scrollback`)).status).toBe(404);
});

test("the raw view still streams output by seq", async () => {
  const res = await server.api(`/events?session=${sessionId}`);
  const events = await readEvents(res, (ev) => ev.some((e) => e.event === "output"));
  const out = events.find((e) => e.event === "output")!;
  expect(out.id).toBe("1");
});

test("diffRows finds the scroll and the rows left to send", () => {
  expect(diffRows(["a", "b", "c", "d"], ["b", "c", "d", "e"])).toEqual({ scroll: 1, changed: [3] });
  expect(diffRows(["a", "b", "c", "d"], ["a", "x", "c", "d"])).toEqual({ scroll: 0, changed: [1] });
  expect(diffRows(["a", "b", "c", "[]"], ["c", "[]", "[]", "[]"])).toEqual({ scroll: 2, changed: [] });
  expect(diffRows(["a", "b"], ["a", "b"])).toEqual({ scroll: 0, changed: [] });
});
