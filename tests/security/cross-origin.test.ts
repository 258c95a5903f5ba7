/**
 * Cross-site request forgery and WebSocket hijacking, in real Chromium: a page on another origin
 * (another port of 127.0.0.1, so the same *site*: SameSite=Strict alone does not keep the cookie
 * out) tries to open /ws and to send input / approve with the victim's session cookie.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { launch } from "../dashboard/browser.ts";
import { BUN, CLI, type TestServer, sessions, startTestServer } from "../support/server.ts";
import { type OuterPty, spawnInPty } from "../support/pty.ts";
import { waitFor } from "../support/wait.ts";
import { auditActions } from "./support.ts";

let server: TestServer;
let browser: Browser;
let evil: ReturnType<typeof Bun.serve>;
let victim: OuterPty;
let sessionId: string;

beforeAll(async () => {
  server = await startTestServer();
  const dev = await server.pairDevice("victim-laptop");
  victim = spawnInPty(
    [BUN, CLI, "exec", "--name", "victim", "--", "bash", "-c", 'stty -echo; echo READY; while IFS= read -r l; do echo "GOT<$l>"; done'],
    { env: { CLAUDE_REMOTE_CONFIG_DIR: dev.configDir } },
  );
  sessionId = (
    await waitFor(async () => (await sessions(server)).find((s) => s.name === "victim" && s.status === "running"), {
      what: "victim session",
    })
  ).id;
  await waitFor(() => victim.text().includes("READY"), { what: "READY" });
  browser = await launch();
  evil = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => new Response(attackPage(server.url, sessionId), { headers: { "Content-Type": "text/html" } }),
  });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  evil?.stop(true);
  victim?.proc.kill("SIGKILL");
  await server?.stop();
});

function attackPage(target: string, sid: string): string {
  const ws = target.replace("http", "ws") + "/ws";
  return `<!doctype html><body><iframe name="sink"></iframe><script>
const S = ${JSON.stringify(target)}, SID = ${JSON.stringify(sid)};
const results = (window.results = {});
const settle = (k, p) => p.then((v) => (results[k] = v), (e) => (results[k + "Error"] = String(e)));
const jobs = [
  new Promise((done) => {
    const ws = new WebSocket(${JSON.stringify(ws)});
    ws.onopen = () => (results.wsOpened = true);
    ws.onmessage = (e) => (results.wsMessage = String(e.data));
    ws.onclose = (e) => { results.wsClose = e.code; done(); };
  }),
  settle("inputPlain", fetch(S + "/api/sessions/" + SID + "/input", { method: "POST", credentials: "include", headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ text: "pwned-plain\\r" }) }).then((r) => r.status)),
  settle("inputNoCors", fetch(S + "/api/sessions/" + SID + "/input", { method: "POST", mode: "no-cors", credentials: "include", body: JSON.stringify({ text: "pwned-nocors\\r" }) }).then((r) => r.type)),
  settle("inputJson", fetch(S + "/api/sessions/" + SID + "/input", { method: "POST", credentials: "include", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: "pwned-json\\r" }) }).then((r) => r.status)),
  settle("approve", fetch(S + "/api/prompts/p_any/approve", { method: "POST", mode: "no-cors", credentials: "include", body: "{}" }).then((r) => r.type)),
  settle("keys", fetch(S + "/api/sessions/" + SID + "/input", { method: "POST", mode: "no-cors", credentials: "include", body: JSON.stringify({ keys: ["ctrl-c"] }) }).then((r) => r.type)),
  settle("revoke", fetch(S + "/api/pairing-codes", { method: "POST", mode: "no-cors", credentials: "include" }).then((r) => r.type)),
  settle("leak", fetch(S + "/api/sessions", { credentials: "include" }).then((r) => r.text())),
];
const f = document.createElement("form");
f.method = "POST"; f.action = S + "/api/sessions/" + SID + "/input"; f.enctype = "text/plain"; f.target = "sink";
const i = document.createElement("input");
i.name = '{"text":"pwned-form\\\\r","x":"'; i.value = '"}';
f.appendChild(i); document.body.appendChild(f); f.submit();
Promise.all(jobs).then(() => (results.done = true));
</script></body>`;
}

test("a page on another origin, holding the victim's cookie, cannot open /ws, send input or approve", async () => {
  const context = await browser.newContext();
  try {
    // The victim logs in on the real origin.
    const own = await context.newPage();
    await own.goto(`${server.url}/health`);
    const login = await own.evaluate(
      async (token) =>
        (await fetch("/api/login", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token }) }))
          .status,
      server.token,
    );
    expect(login).toBe(200);
    expect((await context.cookies(server.url)).map((c) => c.name)).toContain("cr_session");

    const page = await context.newPage();
    const toServer: { method: string; url: string; status: number; cookie: boolean }[] = [];
    page.on("response", async (res) => {
      if (!res.url().startsWith(server.url)) return;
      const headers = await res.request().allHeaders();
      toServer.push({
        method: res.request().method(),
        url: res.url().slice(server.url.length),
        status: res.status(),
        cookie: (headers.cookie ?? "").includes("cr_session="),
      });
    });
    // The form posts into a frame; wait for it to settle either way before looking at the PTY.
    let formSettled = false;
    const settled = (r: { frame(): { name(): string } | null }) => {
      if (r.frame()?.name() === "sink") formSettled = true;
    };
    page.on("requestfinished", settled);
    page.on("requestfailed", settled);
    await page.goto(`http://127.0.0.1:${evil.port}/`);
    await page.waitForFunction(() => (window as unknown as { results: { done?: boolean } }).results.done === true, null, {
      timeout: 15_000,
    });
    await waitFor(() => toServer.some((r) => r.method === "POST" && r.url.endsWith("/input") && r.status === 403 && r.cookie), {
      what: "a cookie-carrying input POST answered 403",
    });
    const results = await page.evaluate(() => (window as unknown as { results: Record<string, unknown> }).results);
    await waitFor(() => formSettled, { what: "the form post to settle" });

    // The WebSocket never opened and never saw a challenge.
    expect(results.wsOpened).toBeUndefined();
    expect(results.wsMessage).toBeUndefined();
    // The page could read nothing back (the GET is refused with 403 too: Sec-Fetch-Site is same-site, not same-origin).
    expect(results.leak).toBeUndefined();
    expect(results.leakError).toContain("Failed to fetch");
    expect(results.inputPlain).toBeUndefined();
    // Every answer Chromium reports from the server is a refusal (it reports some, not all; the PTY and audit checks below are the proof).
    const posts = toServer.filter((r) => r.method === "POST");
    expect(posts.length).toBeGreaterThanOrEqual(3);
    for (const r of toServer) expect({ ...r, ok: r.status >= 400 }).toMatchObject({ ok: true });
    expect(posts.every((r) => r.status === 403)).toBe(true);
  } finally {
    await context.close();
  }

  // Nothing reached the PTY and nothing was accepted.
  await Bun.sleep(300);
  expect(victim.text()).not.toContain("GOT<");
  expect(victim.text()).not.toContain("pwned");
  const audit = await auditActions(server);
  expect(audit.filter((a) => a.action === "session.input" || a.action.startsWith("prompt."))).toEqual([]);
  expect(audit.filter((a) => a.actor.startsWith("admin:browser:") && a.action !== "login")).toEqual([]);
  expect(server.app.sockets.connectionCount).toBe(1); // only the victim's wrapper
  const s = (await sessions(server)).find((x) => x.id === sessionId)!;
  expect(s.status).toBe("running");
});

test("the same cookie (with its page key) from the server's own origin does reach the PTY (the refusal above is the Origin, not a broken cookie)", async () => {
  const context = await browser.newContext();
  try {
    const own = await context.newPage();
    await own.goto(`${server.url}/health`);
    const statuses = await own.evaluate(
      async ([token, sid]) => {
        const login = await fetch("/api/login", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ token }),
        });
        const { pageKey } = await login.json();
        const input = await fetch(`/api/sessions/${sid}/input`, {
          method: "POST",
          headers: { "Content-Type": "application/json", "x-cr-page-key": pageKey },
          body: JSON.stringify({ text: "from-own-origin\r" }),
        });
        return [login.status, input.status];
      },
      [server.token, sessionId] as const,
    );
    expect(statuses).toEqual([200, 200]);
    await waitFor(() => victim.text().includes("GOT<from-own-origin>"), { what: "own-origin input in the PTY" });
    const entry = (await auditActions(server)).find((a) => a.action === "session.input")!;
    expect(entry.actor).toMatch(/^admin:browser:/);
    expect(entry.userAgent).toContain("Chrome");
    expect(entry.target).toBe(sessionId);
  } finally {
    await context.close();
  }
});
