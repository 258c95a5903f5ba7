/** Helpers shared by the security tests: logging in like a browser, raw device sockets that record what they sent. */
import { PAGE_KEY_HEADER } from "../../src/protocol/api.ts";
import { PROTOCOL_VERSION } from "../../src/protocol/frames.ts";
import { deviceKey, signHandshake } from "../../src/protocol/handshake.ts";
import type { TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

/**
 * POST /api/login like the dashboard does; returns the `name=value` pair of the session cookie, the
 * Set-Cookie line, the page key and `auth`: the headers a page sends (cookie + page key).
 */
export async function login(
  server: { url: string; token: string },
  headers: Record<string, string> = {},
): Promise<{ cookie: string; setCookie: string; pageKey: string; auth: Record<string, string> }> {
  const res = await fetch(`${server.url}/api/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify({ token: server.token }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get("set-cookie") ?? "";
  const { pageKey } = (await res.json()) as { pageKey: string };
  const cookie = setCookie.split(";")[0];
  return { cookie, setCookie, pageKey, auth: { Cookie: cookie, [PAGE_KEY_HEADER]: pageKey } };
}

export type RawSocket = {
  ws: WebSocket;
  received: any[];
  sent: string[];
  closed: Promise<{ code: number; reason: string }>;
  opened: Promise<boolean>;
  send(data: string | Uint8Array): void;
  waitFor(type: string): Promise<any>;
};

/** A device WebSocket that records every text frame both ways; `answer` decides how to reply to the challenge. */
export function rawSocket(
  url: string,
  answer?: (challenge: { nonce: string; ts: number }) => string | null,
  headers: Record<string, string> = {},
): RawSocket {
  const ws = new WebSocket(url.replace(/^http/, "ws") + "/ws", { headers } as never);
  ws.binaryType = "arraybuffer";
  const received: any[] = [];
  const sent: string[] = [];
  const closed = new Promise<{ code: number; reason: string }>((r) =>
    ws.addEventListener("close", (e) => r({ code: e.code, reason: e.reason })),
  );
  const opened = new Promise<boolean>((r) => {
    ws.addEventListener("open", () => r(true));
    ws.addEventListener("close", () => r(false));
  });
  const send = (d: string | Uint8Array) => {
    if (typeof d === "string") sent.push(d);
    ws.send(d);
  };
  ws.addEventListener("message", (e) => {
    if (typeof e.data !== "string") return;
    const f = JSON.parse(e.data);
    received.push(f);
    if (f.type === "challenge" && answer) {
      const reply = answer(f);
      if (reply !== null) send(reply);
    }
  });
  return {
    ws,
    received,
    sent,
    closed,
    opened,
    send,
    waitFor: (type) => waitFor(() => received.find((f) => f.type === type), { what: `frame ${type}`, timeoutMs: 10_000 }),
  };
}

/** The hello a real device sends for a challenge (optionally signed for another time). */
export function helloFor(creds: { deviceId: string; secret: string }, nonce: string, ts = Date.now()): string {
  const sig = signHandshake(deviceKey(creds.secret), creds.deviceId, nonce, ts);
  return JSON.stringify({ type: "hello", v: PROTOCOL_VERSION, deviceId: creds.deviceId, nonce, ts, sig, host: "test-host" });
}

export async function auditActions(
  server: TestServer,
): Promise<
  { action: string; actor: string; target: string | null; ip: string | null; userAgent: string | null; ts: number; detail: any }[]
> {
  return (await (await server.api("/api/audit?limit=1000")).json()) as never;
}

/** Route path with its `:params` filled in with ids that exist nowhere. */
export function fillPath(path: string): string {
  return path.replace(/:([a-zA-Z]+)/g, (_, k: string) => `no-such-${k}-0000`);
}
