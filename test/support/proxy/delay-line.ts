/**
 * Delivers values after a per-value delay, strictly in push order: a value never overtakes an earlier one,
 * even when the delay shrinks in between. One timer per line, armed only while something is queued; with
 * no delay and nothing queued a value is delivered synchronously (the proxy's fast path).
 */

interface Pending<T> {
  due: number;
  value: T;
}

/** Timers may fire up to a millisecond early against performance.now(); do not re-arm for that. */
const TOLERANCE_MS = 1;

export class DelayLine<T> {
  private readonly deliver: (value: T) => void;
  private queue: Pending<T>[] = [];
  private head = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(deliver: (value: T) => void) {
    this.deliver = deliver;
  }

  push(value: T, delayMs: number): void {
    if (delayMs <= 0 && this.head === this.queue.length) {
      this.deliver(value);
      return;
    }
    // FIFO: a value is delivered no earlier than its due time and never before the values ahead of it.
    const now = performance.now();
    this.queue.push({ due: now + delayMs, value });
    if (this.timer === undefined) this.arm(now);
  }

  /** Drops everything queued (the connection is gone). */
  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.head = 0;
  }

  private arm(now: number): void {
    const next = this.queue[this.head]!;
    this.timer = setTimeout(this.flush, Math.max(0, Math.ceil(next.due - now)));
  }

  private readonly flush = (): void => {
    this.timer = undefined;
    const now = performance.now();
    while (this.head < this.queue.length) {
      const item = this.queue[this.head]!;
      if (item.due > now + TOLERANCE_MS) break;
      this.head++;
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
        // Sustained traffic may never drain the queue: compact so delivered items can be collected.
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.deliver(item.value); // may clear() or push(): the loop re-reads the fields
    }
    if (this.head < this.queue.length && this.timer === undefined) this.arm(performance.now());
  };
}
