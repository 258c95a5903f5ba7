/** Items in increasing `seq` order, appended at the end and dropped from the front (with compaction), found by binary search. */
export class SeqList<T extends { seq: number }> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  get last(): T | undefined {
    return this.length ? this.items[this.items.length - 1] : undefined;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The first item with seq > `seq`. */
  firstAfter(seq: number): T | null {
    const i = this.indexAfter(seq);
    return i < this.items.length ? this.items[i] : null;
  }

  /** Items with seq > `seq`, in order. */
  *after(seq: number): Generator<T> {
    for (let i = this.indexAfter(seq); i < this.items.length; i++) yield this.items[i];
  }

  *[Symbol.iterator](): Generator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i];
  }

  /** Drops items with seq ≤ `seq` from the front. */
  dropThrough(seq: number, onDrop?: (item: T) => void): void {
    while (this.head < this.items.length && this.items[this.head].seq <= seq) {
      const item = this.items[this.head++]; // not inside `onDrop?.(…)`: its arguments are skipped when onDrop is absent
      onDrop?.(item);
    }
    if (this.head === this.items.length) [this.items, this.head] = [[], 0];
    else if (this.head > 1024 && this.head * 2 > this.items.length) [this.items, this.head] = [this.items.slice(this.head), 0];
  }

  /** Removes (and returns) the items matching `pred`, wherever they are. */
  remove(pred: (item: T) => boolean): T[] {
    const live = this.items.slice(this.head);
    const out = live.filter(pred);
    [this.items, this.head] = [live.filter((x) => !pred(x)), 0];
    return out;
  }

  private indexAfter(seq: number): number {
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid].seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
