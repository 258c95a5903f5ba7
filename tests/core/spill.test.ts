/**
 * The wrapper's disk spill on its own: what the ring evicts goes to private segment files and
 * reads back with the same seqs and bytes; acks remove the files; one bound covers every
 * session's files in the directory; a failed write becomes a recorded loss, never a silent one.
 */
import { expect, test } from "bun:test";
import { rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ring } from "../../src/cli/ring.ts";
import { Spill, spillBytes, spillFiles } from "../../src/cli/spill.ts";
import { tempDir } from "../support/server.ts";

/** Every entry after `afterSeq`, reading back from disk as the link does. */
async function readAll(spill: Spill, afterSeq = 0): Promise<{ seq: number; data: Buffer }[]> {
  const out: { seq: number; data: Buffer }[] = [];
  for (let at = afterSeq; ; ) {
    const e = spill.next(at);
    if (e === null) return out;
    if (e === "load") {
      await spill.load(at);
      continue;
    }
    out.push({ seq: e.seq, data: Buffer.concat(e.parts) });
    at = e.seq;
  }
}

/** A ring whose every push is its own seq (as when each chunk is sent at once), spilling into `spill`. */
function ringInto(spill: Spill, capacity: number): Ring {
  const r = new Ring(capacity);
  r.overflow = (e) => spill.take(e);
  spill.onLost = (seq, bytes) => r.drop(seq, bytes);
  return r;
}

function pushSent(r: Ring, data: Uint8Array): void {
  r.push(data);
  for (const e of r.after(r.lastSeq - 1)) e.sent = true;
}

const chunk = (i: number, n = 1000) => new Uint8Array(n).fill(i % 251);

test("evicted entries go to 0600 segment files and read back in order with their seqs and bytes; acks remove the files", async () => {
  const dir = join(tempDir("cr-spill-"), "spool");
  const spill = Spill.open({ dir, sessionId: "sess-aaaaaaaa", maxBytes: 1 << 30 });
  const ring = ringInto(spill, 64 * 1024);
  for (let i = 1; i <= 20_000; i++) {
    pushSent(ring, chunk(i)); // 20 MB through a 64 KiB ring, in slices the queue holds
    if (i % 2000 === 0) await spill.settle();
  }
  await spill.settle();
  expect(ring.droppedBytes).toBe(0);
  const files = spillFiles(dir);
  expect(files.length).toBeGreaterThan(3); // segments of ~4 MiB
  for (const f of files) expect(statSync(f).mode & 0o777).toBe(0o600);
  const back = await readAll(spill);
  expect(back.length + ring.pending).toBe(20_000);
  back.forEach((e, i) => {
    expect(e.seq).toBe(i + 1);
    expect(e.data.equals(Buffer.from(chunk(i + 1)))).toBe(true);
  });
  expect(ring.first()!.seq).toBe(back.length + 1);

  // a deliverer's spill over the same files sees the same entries
  const again = Spill.open({ dir, sessionId: "sess-aaaaaaaa", maxBytes: 0 });
  expect((await readAll(again, 5000)).map((e) => e.seq)).toEqual(back.slice(5000).map((e) => e.seq));

  spill.ack(10_000);
  await spill.settle();
  expect(spillFiles(dir).length).toBeLessThan(files.length);
  expect((await readAll(spill))[0].seq).toBe(10_001);
  spill.ack(20_000);
  await spill.settle();
  expect(spillFiles(dir)).toEqual([]);
});

test("one bound for every session's spill files: past it the ring drops (a gap), exactly what did not fit", async () => {
  const dir = join(tempDir("cr-spill-"), "spool");
  const other = Spill.open({ dir, sessionId: "sess-bbbbbbbb", maxBytes: 1 << 30 });
  const r1 = ringInto(other, 16 * 1024);
  for (let i = 1; i <= 3000; i++) pushSent(r1, chunk(i)); // ~3 MB of another session's spill
  await other.settle();
  const otherBytes = spillFiles(dir).reduce((n, f) => n + statSync(f).size, 0);

  const bound = otherBytes + 2 * 1024 * 1024;
  const spill = Spill.open({ dir, sessionId: "sess-cccccccc", maxBytes: bound });
  const ring = ringInto(spill, 16 * 1024);
  for (let i = 1; i <= 5000; i++) pushSent(ring, chunk(i));
  await spill.settle();
  const total = spillFiles(dir).reduce((n, f) => n + statSync(f).size, 0);
  expect(total).toBeLessThanOrEqual(bound);
  const back = await readAll(spill);
  expect(back.length).toBeGreaterThan(1000);
  expect(ring.droppedBytes).toBeGreaterThan(0);
  // spilled, then dropped, then the ring: nothing both kept and dropped, nothing neither
  const first = ring.first()!.seq;
  const dropped = ring.droppedIn(1, first - 1);
  expect(back.length * 1000 + dropped + ring.bytes).toBe(5000 * 1000);
  expect(ring.droppedIn(1, back.length)).toBe(0);
  expect(ring.droppedIn(back.length + 1, first - 1)).toBe((first - 1 - back.length) * 1000);
});

test("a write that fails loses what was queued, recorded as dropped, and the spill takes no more", async () => {
  const dir = join(tempDir("cr-spill-"), "spool");
  writeFileSync(dir, "not a directory"); // no segment can be created (as root too)
  const spill = Spill.open({ dir, sessionId: "sess-dddddddd", maxBytes: 1 << 30 });
  const ring = ringInto(spill, 16 * 1024);
  for (let i = 1; i <= 100; i++) pushSent(ring, chunk(i));
  await spill.settle();
  expect(spill.failure).not.toBeNull();
  expect(spill.next(0)).toBeNull();
  const first = ring.first()!.seq;
  expect(ring.droppedIn(1, first - 1)).toBe((first - 1) * 1000);
  pushSent(ring, chunk(101));
  expect(ring.droppedIn(1, ring.first()!.seq - 1)).toBe((ring.first()!.seq - 1) * 1000); // refused at once now
});

test("a segment that cannot be read back is lost as a recorded gap; the entries after it still go", async () => {
  const dir = join(tempDir("cr-spill-"), "spool");
  const spill = Spill.open({ dir, sessionId: "sess-eeeeeeee", maxBytes: 1 << 30 });
  const ring = ringInto(spill, 16 * 1024);
  for (let i = 1; i <= 10_000; i++) {
    pushSent(ring, chunk(i));
    if (i % 1000 === 0) await spill.settle();
  }
  await spill.settle();
  const [gone, ...rest] = spillFiles(dir).sort();
  expect(rest.length).toBeGreaterThan(0);
  rmSync(gone);
  const back = await readAll(spill);
  const lostSeqs = back[0].seq - 1;
  expect(lostSeqs).toBeGreaterThan(0);
  expect(ring.droppedIn(1, lostSeqs)).toBe(lostSeqs * 1000);
  back.forEach((e, i) => expect(e.seq).toBe(lostSeqs + 1 + i));
});

test("CLAUDE_REMOTE_SPILL_BYTES: a byte count, 0 turns the spill off, anything else is the default", () => {
  expect(spillBytes({ CLAUDE_REMOTE_SPILL_BYTES: "1048576" })).toBe(1048576);
  expect(spillBytes({ CLAUDE_REMOTE_SPILL_BYTES: "0" })).toBe(0);
  expect(spillBytes({})).toBe(256 * 1024 * 1024);
  expect(spillBytes({ CLAUDE_REMOTE_SPILL_BYTES: "lots" })).toBe(256 * 1024 * 1024);
});
