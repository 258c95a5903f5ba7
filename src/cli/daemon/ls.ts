/** `claude-remote ls`: this machine's running sessions: background ones (attachable) and wrapped terminals (from their live markers). */
import { markerFiles, readMarker } from "../live-marker.ts";
import { processState } from "../process-check.ts";
import { runningHosts } from "./hosts.ts";

export async function lsCommand(): Promise<number> {
  const hosts = await runningHosts();
  const rows: string[][] = hosts.map((h) => [
    h.sessionId,
    "background",
    h.name,
    h.cwd,
    `pid ${h.childPid ?? h.pid}`,
    h.attached ? `${h.attached} attached` : "",
  ]);
  const known = new Set(hosts.map((h) => h.sessionId));
  for (const file of markerFiles()) {
    const m = readMarker(file);
    if (!m.ok || known.has(m.value.sessionId)) continue;
    if (processState(m.value) !== "alive") continue;
    rows.push([m.value.sessionId, "terminal", "-", "-", `pid ${m.value.pid}`, ""]);
  }
  if (rows.length === 0) {
    console.log("no sessions run on this machine");
    return 0;
  }
  const header = ["SESSION", "KIND", "NAME", "FOLDER", "PROCESS", ""];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  for (const r of all)
    console.log(
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join("  ")
        .trimEnd(),
    );
  return 0;
}
