/** The background sessions running on this machine: each `run/<id>.sock` that answers. */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { HostSessionInfo } from "../../protocol/host.ts";
import { hostInfo } from "./host-client.ts";
import { runDir } from "./paths.ts";

export async function runningHosts(dir = runDir()): Promise<HostSessionInfo[]> {
  if (!existsSync(dir)) return [];
  const socks = readdirSync(dir).filter((f) => f.endsWith(".sock"));
  const infos = await Promise.all(
    socks.map(async (f) => {
      const info = await hostInfo(join(dir, f));
      if (info === "dead") rmSync(join(dir, f), { force: true }); // its host died without removing it
      return info === "dead" ? null : info;
    }),
  );
  return infos.filter((i): i is HostSessionInfo => i !== null).sort((a, b) => a.startedAt - b.startedAt);
}
