/** Structured JSON logs, one object per line on stderr. */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type Level = keyof typeof LEVELS;

export class Logger {
  constructor(
    private level: Level = "info",
    private sink: (line: string) => void = (l) => process.stderr.write(l + "\n"),
  ) {}

  private write(level: Level, msg: string, fields?: Record<string, unknown>): void {
    if (LEVELS[level] < LEVELS[this.level]) return;
    this.sink(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
  }
  debug(msg: string, f?: Record<string, unknown>) {
    this.write("debug", msg, f);
  }
  info(msg: string, f?: Record<string, unknown>) {
    this.write("info", msg, f);
  }
  warn(msg: string, f?: Record<string, unknown>) {
    this.write("warn", msg, f);
  }
  error(msg: string, f?: Record<string, unknown>) {
    this.write("error", msg, f);
  }
}
