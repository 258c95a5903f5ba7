/**
 * CLAUDE_REMOTE_COST_ALERT_USD: once a session's cost (from the price table, on the real Claude
 * Code's transcript) passes it, the configured channels are notified, once per session.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { waitFor } from "../support/wait.ts";
import { type ClaudeSession, type Env, startClaude, startEnv } from "../prompts/support.ts";
import { type Receiver, startReceiver } from "../push/support.ts";

const MODEL = "claude-sonnet-4-5";
// each fake response costs about $0.001 on this model's prices: the third one passes the limit
const LIMIT = 0.0025;

let env: Env;
let c: ClaudeSession;
let hook: Receiver;

beforeAll(async () => {
  hook = startReceiver(200);
  env = await startEnv(
    { "c-one": [{ text: "one" }], "c-two": [{ text: "two" }], "c-three": [{ text: "three" }], "c-four": [{ text: "four" }] },
    {
      serverEnv: {
        CLAUDE_REMOTE_WEBHOOK_URL: `${hook.url}/hook`,
        CLAUDE_REMOTE_COST_ALERT_USD: String(LIMIT),
        CLAUDE_REMOTE_NOTIFY_WEBHOOK: "none",
      },
    },
  );
  c = await startClaude(env, { args: ["--model", MODEL] });
}, 60_000);

afterAll(async () => {
  await c?.stop();
  await env?.stop();
  hook?.stop();
});

const costAlerts = () => hook.received.map((r) => JSON.parse(r.body.toString())).filter((b) => b.event === "cost");

test("the cost alert is sent once, when the session's cost passes the limit", async () => {
  await c.turnDone(await c.submit("scenario c-one"));
  await c.turnDone(await c.submit("scenario c-two"));
  const cost = async () => (await (await env.server.api(`/api/sessions/${c.sessionId}/usage`)).json()).total.costUsd as number;
  await waitFor(async () => (await cost()) > 0, { what: "a cost" });
  expect(await cost()).toBeLessThan(LIMIT);
  expect(costAlerts()).toHaveLength(0);
  await c.turnDone(await c.submit("scenario c-three"));
  await c.turnDone(await c.submit("scenario c-four"));
  await waitFor(async () => (await cost()) >= LIMIT, { what: "the cost past the limit" });
  await waitFor(() => costAlerts().length === 1, { what: "the cost notification" });
  expect(costAlerts()[0]).toMatchObject({ kind: "cost", sessionId: c.sessionId });
  expect(costAlerts()[0].title).toContain("has cost $");
  await Bun.sleep(1000); // a second alert would have been sent by now (the notifier sends within one event-loop turn)
  expect(costAlerts()).toHaveLength(1);
}, 90_000);
