/**
 * `session.lost`: a device reports that one of its sessions' wrapper died. The server ends the
 * session as `lost` (no exit code), cancels its pending prompts with the reason, audits it and
 * confirms with `session.ended`; it refuses a session it does not know, one of another device, and
 * one a connection still holds.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Prompt } from "../../src/protocol/prompts.ts";
import { LOST_REASON } from "../../src/server/prompts/prompt-service.ts";
import { connectDevice, type DeviceClient } from "../support/device-client.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

let server: TestServer;
let creds: { deviceId: string; secret: string };
const open: DeviceClient[] = [];
beforeAll(async () => {
  server = await startTestServer();
  creds = await server.pairDevice("laptop");
});
afterAll(async () => {
  for (const d of open) d.ws.close();
  await server.stop();
});

async function device(c = creds): Promise<DeviceClient> {
  const d = await connectDevice(server.url, c);
  open.push(d);
  await d.waitFrame("welcome");
  return d;
}

const session = async (id: string) =>
  (await server.api(`/api/sessions/${id}`)).json() as Promise<{
    status: string;
    exitCode: number | null;
    endedAt: number | null;
    pendingPrompts: number;
    lastSeq: number;
  }>;
const prompt = async (id: string) => (await server.api(`/api/prompts/${id}`)).json() as Promise<Prompt>;

/** A session with stored output and a pending hook prompt, whose connection then goes away (as when its wrapper is SIGKILLed). */
async function orphan(): Promise<{ id: string; promptId: string }> {
  const id = crypto.randomUUID();
  const promptId = `toolu_${id.slice(0, 8)}`;
  const d = await device();
  await d.openSession(id, { hooks: true });
  d.output(id, 1, "hello\r\n");
  await d.waitFrame("ack", (f) => f.sessionId === id && f.seq === 1);
  d.sendJson({
    type: "prompt.open",
    sessionId: id,
    promptId,
    tool: "Bash",
    input: { command: "rm -rf build" },
    suggestions: [],
    at: Date.now(),
  });
  await waitFor(async () => (await prompt(promptId)).status === "pending", { what: "the prompt stored" });
  d.ws.close();
  await d.closed;
  await waitFor(async () => (await session(id)).status === "disconnected", { what: "the session disconnected" });
  return { id, promptId };
}

test("a lost session ends as lost with no exit code, its pending prompt cancelled with the reason, audited, confirmed with session.ended", async () => {
  const { id, promptId } = await orphan();
  const d = await device();
  d.sendJson({ type: "session.lost", sessionId: id });
  await d.waitFrame("session.ended", (f) => f.sessionId === id);
  const s = await session(id);
  expect(s).toMatchObject({ status: "lost", exitCode: null, pendingPrompts: 0, lastSeq: 1 });
  expect(s.endedAt).toBeNumber();
  expect(await prompt(promptId)).toMatchObject({
    status: "cancelled",
    resolvedBy: "system",
    resolution: { decision: null, via: "system", reason: LOST_REASON },
  });
  const audit = (await (await server.api("/api/audit")).json()) as { action: string; actor: string; target: string; detail: unknown }[];
  expect(audit.find((a) => a.action === "session.lost" && a.target === id)).toMatchObject({
    actor: `device:${creds.deviceId}`,
    detail: { cancelledPrompts: 1 },
  });

  // reported again (two deliverers): confirmed, nothing changes
  d.sendJson({ type: "session.lost", sessionId: id });
  await waitFor(() => d.frames.filter((f) => f.type === "session.ended" && f.sessionId === id).length === 2, {
    what: "the second session.ended",
  });
  expect((await session(id)).endedAt).toBe(s.endedAt);
});

test("a session that already exited keeps its exit code; the report is only confirmed", async () => {
  const id = crypto.randomUUID();
  const d = await device();
  await d.openSession(id);
  d.sendJson({ type: "session.exit", sessionId: id, exitCode: 4, signal: null, endedAt: Date.now(), lastSeq: 0 });
  await d.waitFrame("session.ended", (f) => f.sessionId === id);
  const d2 = await device();
  d2.sendJson({ type: "session.lost", sessionId: id });
  await d2.waitFrame("session.ended", (f) => f.sessionId === id);
  expect(await session(id)).toMatchObject({ status: "exited", exitCode: 4 });
});

test("refused: a session a connection still holds, another device's session, an unknown session, a malformed frame", async () => {
  const held = crypto.randomUUID();
  const owner = await device();
  await owner.openSession(held);
  const d = await device();
  d.sendJson({ type: "session.lost", sessionId: held });
  expect(await d.waitFrame("error", (f) => f.ref === "session.lost")).toMatchObject({ code: "held" });
  expect((await session(held)).status).toBe("running");

  const { id, promptId } = await orphan();
  const other = await device(await server.pairDevice("other"));
  other.sendJson({ type: "session.lost", sessionId: id });
  expect(await other.waitFrame("error", (f) => f.ref === "session.lost")).toMatchObject({ code: "forbidden" });
  expect((await session(id)).status).toBe("disconnected");
  expect((await prompt(promptId)).status).toBe("pending");

  other.sendJson({ type: "session.lost", sessionId: crypto.randomUUID() });
  await waitFor(() => other.frames.some((f) => f.type === "error" && f.code === "not_found"), { what: "not_found" });
  other.sendJson({ type: "session.lost", sessionId: "no" });
  await waitFor(() => other.frames.find((f) => f.type === "error" && f.code === "bad_frame" && f.ref === "session.lost"), {
    what: "bad_frame",
  });
  expect(other.frames.find((f) => f.type === "error" && f.code === "bad_frame")).toMatchObject({
    message: expect.stringContaining("sessionId"),
  });
  expect(other.ws.readyState).toBe(WebSocket.OPEN);
});
