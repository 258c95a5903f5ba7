import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { HeadlessScreen } from "../../src/terminal/headless.ts";
import { detectDialog, dialogKeys, sameDialog } from "../../src/agents/screen-dialogs.ts";
import type { ScreenDialog } from "../../src/protocol/dialog.ts";

const FIXTURES = path.resolve(import.meta.dir, "../../../shared/fixtures");

interface PromptMeta {
  prompt: {
    title: string | null;
    header?: string[];
    body: string[];
    notice?: string[];
    question: string;
    options: { key: string; label: string }[];
    footer?: string;
  };
  selectedOption: string;
  dialogRows: { first: number; last: number };
  promptVisibleAtByte: number;
  promptGoneAtByte: number;
  firstCompleteAtByte: number;
  firstIncompleteAtByte: number;
  screenFile: string;
}

interface Fixture {
  name: string;
  dir: string;
  meta: { agent: string; cols: number; rows: number; prompts: PromptMeta[] };
  raw: Uint8Array;
  /** Ends of the recorded output chunks, in order. */
  chunkEnds: number[];
}

function loadFixtures(): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const agentDir of readdirSync(FIXTURES, { withFileTypes: true })) {
    if (!agentDir.isDirectory()) continue;
    const dir = path.join(FIXTURES, agentDir.name);
    for (const file of readdirSync(dir)
      .filter((f) => /^\d+-[\w-]+\.json$/.test(f))
      .sort()) {
      const stem = file.slice(0, -".json".length);
      const read = (ext: string) => readFileSync(path.join(dir, stem + ext));
      const chunks = JSON.parse(read(".chunks.json").toString()).chunks as [number, number, number][];
      fixtures.push({
        name: `${agentDir.name}/${stem}`,
        dir,
        meta: JSON.parse(read(".json").toString()),
        raw: new Uint8Array(read(".raw")),
        chunkEnds: chunks.map(([, offset, length]) => offset + length),
      });
    }
  }
  return fixtures;
}

function newScreen(fx: Fixture): HeadlessScreen {
  return new HeadlessScreen(fx.meta.cols, fx.meta.rows, { scrollback: 5000 });
}

/** Feeds the recording chunk by chunk, calling `visit` after each chunk has been parsed. */
async function replayChunks(fx: Fixture, upTo: number, visit: (end: number, screen: HeadlessScreen) => void) {
  const screen = newScreen(fx);
  let start = 0;
  for (const end of fx.chunkEnds) {
    if (end > upTo) break;
    screen.write(fx.raw.subarray(start, end));
    await screen.flush();
    visit(end, screen);
    start = end;
  }
  return screen;
}

function expectedDialog(p: PromptMeta) {
  return {
    title: p.prompt.title,
    header: p.prompt.header ?? [],
    body: p.prompt.body,
    notice: p.prompt.notice,
    question: p.prompt.question,
    options: p.prompt.options,
    footer: p.prompt.footer,
    selected: p.selectedOption,
  };
}

function comparable(d: ScreenDialog | null) {
  if (!d) return null;
  const { title, header, body, notice, question, options, footer, selected } = d;
  return { title, header, body, notice, question, options, footer, selected };
}

function trimTrailingBlankRows(rows: string[]): string[] {
  const out = [...rows];
  while (out.length > 0 && out[out.length - 1]!.trim() === "") out.pop();
  return out;
}

function expectScreen(fx: Fixture, p: PromptMeta, screen: HeadlessScreen) {
  const file = readFileSync(path.join(fx.dir, p.screenFile), "utf8").split("\n");
  expect(trimTrailingBlankRows(screen.lines())).toEqual(trimTrailingBlankRows(file));
}

function expectPrompt(fx: Fixture, p: PromptMeta, screen: HeadlessScreen) {
  expectScreen(fx, p, screen);
  const dialog = detectDialog(screen.lines());
  expect(comparable(dialog)).toEqual(expectedDialog(p));
  expect(dialog!.agent).toBe(fx.meta.agent as ScreenDialog["agent"]);
  expect(dialog!.rows).toEqual({ first: p.dialogRows.first, last: p.dialogRows.last });
}

/** Chunk ends where no dialog may be detected: before the first one is complete, and after each is gone. */
function dialogFreeEnds(fx: Fixture): number[] {
  const prompts = fx.meta.prompts;
  return fx.chunkEnds.filter((end) => {
    if (end < prompts[0]!.firstCompleteAtByte) return true;
    return prompts.some((p, i) => end >= p.promptGoneAtByte && end < (prompts[i + 1]?.firstCompleteAtByte ?? Infinity));
  });
}

/** Offsets of every escape sequence start, plus the end: the analyzer's granularity. */
function escapeCuts(raw: Uint8Array): number[] {
  const cuts: number[] = [];
  raw.forEach((byte, i) => byte === 0x1b && cuts.push(i));
  return [...cuts, raw.length];
}

/** Feeds the recording up to each escape sequence in turn, calling `visit` after each. */
async function replayEscapes(fx: Fixture, visit: (cut: number, screen: HeadlessScreen) => void) {
  const screen = newScreen(fx);
  let start = 0;
  for (const cut of escapeCuts(fx.raw)) {
    screen.write(fx.raw.subarray(start, cut));
    await screen.flush();
    visit(cut, screen);
    start = cut;
  }
  screen.dispose();
}

/** Start of the recorded chunk holding byte `offset`: where the frame drawing it began. */
function chunkStart(fx: Fixture, offset: number): number {
  let start = 0;
  for (const end of fx.chunkEnds) {
    if (offset < end) return start;
    start = end;
  }
  return start;
}

const fixtures = loadFixtures();

describe("fixtures", () => {
  test("are all found", () => {
    expect(fixtures.length).toBe(10);
  });

  for (const fx of fixtures) {
    describe(fx.name, () => {
      fx.meta.prompts.forEach((p, i) => {
        test(`prompt ${i + 1}: fed all at once`, async () => {
          const screen = newScreen(fx);
          screen.write(fx.raw.subarray(0, p.promptVisibleAtByte));
          await screen.flush();
          expectPrompt(fx, p, screen);
          screen.dispose();
        });

        test(`prompt ${i + 1}: fed chunk by chunk`, async () => {
          const screen = await replayChunks(fx, p.promptVisibleAtByte, () => {});
          expectPrompt(fx, p, screen);
          screen.dispose();
        });
      });

      test("no dialog before the first is complete nor after each is gone", async () => {
        const free = new Set(dialogFreeEnds(fx));
        const fired: number[] = [];
        const screen = await replayChunks(fx, Infinity, (end, s) => {
          if (free.has(end) && detectDialog(s.lines()) !== null) fired.push(end);
        });
        expect(fired).toEqual([]);
        screen.dispose();
      });

      test("at every chunk end the dialog read is null or exactly one of the recorded ones", async () => {
        const expected = fx.meta.prompts.map((p) => JSON.stringify(expectedDialog(p)));
        const wrong: { end: number; dialog: unknown }[] = [];
        const screen = await replayChunks(fx, Infinity, (end, s) => {
          const dialog = comparable(detectDialog(s.lines()));
          if (dialog && !expected.includes(JSON.stringify(dialog))) wrong.push({ end, dialog });
        });
        expect(wrong).toEqual([]);
        screen.dispose();
      });

      test("at escape-sequence granularity: exact while complete, null outside the drawing frames", async () => {
        const prompts = fx.meta.prompts;
        const expected = prompts.map((p) => JSON.stringify(expectedDialog(p)));
        const problems: string[] = [];
        await replayEscapes(fx, (cut, s) => {
          const read = comparable(detectDialog(s.lines()));
          const k = prompts.findIndex((p) => cut >= p.firstCompleteAtByte && cut < p.firstIncompleteAtByte);
          if (k >= 0) {
            if (JSON.stringify(read) !== expected[k]) problems.push(`${cut}: not prompt ${k + 1}`);
            return;
          }
          // Inside the frame that draws a dialog (or erases it) the screen is a mix of old and
          // new rows: Claude writes word by word and shifts rows by overwriting them, so e.g.
          // `2. session (shift+tab)` (option 2's number over the old wrapped tail) is on
          // screen for a moment, with frame, question and footer all in place. Text alone
          // cannot tell that from a real dialog. Chunk ends (the test above) are exact; so a
          // consumer reads the screen when a chunk has been parsed, not in the middle of one.
          const inDrawingFrame = prompts.some((p) => cut >= chunkStart(fx, p.firstCompleteAtByte) && cut < p.promptGoneAtByte);
          if (read && !inDrawingFrame) problems.push(`${cut}: dialog outside any dialog frame`);
        });
        expect(problems).toEqual([]);
      });
    });
  }
});

async function screenOf(text: string, cols = 100, rows = 30): Promise<HeadlessScreen> {
  const screen = new HeadlessScreen(cols, rows);
  screen.write(text.replaceAll("\n", "\r\n"));
  await screen.flush();
  return screen;
}

describe("screens without a dialog", () => {
  const cases: Record<string, string> = {
    "an empty screen": "",
    "a shell prompt": "user@host:~/proj$ ls\nREADME.md  src  tests\nuser@host:~/proj$ ",
    "a Claude transcript with a numbered list and its input box": [
      "❯ which option should I pick?",
      "",
      "● Do you want to proceed? Here are the choices:",
      "",
      "  1. Yes",
      "  2. No",
      "",
      "─".repeat(100),
      "❯ 1. Yes",
      "─".repeat(100),
      "  ⏸ manual mode on",
    ].join("\n"),
    "a numbered list under a question in plain text": "Do you want to proceed?\n❯ 1. Yes\n  2. No\n",
    "a Codex transcript": [
      "› Would you like to run the following command?",
      "",
      "• Sure. Options:",
      "  1. Yes",
      "  2. No",
      "",
      "› 1. Yes",
    ].join("\n"),
    "a Gemini tool box without options": [
      "╭────────────────────────────────────────╮",
      "│ ✓  Shell echo hello > out.txt          │",
      "│                                        │",
      "│ Allow execution of [Shell]?            │",
      "╰────────────────────────────────────────╯",
    ].join("\n"),
  };
  for (const [name, text] of Object.entries(cases)) {
    test(name, async () => {
      const screen = await screenOf(text);
      expect(detectDialog(screen.lines())).toBeNull();
      screen.dispose();
    });
  }
});

describe("a Claude dialog", () => {
  const rule = "─".repeat(100);
  const dialog = [
    rule,
    " Bash command",
    " Run the tests",
    "╌".repeat(100),
    " bun test",
    "╌".repeat(100),
    "",
    " Do you want to proceed?",
    "   1. Yes",
    " ❯ 2. No",
    "",
    " Esc to cancel · Tab to amend",
  ];

  test("reads the selection wherever the marker is", async () => {
    const screen = await screenOf(dialog.join("\n"));
    const read = detectDialog(screen.lines())!;
    expect(read.selected).toBe("2");
    expect(read.options).toEqual([
      { key: "1", label: "Yes" },
      { key: "2", label: "No" },
    ]);
    expect(read.rows).toEqual({ first: 0, last: 11 });
    screen.dispose();
  });

  test("is not read while its footer is not drawn yet", async () => {
    const screen = await screenOf(dialog.slice(0, -1).join("\n"));
    expect(detectDialog(screen.lines())).toBeNull();
    screen.dispose();
  });

  test("is not read with its top cut off", async () => {
    const screen = await screenOf(dialog.slice(1).join("\n"));
    expect(detectDialog(screen.lines())).toBeNull();
    screen.dispose();
  });
});

describe("dialogKeys and sameDialog", () => {
  const base: ScreenDialog = {
    agent: "claude",
    title: "Bash command",
    header: [],
    body: ["echo hi"],
    question: "Do you want to proceed?",
    options: [
      { key: "1", label: "Yes" },
      { key: "2", label: "No" },
    ],
    selected: "1",
    rows: { first: 3, last: 9 },
  };

  test("a digit picks its option, esc cancels", () => {
    expect(dialogKeys(base, "1")).toBe("1");
    expect(dialogKeys(base, "2")).toBe("2");
    expect(dialogKeys(base, "esc")).toBe("\x1b");
    expect(() => dialogKeys(base, "3")).toThrow();
  });

  test("same dialog regardless of selection and position, not with other options or body", () => {
    expect(sameDialog(base, { ...base, selected: "2", rows: { first: 0, last: 6 } })).toBe(true);
    expect(sameDialog(base, { ...base, body: ["echo bye"] })).toBe(false);
    expect(sameDialog(base, { ...base, options: [{ key: "1", label: "Yes" }] })).toBe(false);
    expect(sameDialog(base, null)).toBe(false);
    expect(sameDialog(null, null)).toBe(true);
  });
});

describe("HeadlessScreen", () => {
  test("snapshot, alternate screen, resize", async () => {
    const screen = new HeadlessScreen(20, 5);
    screen.write("hello   \r\nworld");
    await screen.flush();
    expect(screen.snapshot()).toEqual({
      cols: 20,
      rows: 5,
      cursor: { x: 5, y: 1 },
      lines: ["hello", "world", "", "", ""],
    });
    expect(screen.isAlternate()).toBe(false);
    screen.write("\x1b[?1049h");
    await screen.flush();
    expect(screen.isAlternate()).toBe(true);
    expect(screen.lines()).toEqual(["", "", "", "", ""]);
    screen.resize(30, 3);
    expect([screen.cols, screen.rows]).toEqual([30, 3]);
    screen.dispose();
  });

  test("lines are the bottom rows once output scrolls", async () => {
    const screen = new HeadlessScreen(10, 3, { scrollback: 10 });
    screen.write(new TextEncoder().encode("1\r\n2\r\n3\r\n4\r\n5"));
    await screen.flush();
    expect(screen.lines()).toEqual(["3", "4", "5"]);
    screen.dispose();
  });

  test("answers to terminal queries go nowhere", async () => {
    const screen = new HeadlessScreen(10, 3);
    screen.write("\x1b[c\x1b[6n\x1b[>c");
    await screen.flush();
    expect(screen.lines()).toEqual(["", "", ""]);
    screen.dispose();
  });
});
