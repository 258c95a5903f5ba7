/**
 * How many long-lived connections (event streams, WebSockets) each client holds. One client IP
 * cannot take every file descriptor of the server; the table holds only keys with an open
 * connection, so it is bounded by the connections themselves.
 */
export class ConnectionSlots {
  private held = new Map<string, number>();
  refused = 0;

  constructor(private maxPerKey: number) {}

  /** A release function (safe to call twice), or null when `key` already holds its maximum. */
  take(key: string): (() => void) | null {
    const n = this.held.get(key) ?? 0;
    if (n >= this.maxPerKey) {
      this.refused++;
      return null;
    }
    this.held.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(key) ?? 1) - 1;
      if (left > 0) this.held.set(key, left);
      else this.held.delete(key);
    };
  }

  count(key: string): number {
    return this.held.get(key) ?? 0;
  }

  get total(): number {
    let n = 0;
    for (const v of this.held.values()) n += v;
    return n;
  }
}
