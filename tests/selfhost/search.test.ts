// Full-text search over sessions' output: escape sequences stripped, one session found and not the other.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { Store } from "../../src/store/index.ts";
import { SearchIndex } from "../../src/store/search.ts";
import { openSearchDatabase, searchDbPath } from "../../src/store/search-db.ts";
import { plainText } from "../../src/terminal/plain-text.ts";
import { tempDir } from "../support/server.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { waitExited, wrapped } from "./helpers.ts";

let server: TestServer;
let zebra: { id: string };
let platypus: { id: string };
beforeAll(async () => {
  server = await startTestServer();
  const dev = await server.pairDevice();
  // Colour codes in the middle of the word, a cursor move between words, an OSC title.
  const a = await wrapped(
    server,
    dev.configDir,
    "zebra-session",
    `printf '\\033]0;title-noise\\007before ze\\033[31mbra\\033[0mcorn\\033[5Cafter\\r\\n'; echo shared-word`,
  );
  const b = await wrapped(server, dev.configDir, "platypus-session", `echo "a platypus appears"; echo shared-word`);
  zebra = await waitExited(server, "zebra-session");
  platypus = await waitExited(server, "platypus-session");
  await Promise.all([a.exited, b.exited]);
});
afterAll(() => server?.stop());

type Hit = { sessionId: string; name: string; snippet: string; highlights: [number, number][]; url: string };
async function search(q: string, extra = ""): Promise<Response> {
  return server.api(`/api/search?q=${encodeURIComponent(q)}${extra}`);
}
async function hits(q: string, extra = ""): Promise<Hit[]> {
  const res = await search(q, extra);
  expect(res.status).toBe(200);
  return (await res.json()) as Hit[];
}

describe("GET /api/search", () => {
  test("finds a word printed by one session and not the other, with a link to it", async () => {
    const found = await waitFor(
      async () => {
        const h = await hits("zebracorn");
        return h.length ? h : undefined;
      },
      { what: "zebracorn indexed", timeoutMs: 15_000 },
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ sessionId: zebra.id, name: "zebra-session", url: `/#/s/${zebra.id}` });
    const [s, e] = found[0].highlights[0];
    expect(found[0].snippet.slice(s, e)).toBe("zebracorn");
    expect(found[0].snippet).not.toContain("\x1b");
    expect(found[0].snippet).not.toContain("title-noise");

    const p = await waitFor(
      async () => {
        const h = await hits("platypus");
        return h.length ? h : undefined;
      },
      { what: "platypus indexed", timeoutMs: 15_000 },
    );
    expect(p.map((h) => h.sessionId)).toEqual([platypus.id]);
    expect((await hits("shared-word")).map((h) => h.sessionId).sort()).toEqual([zebra.id, platypus.id].sort());
    expect(await hits("title-noise")).toEqual([]); // the OSC title is not output text
    expect(await hits("nowhere-to-be-found")).toEqual([]);
  });

  test("prefix words and raw FTS5 syntax", async () => {
    expect((await hits("zebra*")).map((h) => h.sessionId)).toEqual([zebra.id]);
    expect((await hits("zebracorn OR platypus", "&mode=fts")).length).toBe(2);
    expect((await hits("zebracorn platypus")).length).toBe(0); // words: all must match
  });

  test("bad queries are 400s with a reason, never 500s; odd input is just text", async () => {
    for (const [q, extra] of [
      ["", ""],
      ["x".repeat(201), ""],
      ['"unterminated', "&mode=fts"],
      ["AND OR", "&mode=fts"],
      ["nosuchcol:foo", "&mode=fts"],
      ["zebracorn", "&mode=sql"],
      ["zebracorn", "&limit=0"],
    ] as const) {
      const res = await search(q, extra);
      expect(`${q.slice(0, 20)}${extra} → ${res.status}`).toBe(`${q.slice(0, 20)}${extra} → 400`);
      expect((await res.json()).error).toMatch(/bad_request|bad_query/);
    }
    for (const q of ['src/app.ts -- "x', "NEAR(", "*", "a:b", "\u0000 \u{1F600}"]) expect((await search(q)).status).toBe(200);
  });

  test("needs the admin token", async () => {
    expect((await fetch(`${server.url}/api/search?q=zebracorn`)).status).toBe(401);
  });

  // last in this block: it stops the search worker of the shared server
  test("with the search worker down, a search is a 503 that says so, not a 500", async () => {
    await server.app.indexer.stop();
    const res = await search("zebracorn");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: "search_unavailable" });
    expect((await server.api("/health")).status).toBe(200);
  });
});

/** A store and a search index over it, in the same thread (the server runs the index in a Worker). */
function storeAndIndex(): { store: Store; index: SearchIndex; indexDb: Database } {
  const path = join(tempDir("cr-search-"), "db.db");
  const store = Store.open(path);
  const indexDb = openSearchDatabase(searchDbPath(path));
  return { store, index: new SearchIndex(store.db, indexDb), indexDb };
}

describe("SearchIndex", () => {
  test("a long session is indexed in several documents, to its last word; a sequence split across documents is handled", () => {
    const { store, index, indexDb } = storeAndIndex();
    try {
      store.db
        .query(
          "INSERT INTO sessions (id, device_id, name, command, cwd, status, started_at, cols, rows) VALUES ('long-session-1', 'd', 'long', '[]', '/', 'running', 0, 80, 24)",
        )
        .run();
      const filler = new TextEncoder().encode("filler text \x1b[2mdim\x1b[0m\r\n".repeat(1000)); // ~28 kB a chunk
      const chunks = Array.from({ length: 12 }, (_, i) => ({ sessionId: "long-session-1", seq: i + 1, ts: i, data: filler }));
      chunks.push({ sessionId: "long-session-1", seq: 13, ts: 13, data: new TextEncoder().encode("kanga\x1b[3") }); // escape cut here…
      chunks.push({ sessionId: "long-session-1", seq: 14, ts: 14, data: new TextEncoder().encode("1mroo finale") }); // …and ends here
      store.output.commit(chunks.slice(0, 13), []);
      index.indexAll();
      store.output.commit(chunks.slice(13), []);
      index.indexAll();
      expect((indexDb.query("SELECT COUNT(*) AS n FROM search_docs").get() as { n: number }).n).toBeGreaterThan(3);
      expect(index.search('"finale"').map((h) => h.sessionId)).toEqual(["long-session-1"]);
      expect(index.search('"kangaroo"').map((h) => h.sessionId)).toEqual(["long-session-1"]);
      expect(index.search('"1mroo"')).toEqual([]);
    } finally {
      indexDb.close();
      store.close();
    }
  });
  test("the index merges segments incrementally: no level is ever merged whole inside one insert", () => {
    // FTS5 merges a level whole once it holds `crisismerge` segments; that must stay well above
    // `automerge`, where incremental merging (bounded work per insert) starts. See migrations.ts.
    const { store, indexDb } = storeAndIndex();
    try {
      const config = Object.fromEntries(
        (indexDb.query("SELECT k, v FROM search_fts_config").all() as { k: string; v: number }[]).map((r) => [r.k, r.v]),
      );
      expect(config.automerge).toBe(16);
      expect(config.crisismerge).toBeGreaterThanOrEqual(4 * config.automerge!);
    } finally {
      indexDb.close();
      store.close();
    }
  });
});

describe("plainText", () => {
  test("drops SGR inside words, turns cursor moves into spaces, drops OSC/DCS strings and controls", () => {
    expect(plainText("ze\x1b[1;31mbra\x1b[mcorn\x1b[3Cnext\x1b]0;t\x07\x1bP1$r\x1b\\\x07\x08!\r\n\r\nend")).toBe("zebracorn next!\nend");
  });

  test("state carries across chunks: a sequence split in two is still removed", () => {
    const { PlainText } = require("../../src/terminal/plain-text.ts");
    const p = new PlainText();
    expect(p.push("a\x1b[3") + p.push("1mb\x1b]0;ti") + p.push("tle\x07c")).toBe("abc");
  });
});
