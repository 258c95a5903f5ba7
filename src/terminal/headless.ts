import { Terminal } from '@xterm/headless';

export interface ScreenSnapshot {
  cols: number;
  rows: number;
  cursor: { x: number; y: number };
  lines: string[];
}

/** A headless terminal screen that the agent's output is replayed into, for reading only. */
export class HeadlessScreen {
  private readonly term: Terminal;

  constructor(cols: number, rows: number, opts: { scrollback?: number } = {}) {
    this.term = new Terminal({
      cols,
      rows,
      scrollback: opts.scrollback ?? 1000,
      allowProposedApi: true,
    });
    // Replies to queries (DA, DSR…) arrive on term.onData; deliberately not forwarded anywhere:
    // terminal output is hostile input and must not be able to type into the agent.
  }

  get cols(): number {
    return this.term.cols;
  }

  get rows(): number {
    return this.term.rows;
  }

  write(data: Uint8Array | string): void {
    this.term.write(data);
  }

  /** Resolves once everything written so far has been parsed (writes are processed in order). */
  flush(): Promise<void> {
    return new Promise((resolve) => this.term.write('', resolve));
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
  }

  isAlternate(): boolean {
    return this.term.buffer.active.type === 'alternate';
  }

  /** The `rows` rows at the bottom of the active buffer, right-trimmed. */
  lines(): string[] {
    const buffer = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) {
      const text = buffer.getLine(buffer.baseY + y)?.translateToString(true) ?? '';
      // translateToString(true) keeps spaces that were written explicitly (e.g. padding).
      out.push(text.replace(/ +$/, ''));
    }
    return out;
  }

  snapshot(): ScreenSnapshot {
    const buffer = this.term.buffer.active;
    return {
      cols: this.cols,
      rows: this.rows,
      cursor: { x: buffer.cursorX, y: buffer.cursorY },
      lines: this.lines(),
    };
  }

  dispose(): void {
    this.term.dispose();
  }
}
