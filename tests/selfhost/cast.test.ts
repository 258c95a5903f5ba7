// The asciinema v2 export: the real `asciinema cat` accepts it and reproduces the stored output.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connectDevice } from "../support/device-client.ts";
import { spawnInPty } from "../support/pty.ts";
import { startTestServer, storedOutput, tempDir, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { waitExited, wrapped } from "./helpers.ts";

let server: TestServer;
let dev: Awaited<ReturnType<TestServer["pairDevice"]>>;
beforeAll(async () => {
  server = await startTestServer();
  dev = await server.pairDevice();
});
afterAll(() => server?.stop());

const asciinema = Bun.which("asciinema");
if (!asciinema)
  console.warn("SKIPPED: `asciinema` is not installed, so `asciinema cat` checks do not run (CI installs Debian's asciinema)");

async function fetchCast(id: string): Promise<{ text: string; res: Response }> {
  const res = await server.api(`/api/sessions/${id}/cast`);
  return { text: await res.text(), res };
}

/** `asciinema cat` opens /dev/tty, so it runs in a real PTY; its stdout goes to a file, byte-exact. */
async function asciinemaCat(cast: string): Promise<string> {
  const dir = tempDir("cr-cast-");
  writeFileSync(join(dir, "rec.cast"), cast);
  const t = spawnInPty(["sh", "-c", `${asciinema} cat rec.cast > out.txt 2> err.txt; echo "exit=$?" > status.txt`], {
    cwd: dir,
    env: { LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
  });
  await t.exited;
  const status = readFileSync(join(dir, "status.txt"), "utf8").trim();
  if (status !== "exit=0") throw new Error(`asciinema cat failed (${status}): ${readFileSync(join(dir, "err.txt"), "utf8")}`);
  return readFileSync(join(dir, "out.txt"), "utf8");
}

describe("GET /api/sessions/:id/cast", () => {
  test("chunks that split UTF-8 characters: header, ordered times, exact text", async () => {
    const c = await connectDevice(server.url, dev);
    const id = "cast-split-utf8-1";
    await c.openSession(id, { name: "split", cols: 120, rows: 40 });
    const whole = Buffer.from("h\u00e9llo \x1b[32m\u2713 ok\x1b[0m \u{1F600} \u65e5\u672c\r\nbye\r\n");
    const cuts = [2, 9, 17, 18, 24, 26, whole.length]; // inside é, inside the escape, inside ✓, inside 😀, …
    let from = 0;
    cuts.forEach((to, i) => {
      c.output(id, i + 1, whole.subarray(from, to));
      from = to;
    });
    await waitFor(async () => (await storedOutput(server, id)).equals(whole), { what: "all chunks stored" });
    c.sendJson({ type: "session.exit", sessionId: id, exitCode: 0, signal: null, endedAt: Date.now(), lastSeq: cuts.length });
    await waitFor(async () => (await (await server.api(`/api/sessions/${id}`)).json()).status === "exited", { what: "exit recorded" });

    const { text, res } = await fetchCast(id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/x-asciicast");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="split-cast-split-u\.cast"$/);
    const lines = text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ version: 2, width: 120, height: 40, title: "split" });
    expect(typeof lines[0].timestamp).toBe("number");
    const events = lines.slice(1) as [number, string, string][];
    expect(events.every((e) => e[1] === "o" && typeof e[0] === "number" && e[0] >= 0)).toBe(true);
    for (let i = 1; i < events.length; i++) expect(events[i][0]).toBeGreaterThanOrEqual(events[i - 1][0]);
    expect(events.map((e) => e[2]).join("")).toBe(whole.toString("utf8"));
    expect(events.some((e) => e[2].includes("\uFFFD"))).toBe(false); // no character was broken by a cut
    c.ws.close();

    if (asciinema) expect(await asciinemaCat(text)).toBe(whole.toString("utf8"));
  });

  test.skipIf(!asciinema)("a recorded wrapper session: `asciinema cat` reproduces the stored bytes", async () => {
    const program = `printf '\\033[1;34mcolour\\033[0m caf\\xc3\\xa9 \\xe2\\x9c\\x93\\r\\n'; for i in $(seq 1 300); do echo "line $i \\u2014 ok"; done; printf 'done\\n'`;
    const run = await wrapped(server, dev.configDir, "recorded", program);
    const s = await waitExited(server, "recorded");
    await run.exited;
    const stored = await storedOutput(server, s.id);
    expect(stored.toString()).toContain("line 300");
    const { text } = await fetchCast(s.id);
    expect(await asciinemaCat(text)).toBe(new TextDecoder().decode(stored));
  });

  test("unknown session → 404; no token → 401", async () => {
    expect((await server.api("/api/sessions/nope-nope-nope/cast")).status).toBe(404);
    expect((await fetch(`${server.url}/api/sessions/cast-split-utf8-1/cast`)).status).toBe(401);
  });
});
