/**
 * Input from the dashboard to a program that does not read it is bounded in the wrapper
 * (CLAUDE_REMOTE_INPUT_QUEUE_BYTES): past the bound the wrapper refuses it and the viewers get
 * `input.refused`, instead of the wrapper's memory growing without end or the input vanishing
 * unannounced. Real PTY (native backend), real server, real viewer socket.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnInPty } from "../support/pty.ts";
import { BUN, CLI, type TestServer, sessions, startTestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

let server: TestServer;
let configDir: string;

beforeAll(async () => {
  server = await startTestServer();
  ({ configDir } = await server.pairDevice());
});
afterAll(() => server.stop());

type Msg = { event: string; data: any };

test("input to a program that does not read is refused past the bound, and the viewers are told", async () => {
  const name = `input-bound-${crypto.randomUUID().slice(0, 8)}`;
  const t = spawnInPty([BUN, CLI, "exec", "--name", name, "--", "bash", "-c", "stty raw -echo; echo READY; exec sleep 600"], {
    env: { CLAUDE_REMOTE_CONFIG_DIR: configDir, CLAUDE_REMOTE_PTY: "native", CLAUDE_REMOTE_INPUT_QUEUE_BYTES: String(64 * 1024) },
  });
  await waitFor(() => t.text().includes("READY"), { what: "child ready" });
  const s = await waitFor(async () => (await sessions(server)).find((x) => x.name === name && x.status === "running"), {
    what: "session running",
  });

  const ws = new WebSocket(`${server.url.replace(/^http/, "ws")}/ws/viewer?session=${s.id}&view=raw`, {
    headers: { Authorization: `Bearer ${server.token}` },
  } as never);
  const msgs: Msg[] = [];
  ws.onmessage = (e) => msgs.push(JSON.parse(String(e.data)));
  await new Promise<void>((r, j) => ((ws.onopen = () => r()), (ws.onerror = () => j(new Error("viewer socket refused")))));

  // 16 KiB per frame; the kernel takes ~12 KiB before the master says EAGAIN, then the queue takes 64 KiB
  const text = "x".repeat(16 * 1024);
  let sent = 0;
  const refused = await waitFor(
    () => {
      const m = msgs.find((m) => m.event === "input.refused");
      if (m) return m;
      if (sent < 100 && msgs.filter((m) => m.event === "input.ok").length === sent) {
        ws.send(JSON.stringify({ type: "input", ref: String(sent), text }));
        sent++;
      }
      return undefined;
    },
    { what: () => `input.refused (sent ${sent}, events ${msgs.map((m) => m.event).join(",")})`, intervalMs: 20 },
  );
  expect(refused.data.sessionId).toBe(s.id);
  expect(refused.data.code).toBe("input_refused");
  expect(refused.data.bytes).toBe(16 * 1024);
  expect(refused.data.queued).toBeGreaterThan(0);
  expect(refused.data.queued).toBeLessThanOrEqual(64 * 1024);
  // what came before the refusal was taken (the kernel's share and a full queue), not refused early
  expect((sent - 1) * text.length).toBeGreaterThanOrEqual(64 * 1024 - text.length);
  expect(msgs.filter((m) => m.event === "input.ok").length).toBeGreaterThanOrEqual(sent - 1);

  // the wrapper is unharmed: it still forwards signals and exits with the child's status
  ws.close();
  t.proc.kill("SIGTERM");
  expect(await t.exited).toBe(143);
});
