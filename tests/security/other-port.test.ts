/**
 * Another web server on the same host, another port (issue 17, finding 1). Browsers scope cookies
 * by host, not port, so every request the logged-in browser makes to that server carries the
 * dashboard's cookie. That server (run by another local user, say) reads it and replays it with a
 * forged `Origin` and `Sec-Fetch-Site`: it must not be able to type, approve or watch. The page key
 * the dashboard keeps in its own origin's storage is what it lacks.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { PAGE_KEY_HEADER } from "../../src/protocol/api.ts";
import { launch, openPhone } from "../dashboard/browser.ts";
import { type DeviceClient, connectDevice } from "../support/device-client.ts";
import { type OuterPty, spawnInPty } from "../support/pty.ts";
import { BUN, CLI, type TestServer, sessions, startTestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { auditActions } from "./support.ts";

let server: TestServer;
let browser: Browser;
let victim: OuterPty;
let sessionId: string;
let device: DeviceClient;
const PROMPT = "p_otherport_1";
const PROMPT_SESSION = "s_otherport_prompt";

/** What the other port's server saw: the headers of every request the browser made to it. */
const seen: Headers[] = [];
let evil: ReturnType<typeof Bun.serve>;

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
  // A second device holds a session with a pending prompt, so there is something to approve.
  const other = await server.pairDevice("prompt-device");
  device = await connectDevice(server.url, other);
  await device.openSession(PROMPT_SESSION);
  device.sendJson({
    type: "prompt.open",
    sessionId: PROMPT_SESSION,
    promptId: PROMPT,
    tool: "Bash",
    input: { command: "rm -rf ~/work" },
    suggestions: [],
    at: Date.now(),
  });
  await waitFor(async () => (await server.api(`/api/prompts/${PROMPT}`)).status === 200, { what: "the prompt" });
  browser = await launch();
  evil = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) => {
      seen.push(req.headers);
      return new Response("<!doctype html><title>nothing to see</title><img src=/pixel.gif>", { headers: { "Content-Type": "text/html" } });
    },
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  evil?.stop(true);
  device?.ws.close();
  victim?.proc.kill("SIGKILL");
  await server?.stop();
});

/** The cookie header of the browser's requests to the other port, once it has one. */
function stolenCookie(): string | undefined {
  return seen.map((h) => h.get("cookie") ?? "").find((c) => c.includes("cr_session="));
}

/** Everything the other port's server can do with the cookie, pretending to be the dashboard's page. */
async function attack(cookie: string): Promise<Record<string, number | string>> {
  const forged = {
    Cookie: cookie,
    Origin: server.url,
    "Sec-Fetch-Site": "same-origin",
    "Sec-Fetch-Mode": "cors",
    "Content-Type": "application/json",
  };
  const status = async (path: string, init: RequestInit = {}) =>
    (await fetch(server.url + path, { ...init, headers: { ...forged, ...(init.headers as object) } })).status;
  const out: Record<string, number | string> = {};
  out.type = await status(`/api/sessions/${sessionId}/input`, { method: "POST", body: JSON.stringify({ text: "pwned-type\r" }) });
  out.keys = await status(`/api/sessions/${sessionId}/input`, { method: "POST", body: JSON.stringify({ keys: ["ctrl-c"] }) });
  out.approve = await status(`/api/prompts/${PROMPT}/approve`, { method: "POST", body: "{}" });
  out.screen = await status(`/api/sessions/${sessionId}/screen`);
  out.output = await status(`/api/sessions/${sessionId}/output`);
  out.list = await status("/api/sessions");
  out.pairingCode = await status("/api/pairing-codes", { method: "POST" });
  for (const [name, path] of [
    ["watchRaw", `/events?session=${sessionId}`],
    ["watchScreen", `/events?session=${sessionId}&view=screen`],
    ["events", "/events"],
  ] as const) {
    const ac = new AbortController();
    const res = await fetch(server.url + path, { headers: forged, signal: ac.signal });
    out[name] = res.status;
    ac.abort();
  }
  // The viewer socket: open it with the cookie and type through it.
  out.viewer = await new Promise<string>((resolve) => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws/viewer?session=${sessionId}&view=raw`, {
      headers: { Cookie: cookie, Origin: server.url },
    } as never);
    ws.onopen = () => ws.send(JSON.stringify({ type: "input", ref: "x", text: "pwned-ws\r" }));
    ws.onmessage = (e) => {
      if (String(e.data).includes("input.ok")) resolve("typed");
    };
    ws.onerror = () => resolve("refused");
    ws.onclose = () => resolve("refused");
    setTimeout(() => resolve("open, nothing typed"), 5000);
  });
  return out;
}

test("a server on another port of 127.0.0.1 gets the dashboard's cookie but cannot type, approve or watch with it", async () => {
  const phone = await openPhone(browser, server.url, server.token);
  try {
    await phone.page.waitForSelector(".srow", { timeout: 20_000 }); // logged in, the list is drawn
    const page = await phone.context.newPage();
    await page.goto(`http://127.0.0.1:${evil.port}/`);
    const cookie = await waitFor(() => stolenCookie(), { what: "the cookie at the other port" });
    // That origin's storage is its own: the page key is not there to read.
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).toBe("{}");

    const results = await attack(cookie);
    expect(results).toEqual({
      type: 401,
      keys: 401,
      approve: 401,
      screen: 401,
      output: 401,
      list: 401,
      pairingCode: 401,
      watchRaw: 401,
      watchScreen: 401,
      events: 401,
      viewer: "refused",
    });

    // The dashboard itself, with the same cookie and its page key, still types into the session.
    const typed = await phone.page.evaluate(async (sid) => {
      const module = "/js/api.js"; // the dashboard's own client, in the page
      const { api } = await import(module);
      return api(`/api/sessions/${sid}/input`, { method: "POST", body: { text: "from-the-dashboard\r" } });
    }, sessionId);
    expect(typed).toEqual({ ok: true });
    await waitFor(() => victim.text().includes("GOT<from-the-dashboard>"), { what: "the dashboard's input" });
    expect(phone.errors).toEqual([]);
  } finally {
    await phone.context.close();
  }

  expect(victim.text()).not.toContain("pwned");
  expect(device.frames.some((f) => f.type === "prompt.answer")).toBe(false);
  expect(((await (await server.api(`/api/prompts/${PROMPT}`)).json()) as { status: string }).status).toBe("pending");
  const audit = await auditActions(server);
  expect(
    audit.filter((a) => a.action.startsWith("prompt.") || (a.action === "pairing_code.create" && a.actor.startsWith("admin:browser"))),
  ).toEqual([]);
  expect(audit.filter((a) => a.action === "session.input").map((a) => a.detail?.text)).toEqual(["from-the-dashboard\r"]);
});

test("the page key is per login: another login's key, or one sent without the cookie, does not open anything", async () => {
  const login = async () => {
    const res = await fetch(`${server.url}/api/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: server.token }),
    });
    return { cookie: (res.headers.get("set-cookie") ?? "").split(";")[0], pageKey: ((await res.json()) as { pageKey: string }).pageKey };
  };
  const a = await login();
  const b = await login();
  expect(a.pageKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const me = async (headers: Record<string, string>) =>
    (await fetch(`${server.url}/api/me`, { headers: { Origin: server.url, ...headers } })).status;
  expect(await me({ Cookie: a.cookie, [PAGE_KEY_HEADER]: a.pageKey })).toBe(200);
  expect(await me({ Cookie: a.cookie, [PAGE_KEY_HEADER]: b.pageKey })).toBe(401);
  expect(await me({ Cookie: a.cookie })).toBe(401);
  expect(await me({ [PAGE_KEY_HEADER]: a.pageKey })).toBe(401);
  // The key in the query is for EventSource and WebSocket only, not for REST.
  expect((await fetch(`${server.url}/api/me?pageKey=${a.pageKey}`, { headers: { Cookie: a.cookie, Origin: server.url } })).status).toBe(
    401,
  );
  const ac = new AbortController();
  const sse = await fetch(`${server.url}/events?pageKey=${a.pageKey}`, {
    headers: { Cookie: a.cookie, Origin: server.url },
    signal: ac.signal,
  });
  expect(sse.status).toBe(200);
  ac.abort();
});
