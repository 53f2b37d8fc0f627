/** Callers of `drained()` waiting for the write buffer to fall below its high-water mark (or the end). */
export class DrainWaiters {
  private waiters: (() => void)[] = [];

  /** Resolves at the next wake(). */
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Releases every waiter so far. */
  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
