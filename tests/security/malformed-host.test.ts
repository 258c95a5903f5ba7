/**
 * Requests Bun cannot turn into a URL (issue 17, finding 4): a malformed Host header made
 * `new URL(req.url)` throw in the handler and again in its catch, and Bun's development mode then
 * answered with its error page (50 KB: the working directory, a stack, lines of app.ts). Sent over
 * a raw TCP socket, since fetch would refuse to send such a Host.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { REPO, type TestServer, startTestServer } from "../support/server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** Sends `head` as is and returns everything the server wrote before closing. */
async function raw(head: string): Promise<string> {
  let out = "";
  let done!: () => void;
  const closed = new Promise<void>((r) => (done = r));
  const sock = await Bun.connect({
    hostname: "127.0.0.1",
    port: Number(new URL(server.url).port),
    socket: { data: (_s, d) => void (out += Buffer.from(d).toString("latin1")), close: () => done(), error: () => done() },
  });
  sock.write(head);
  await closed;
  return out;
}

const HOSTS = ["", "[", "[::1", "a b", "%%", "x:99999", "\u00ff\u00fe", "<script>", "h\u0000st", "[::1]:80:80", "a".repeat(4000)];

test("a malformed Host gets a short plain error, never a page with paths or source", async () => {
  const answers: { host: string; status: string; bytes: number }[] = [];
  for (const host of HOSTS) {
    for (const path of ["/api/sessions", "/", "/ws/viewer?session=x", "/events"]) {
      const res = await raw(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      const [head, body = ""] = res.split("\r\n\r\n");
      answers.push({ host: host.slice(0, 20), status: head.split("\r\n")[0] ?? "", bytes: body.length });
      expect(res).not.toContain(REPO);
      expect(res).not.toContain("app.ts");
      expect(res.toLowerCase()).not.toContain("<html");
      expect(res).not.toMatch(/\bat \S+ \(/); // no stack frames
      expect(body.length).toBeLessThan(200);
    }
  }
  // Each got an answer, and a 4xx one (Bun itself may refuse some before the handler runs).
  for (const a of answers) expect({ ...a, ok: /^HTTP\/1\.1 4\d\d /.test(a.status) }).toMatchObject({ ok: true });
  const ours = await raw("GET /api/sessions HTTP/1.1\r\nHost: [\r\nConnection: close\r\n\r\n");
  expect(ours).toContain("400 Bad Request");
  expect(ours).toContain('"error":"bad_request"');
  // The server goes on serving.
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
});
