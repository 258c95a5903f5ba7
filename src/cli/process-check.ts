/**
 * Whether the process that wrote a live marker still runs. A pid alone cannot say: pids are reused.
 * - Linux: a marker from before the last boot (`/proc/sys/kernel/random/boot_id` differs) names a
 *   dead process; otherwise `/proc/<pid>/stat` gives the process's start time (clock ticks since
 *   boot); the marker records the wrapper's own, and it is compared exactly.
 * - Elsewhere (macOS): `ps -o stat=,lstart=` gives the start time to the second; the process holding
 *   the pid now is the wrapper only if it started before the marker was written (another process
 *   can only get the pid after the wrapper is gone). A process reusing the pid within the same
 *   second as the marker was written is taken for the wrapper.
 * A zombie is gone. When nothing can be read, the process counts as alive: a session is never
 * reported lost on a guess.
 */
import { readFileSync } from "node:fs";

/** What a marker records of the process that wrote it. */
export type ProcessStamp = { pid: number; procStart: string | null; bootId: string | null; writtenAt: number };
export type ProcessState = "alive" | "gone" | "reused";

export function ownStamp(): ProcessStamp {
  return { pid: process.pid, procStart: procStat(process.pid)?.start ?? null, bootId: bootId(), writtenAt: Date.now() };
}

export function processState(s: ProcessStamp): ProcessState {
  const boot = bootId();
  if ((s.bootId && boot && s.bootId !== boot) || !pidExists(s.pid)) return "gone";
  const proc = s.procStart === null ? null : procStat(s.pid);
  if (proc) return proc.state === "Z" ? "gone" : proc.start === s.procStart ? "alive" : "reused";
  const ps = psStat(s.pid);
  if (!ps) return "alive";
  return ps.state.startsWith("Z") ? "gone" : ps.startedAt > s.writtenAt ? "reused" : "alive";
}

/** Some process has this pid (EPERM: one of another user). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** This boot's id (Linux); null elsewhere. */
function bootId(): string | null {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || null;
  } catch {
    return null;
  }
}

/** State and start time (field 22) from `/proc/<pid>/stat`; null where there is no such file. */
export function procStat(pid: number): { state: string; start: string } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so fields count from the last ')'
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const start = fields[19];
  return fields[0] && start && /^\d+$/.test(start) ? { state: fields[0], start } : null;
}

/** State and start time (ms, to the second) from ps; null if ps cannot say. */
function psStat(pid: number): { state: string; startedAt: number } | null {
  try {
    const r = Bun.spawnSync(["ps", "-o", "stat=,lstart=", "-p", String(pid)], { env: { ...process.env, LC_ALL: "C" }, stderr: "ignore" });
    const m =
      r.exitCode === 0
        ? r.stdout
            .toString()
            .trim()
            .match(/^(\S+)\s+(.+)$/)
        : null;
    const startedAt = m ? Date.parse(m[2]!) : NaN;
    return m && Number.isFinite(startedAt) ? { state: m[1]!, startedAt } : null;
  } catch {
    return null; // no ps
  }
}
