/** The transcript reader on real files (fast unit tests; the end-to-end proof is broken-transcript.test.ts). */
import { expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { entryOf } from "../../src/agents/claude/transcript-entry.ts";
import { FileTail, MAX_LINE } from "../../src/agents/claude/transcript-tail.ts";
import { type FeedLink, TranscriptFeed } from "../../src/cli/transcript-feed.ts";
import type { ClientFrame } from "../../src/protocol/frames.ts";

const dir = () => mkdtempSync(join(tmpdir(), "cr-tail-"));

test("only what was appended since the last read; a line cut in the middle waits for its end", () => {
  const f = join(dir(), "t.jsonl");
  writeFileSync(f, '{"a":1}\n{"b":');
  const t = new FileTail(f, "t");
  expect(t.read()).toMatchObject({ lines: ['{"a":1}'], problems: [] });
  expect(t.read().lines).toEqual([]);
  appendFileSync(f, '2}\n{"c":3}\n');
  expect(t.read().lines).toEqual(['{"b":2}', '{"c":3}']);
});

test("truncated or replaced: said, and read again from the start", () => {
  const f = join(dir(), "t.jsonl");
  writeFileSync(f, '{"a":1}\n{"b":2}\n');
  const t = new FileTail(f, "t");
  t.read();
  truncateSync(f, 4);
  appendFileSync(f, "\n");
  const r = t.read();
  expect(r.problems.join()).toContain("truncated");
  expect(r.lines).toEqual(['{"a"']);
  writeFileSync(`${f}.new`, '{"z":9}\n'.repeat(10));
  renameSync(`${f}.new`, f);
  const r2 = t.read();
  expect(r2.problems.join()).toContain("replaced");
  expect(r2.lines).toHaveLength(10);
});

test("a huge line is skipped, not buffered; reads are bounded; deletion is reported", () => {
  const f = join(dir(), "t.jsonl");
  writeFileSync(f, `${"x".repeat(MAX_LINE + 10)}\n{"after":1}\n`);
  const t = new FileTail(f, "t");
  const problems: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < 10; i++) {
    const r = t.read(1024 * 1024);
    problems.push(...r.problems);
    lines.push(...r.lines);
  }
  expect(problems.join()).toContain("over 4 MiB was skipped");
  expect(lines).toEqual(['{"after":1}']);
  rmSync(f);
  expect(t.read().problems.join()).toContain("deleted");
});

test("a missing file is reported only once it stays missing", () => {
  const t = new FileTail(join(dir(), "none.jsonl"), "t");
  const problems = Array.from({ length: 25 }, () => t.read().problems).flat();
  expect(problems).toHaveLength(1);
  expect(problems[0]).toContain("missing");
});

test("entries: unknown shapes are dropped, an Edit's change is counted", () => {
  expect(entryOf(null)).toBeNull();
  expect(entryOf({ type: "assistant", uuid: "u", message: "nope" })).toBeNull();
  expect(entryOf({ type: "attachment", uuid: "u" })).toBeNull();
  const e = entryOf({
    type: "user",
    uuid: "u1",
    timestamp: "2026-01-01T00:00:00Z",
    message: { content: [{ type: "tool_result", tool_use_id: "t1", content: "ok" }] },
    toolUseResult: { filePath: "a.txt", structuredPatch: [{ oldStart: 1, newStart: 1, lines: ["-one", "+uno", "+dos", " two"] }] },
  });
  expect(e).toMatchObject({ kind: "tool_result", linesAdded: 2, linesRemoved: 1 });
});

test("the feed resends unacked frames after a reconnect, forgets acked ones, and stays bounded", () => {
  const f = join(dir(), "s.jsonl");
  const line = (i: number) =>
    JSON.stringify({
      type: "user",
      uuid: `u${i}`,
      timestamp: "2026-01-01T00:00:00Z",
      message: { content: `prompt ${i} ${"p".repeat(2000)}` },
    });
  writeFileSync(f, `${line(1)}\n`);
  const sent: ClientFrame[] = [];
  let ready = () => {};
  let ack = (_: number) => {};
  const link: FeedLink = {
    connected: true,
    sendControl: (fr) => sent.push(fr),
    onReadyAgain: (fn) => (ready = fn),
    onTranscriptAck: (fn) => (ack = fn),
    hold: () => {},
  };
  const feed = new TranscriptFeed("session-1234", { pollMs: 1e9, maxUnackedBytes: 8 * 1024 });
  feed.attach(link);
  feed.watch(f);
  feed.poll();
  expect(sent).toHaveLength(1);
  ready();
  expect(sent).toHaveLength(2); // resent
  ack(1);
  ready();
  expect(sent).toHaveLength(2); // acked: not again
  for (let i = 2; i < 12; i++) appendFileSync(f, `${line(i)}\n`), feed.poll();
  expect(feed.pending).toBeLessThan(10); // oldest unacked dropped past the bound
  appendFileSync(f, `${line(99)}\n`);
  feed.poll();
  const last = sent.at(-1) as Extract<ClientFrame, { type: "transcript" }>;
  expect(last.partial.join()).toContain("dropped while the server was unreachable");
  feed.stop();
});
