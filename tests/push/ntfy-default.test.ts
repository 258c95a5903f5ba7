/**
 * ntfy on a public topic (issue 17, finding 6): a topic on ntfy.sh is readable by anyone who knows
 * its name, and its Approve button carried a one-time link, so any reader could approve. By
 * default a prompt's notification now only opens the dashboard (where the login is needed); the
 * one-tap buttons come only with CLAUDE_REMOTE_NTFY_ACTIONS=approve (tests/push/ntfy.test.ts).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type DeviceClient, connectDevice } from "../support/device-client.ts";
import { type TestServer, startTestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { type Receiver, startReceiver } from "./support.ts";

const SESSION = "sess-ntfy-default-01";
let server: TestServer;
let ntfy: Receiver;
let device: DeviceClient;

beforeAll(async () => {
  ntfy = startReceiver(200);
  server = await startTestServer({ env: { CLAUDE_REMOTE_NTFY_URL: `${ntfy.url}/a-public-topic` } });
  device = await connectDevice(server.url, await server.pairDevice());
  await device.openSession(SESSION, { name: "ntfy-default", hooks: true });
});
afterAll(async () => {
  device?.ws.close();
  await server?.stop();
  ntfy?.stop();
});

test("by default a prompt on ntfy has only an Open button to the dashboard: no token a topic reader could press", async () => {
  device.sendJson({
    type: "prompt.open",
    sessionId: SESSION,
    promptId: "prm_ntfy_default_1",
    tool: "Bash",
    input: { command: "git push --force", description: "push" },
    suggestions: [],
    at: Date.now(),
  });
  const m = await waitFor(() => ntfy.received.map((r) => JSON.parse(r.body.toString())).find((x) => x.tags?.includes("lock")), {
    what: "the prompt's ntfy message",
  });
  expect(m.actions).toEqual([{ action: "view", label: "Open", url: `${server.url}/#/s/${SESSION}`, clear: false }]);
  expect(m.click).toBe(`${server.url}/#/s/${SESSION}`);
  expect(JSON.stringify(m)).not.toContain("/answer-link/");
  expect((server.app.store.db.query("SELECT COUNT(*) AS n FROM answer_links").get() as { n: number }).n).toBe(0);
  expect(((await (await server.api("/api/prompts/prm_ntfy_default_1")).json()) as { status: string }).status).toBe("pending");
});
