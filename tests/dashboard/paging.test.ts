/**
 * Lists are paged (issue 17, finding 5): GET /api/sessions stopped at 200 rows and
 * GET /api/prompts at 100, so junk sessions pushed a real one out of the dashboard and a flood of
 * prompts could hide a pending one after a reload. Here there are more of both than any one page
 * holds (the dashboard asks for 500 a page): every row is reachable by cursor, and the dashboard
 * (real Chromium) shows the oldest session and the oldest pending prompt.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { NEXT_CURSOR_HEADER } from "../../src/protocol/api.ts";
import type { Prompt } from "../../src/protocol/prompts.ts";
import { type TestServer, startTestServer } from "../support/server.ts";
import { launch, openPhone } from "./browser.ts";

const SESSIONS = 520;
const PROMPTS = 520;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  const dev = await server.pairDevice("junk-maker");
  const t0 = Date.now() - 3_600_000;
  const { sessions, prompts } = server.app.store;
  // The real one is the oldest; the junk came after it.
  for (let i = 0; i < SESSIONS; i++) {
    const id = i === 0 ? "the-real-one" : `junk-${String(i).padStart(4, "0")}`;
    sessions.open(dev.deviceId, { sessionId: id, name: id, command: ["bash"], cwd: "/", cols: 80, rows: 24, startedAt: t0 + i * 1000 });
  }
  for (let i = 0; i < PROMPTS; i++) {
    const command = i === 0 ? "deploy --the-real-prompt" : `echo junk ${i}`;
    const at = t0 + i * 1000;
    const p: Prompt = {
      id: `p_page_${String(i).padStart(4, "0")}`,
      sessionId: i === 0 ? "the-real-one" : "junk-0001",
      source: "hook",
      agent: "claude",
      tool: "Bash",
      input: { command },
      suggestions: [],
      title: null,
      question: null,
      body: [],
      options: [
        { key: "once", label: "Yes" },
        { key: "no", label: "No" },
      ],
      status: "pending",
      createdAt: at,
      updatedAt: at,
      resolvedAt: null,
      resolvedBy: null,
      resolution: null,
      hookSessionId: null,
      toolUseId: null,
      kind: "permission",
      questions: [],
      plan: null,
      form: null,
      delivery: null,
    };
    prompts.insert(p);
  }
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Follows X-Next-Cursor from `path` to the end; returns every id and how many pages it took. */
async function walk(path: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await server.api(cursor ? `${path}&cursor=${encodeURIComponent(cursor)}` : path);
    expect(res.status).toBe(200);
    ids.push(...((await res.json()) as { id: string }[]).map((r) => r.id));
    cursor = res.headers.get(NEXT_CURSOR_HEADER);
    pages++;
  } while (cursor && pages < 100);
  return { ids, pages };
}

test("every session and every prompt is reachable page by page, newest first, none twice", async () => {
  const s = await walk("/api/sessions?limit=100");
  expect(s.pages).toBe(Math.ceil(SESSIONS / 100));
  expect(new Set(s.ids).size).toBe(SESSIONS);
  expect(s.ids[s.ids.length - 1]).toBe("the-real-one");
  const p = await walk("/api/prompts?status=pending&limit=100");
  expect(new Set(p.ids).size).toBe(PROMPTS);
  expect(p.ids[p.ids.length - 1]).toBe("p_page_0000");
  // Without a limit: the old page sizes, and a cursor to what lies beyond them.
  const first = await server.api("/api/sessions");
  expect(((await first.json()) as unknown[]).length).toBe(200);
  expect(first.headers.get(NEXT_CURSOR_HEADER)).toBeTruthy();
  const last = await server.api(
    "/api/sessions?limit=500&cursor=" +
      encodeURIComponent((await (await server.api("/api/sessions?limit=500")).headers.get(NEXT_CURSOR_HEADER))!),
  );
  expect(((await last.json()) as unknown[]).length).toBe(SESSIONS - 500);
  expect(last.headers.get(NEXT_CURSOR_HEADER)).toBeNull();
  // A cursor that is not ours is a clear 400.
  for (const bad of ["nonsense", "e30", Buffer.from("[1]").toString("base64url")]) {
    const res = await server.api(`/api/sessions?cursor=${bad}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toContain("cursor");
    expect((await server.api(`/api/prompts?cursor=${bad}`)).status).toBe(400);
  }
});

test("the dashboard shows the oldest session and the oldest pending prompt behind more than a page of junk", async () => {
  const phone = await openPhone(browser, server.url, server.token);
  try {
    await phone.page.waitForSelector('.srow[data-id="the-real-one"]', { state: "attached", timeout: 30_000 });
    await phone.page.waitForSelector('article.card[data-id="p_page_0000"]', { state: "attached", timeout: 30_000 });
    const shown = await phone.page.$$eval("article.card", (cards) => cards.length);
    expect(shown).toBe(PROMPTS);
    expect(await phone.page.$$eval(".srow", (rows) => rows.length)).toBe(SESSIONS);
    expect(phone.errors).toEqual([]);
  } finally {
    await phone.context.close();
  }
}, 90_000);
