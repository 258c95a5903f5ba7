/** Rename / archive / delete of a session over REST: bad bodies are named 400s, unknown ids 404, a pending prompt of a deleted session ends, its answer links go. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnInPty } from "../support/pty.ts";
import { BUN, CLI, startTestServer, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

let server: TestServer;
let id: string;

beforeAll(async () => {
  server = await startTestServer();
  const { configDir } = await server.pairDevice();
  const t = spawnInPty([BUN, CLI, "exec", "--name", "short", "--", "bash", "-c", "echo hi; exit 0"], {
    env: { CLAUDE_REMOTE_CONFIG_DIR: configDir },
  });
  await t.exited;
  id = await waitFor(
    async () =>
      ((await (await server.api("/api/sessions")).json()) as { id: string; status: string }[]).find((s) => s.status === "exited")?.id,
    { what: "the ended session" },
  );
});
afterAll(() => server?.stop());

const post = (path: string, body: string) => server.api(path, { method: "POST", body });

test("bad bodies get a 400 that names the field; unknown sessions 404; nothing changes", async () => {
  for (const body of [
    '{"name":""}',
    '{"name":"   "}',
    `{"name":"${"x".repeat(101)}"}`,
    '{"name":3}',
    '{"name":"a","extra":1}',
    "not json",
  ]) {
    const r = await post(`/api/sessions/${id}/name`, body);
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toBe("bad_request");
  }
  expect((await post(`/api/sessions/${id}/archive`, '{"archived":"yes"}')).status).toBe(400);
  expect((await post("/api/sessions/nope-nope-nope/name", '{"name":"x"}')).status).toBe(404);
  expect((await server.api("/api/sessions/nope-nope-nope", { method: "DELETE" })).status).toBe(404);
  expect(((await (await server.api(`/api/sessions/${id}`)).json()) as { name: string }).name).toBe("short");
});

test("rename trims; archive and unarchive; delete twice is 404 the second time", async () => {
  const renamed = (await (await post(`/api/sessions/${id}/name`, '{"name":"  tidy  "}')).json()) as { name: string };
  expect(renamed.name).toBe("tidy");
  expect(
    ((await (await post(`/api/sessions/${id}/archive`, '{"archived":true}')).json()) as { archivedAt: number }).archivedAt,
  ).toBeGreaterThan(0);
  expect(
    ((await (await post(`/api/sessions/${id}/archive`, '{"archived":false}')).json()) as { archivedAt: number | null }).archivedAt,
  ).toBeNull();
  // Links of a notification (this one's prompt already gone) must not outlive the session.
  const link = { promptId: "prm_gone_0001", sessionId: id, option: "1", label: "Yes", tokenHash: "a".repeat(64) };
  server.app.store.answerLinks.add([link, { ...link, option: "2", label: "No" }], Date.now() + 60_000, 30);
  expect(server.app.store.answerLinks.countFor(id)).toBe(2);
  const del = await server.api(`/api/sessions/${id}`, { method: "DELETE" });
  expect(del.status).toBe(200);
  expect(server.app.store.answerLinks.countFor(id)).toBe(0);
  expect(((await del.json()) as { chunks: number }).chunks).toBeGreaterThan(0);
  expect((await server.api(`/api/sessions/${id}`, { method: "DELETE" })).status).toBe(404);
  expect((await server.api(`/api/sessions/${id}/output`)).status).toBe(404);
});
