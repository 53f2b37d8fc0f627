import type { WatchedEvent } from './watched-event.js';

/**
 * A persistent or persistent-recursive watch (addWatch, 3.6+) as an async iterable of events.
 * Events queue until read. The iteration ends after a final event when the session ends, or when the
 * watch is removed (`remove()`, or `break` out of a for-await loop, which removes it too).
 *
 * @example
 * ```ts
 * const watch = await zk.addWatch('/config', { recursive: true });
 * for await (const event of watch) {
 *   if (event.type === 'NodeDataChanged') reload(event.path);
 * }
 * ```
 */
export class PersistentWatch implements AsyncIterable<WatchedEvent> {
  readonly path: string;
  private readonly queue: WatchedEvent[] = [];
  private waiter: ((r: IteratorResult<WatchedEvent>) => void) | undefined;
  private ended = false;
  private readonly onRemove: () => Promise<void>;

  private constructor(path: string, onRemove: () => Promise<void>) {
    this.path = path;
    this.onRemove = onRemove;
  }

  /** @internal Created by ZooKeeper.addWatch. */
  static open(path: string, onRemove: () => Promise<void>): PersistentWatch {
    return new PersistentWatch(path, onRemove);
  }

  /** @internal Delivers an event; `final` ends the iteration after it. */
  push(event: WatchedEvent, final = false): void {
    if (this.ended) return;
    if (final) this.ended = true;
    if (this.waiter !== undefined) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: event, done: false });
    } else {
      this.queue.push(event);
    }
  }

  /** @internal Ends the iteration without an event. */
  end(): void {
    this.ended = true;
    if (this.waiter !== undefined) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  /** Removes the watch on the server and ends the iteration. Errors from the server are ignored. */
  async remove(): Promise<void> {
    if (this.ended && this.queue.length === 0) return;
    this.end();
    await this.onRemove();
  }

  /** The events, in order; `break` (or `return()`) removes the watch. */
  [Symbol.asyncIterator](): AsyncIterator<WatchedEvent> {
    return {
      next: () => {
        const event = this.queue.shift();
        if (event !== undefined) return Promise.resolve({ value: event, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.waiter = resolve;
        });
      },
      return: async () => {
        await this.remove().catch(() => {});
        return { value: undefined, done: true };
      },
    };
  }
}
