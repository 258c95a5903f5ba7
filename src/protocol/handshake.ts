/** The device handshake, shared by both ends of `/ws`. */
import { createHash, createHmac } from "node:crypto";
import { type Hello, PROTOCOL_VERSION } from "./frames.ts";

/** The string a device signs to answer a challenge: bound to this device, this nonce, this time. */
export function handshakeMessage(deviceId: string, nonce: string, ts: number): string {
  return `claude-remote/ws/v${PROTOCOL_VERSION}\n${deviceId}\n${nonce}\n${ts}`;
}

/** The HMAC key a device derives from its secret; the server keeps only this key, wrapped. */
export function deviceKey(secret: string): Buffer {
  return createHash("sha256").update(`claude-remote/device-key/v1:${secret}`).digest();
}

export function signHandshake(key: Uint8Array, deviceId: string, nonce: string, ts: number): string {
  return createHmac("sha256", key)
    .update(handshakeMessage(deviceId, nonce, ts))
    .digest("hex");
}

/** A device's answer to the server's challenge. */
export function helloFrame(creds: { deviceId: string; secret: string }, nonce: string, host?: string): Hello {
  const ts = Date.now();
  return {
    type: "hello",
    v: PROTOCOL_VERSION,
    deviceId: creds.deviceId,
    nonce,
    ts,
    sig: signHandshake(deviceKey(creds.secret), creds.deviceId, nonce, ts),
    host,
  };
}

/** The device WebSocket's URL on a server. */
export function deviceSocketUrl(serverUrl: string): string {
  return serverUrl.replace(/^http/, "ws").replace(/\/$/, "") + "/ws";
}
