/** Text of a screen-view SSE event (`screen` or `rows`) as lines not seen before, like peerbench's /buffers client. */
export function newScreenLines(event: string, data: string, seen: Set<string>): string {
  const m = JSON.parse(data) as { lines?: { t: string }[][]; rows?: [number, { t: string }[]][] };
  const rows = event === "screen" ? (m.lines ?? []) : (m.rows ?? []).map((r) => r[1]);
  let fresh = "";
  for (const row of rows) {
    const t = row
      .map((r) => r.t)
      .join("")
      .replace(/\s+$/, "");
    if (t && !seen.has(t)) {
      seen.add(t);
      fresh += t + "\n";
    }
  }
  if (seen.size > 200_000) seen.clear();
  return fresh;
}
