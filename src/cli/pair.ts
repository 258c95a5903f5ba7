/** `claude-remote pair <server-url> <code>`: trades a one-time code for device credentials. */
import { hostname } from "node:os";
import { PairResponse } from "../protocol/api.ts";
import { parseWith } from "../protocol/common.ts";
import { writeDeviceConfig } from "./config.ts";

export async function pair(serverUrl: string, code: string, name = hostname()): Promise<number> {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    console.error(`claude-remote: not a URL: ${serverUrl}`);
    return 2;
  }
  const base = url.origin + url.pathname.replace(/\/$/, "");
  let res: Response;
  try {
    res = await fetch(`${base}/api/pair`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code, name, host: hostname() }),
    });
  } catch (e) {
    console.error(`claude-remote: cannot reach ${base}: ${(e as Error).message}`);
    return 1;
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    console.error(`claude-remote: pairing refused (${res.status}): ${body?.detail ?? body?.error ?? res.statusText}`);
    return 1;
  }
  const parsed = parseWith(PairResponse, body);
  if (!parsed.ok) {
    console.error(`claude-remote: unexpected answer from server: ${parsed.error}`);
    return 1;
  }
  const path = writeDeviceConfig({ server: base, deviceId: parsed.value.deviceId, secret: parsed.value.secret });
  console.log(`Paired as ${parsed.value.deviceId}. Credentials saved to ${path}.`);
  return 0;
}
