import { expect, test } from "bun:test";
import { Ring } from "../../src/cli/ring.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

test("unsent chunks merge; acks free them", () => {
  const r = new Ring(1024);
  r.push(bytes("ab"));
  r.push(bytes("cd"));
  expect(r.pending).toBe(1);
  expect(new TextDecoder().decode(Buffer.concat(r.first()!.parts))).toBe("abcd");
  r.first()!.sent = true;
  r.push(bytes("ef"));
  expect(r.lastSeq).toBe(2);
  r.ack(1);
  expect(r.bytes).toBe(2);
  expect([...r.after(0)].map((e) => e.seq)).toEqual([2]);
});

test("past capacity the oldest chunks are dropped and the dropped range is recorded, never silently", () => {
  const r = new Ring(10);
  for (let i = 0; i < 5; i++) {
    r.push(bytes("xxxx"));
    r.first()!.sent = true; // stop merging so each push is its own seq
    for (const e of r.after(0)) e.sent = true;
  }
  expect(r.bytes).toBeLessThanOrEqual(10);
  expect(r.droppedBytes).toBe(12);
  expect(r.first()!.seq).toBe(4);
  expect(r.droppedIn(1, 3)).toBe(12);
  r.ack(3);
  expect(r.droppedIn(1, 3)).toBe(0);
});

test("merging never lets one entry outgrow the bound", () => {
  const r = new Ring(64 * 1024);
  for (let i = 0; i < 100; i++) r.push(new Uint8Array(4096)); // unsent: merges
  expect(r.bytes).toBeLessThanOrEqual(64 * 1024);
  expect(r.droppedBytes).toBe(100 * 4096 - r.bytes);
});

test("after(seq) starts right after seq, across acks, evictions and compaction", () => {
  const r = new Ring(10_000);
  for (let i = 0; i < 3000; i++) {
    r.push(bytes(String(i).padStart(20, "-")));
    for (const e of r.after(r.lastSeq - 1)) e.sent = true; // each push its own seq
    if (i % 7 === 0) r.ack(r.lastSeq - 1000); // lags more than the ring holds: evictions too
  }
  expect(r.droppedBytes).toBeGreaterThan(0);
  const first = r.first()!.seq;
  expect([...r.after(0)].map((e) => e.seq)[0]).toBe(first);
  expect([...r.after(first + 10)].map((e) => e.seq)).toEqual(Array.from({ length: r.lastSeq - first - 10 }, (_, k) => first + 11 + k));
  expect([...r.after(r.lastSeq)]).toEqual([]);
});

test("a chunk far larger than the ring (a 1 MiB native PTY batch) is split, so eviction keeps the bound", () => {
  const r = new Ring(64 * 1024);
  const seq = r.push(new Uint8Array(1024 * 1024).fill(7));
  expect(seq).toBeGreaterThan(1);
  expect(r.bytes).toBeLessThanOrEqual(64 * 1024);
  expect(r.droppedBytes + r.bytes).toBe(1024 * 1024);
  expect([...r.after(0)].every((e) => e.bytes <= 16 * 1024)).toBe(true);
});
