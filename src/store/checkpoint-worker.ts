/**
 * Runs in a Worker: checkpoints the WAL on a connection of its own, so the server's thread never
 * pays for it. SQLite's automatic checkpoint runs inside whichever commit crosses the threshold
 * (every ~300 small commits here) and fsyncs the database file there: 4–7 ms on one output
 * commit in ~300, which was most of the print→viewer p99 (docs/PERFORMANCE.md §2).
 */
import { Database } from "bun:sqlite";
import { closeSync, fsyncSync, openSync, statSync } from "node:fs";

declare const self: Worker;

type Start = { type: "start"; path: string; everyMs: number };
type Now = { type: "now"; id: number };
type Stop = { type: "stop" };
type Sync = { type: "sync"; id: number };

let db: Database | null = null;
let walPath = "";
let wal: { fd: number; ino: number } | null = null;
let timer: ReturnType<typeof setInterval> | null = null;

function run(id?: number): void {
  if (!db) {
    if (id !== undefined) postMessage({ type: "error", id, message: "no database open" });
    return;
  }
  try {
    // PASSIVE: never waits for the server's readers or writer; what it cannot copy now waits for the next run
    const r = db.query("PRAGMA wal_checkpoint(PASSIVE)").get() as { busy: number; log: number; checkpointed: number };
    if (id !== undefined || r.log > 0) postMessage({ type: "done", id, busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (e) {
    postMessage({ type: "error", id, message: (e as Error).message });
  }
}

/**
 * Puts what is committed on disk: fsync of the WAL file. With synchronous=NORMAL a commit is safe
 * from a killed process but not from a power cut; the server acks output only after this, so the
 * wrapper never forgets output a power cut could still take (durable-acks.ts). Without a WAL file
 * every commit is already in the database file, which each checkpoint fsyncs.
 */
function syncWal(id: number): void {
  try {
    const st = statSync(walPath, { throwIfNoEntry: false });
    if (st) {
      if (!wal || wal.ino !== st.ino) {
        if (wal) closeSync(wal.fd);
        wal = { fd: openSync(walPath, "r"), ino: st.ino };
      }
      fsyncSync(wal.fd);
    }
    postMessage({ type: "synced", id });
  } catch (e) {
    postMessage({ type: "error", id, message: (e as Error).message });
  }
}

self.onmessage = (e: MessageEvent<Start | Now | Stop | Sync>) => {
  const m = e.data;
  if (m.type === "sync") return syncWal(m.id);
  if (m.type === "start") {
    walPath = `${m.path}-wal`;
    try {
      db = new Database(m.path);
      db.exec("PRAGMA busy_timeout = 1000");
      db.exec("PRAGMA wal_autocheckpoint = 0");
    } catch (err) {
      postMessage({ type: "error", message: (err as Error).message });
      return;
    }
    timer = setInterval(() => run(), m.everyMs);
  } else if (m.type === "now") run(m.id);
  else if (m.type === "stop") {
    if (timer) clearInterval(timer);
    db?.close();
    db = null;
    if (wal) closeSync(wal.fd);
    wal = null;
    postMessage({ type: "stopped" });
  }
};
