import { AcquireTimeoutError, type ZooKeeper } from '../index.js';
import { type Bounds, Cancelled, cancellation, deadlineIn, isCode, parentOf, retrying, within } from './internal/bounds.js';
import { ensureContainer } from './internal/contention.js';

/** Bounds of the barriers' waits. */
export interface WaitOptions {
  /** Aborting gives up waiting; nothing is left behind. */
  signal?: AbortSignal;
  /** ms to wait before failing with AcquireTimeoutError. */
  timeout?: number;
}

/**
 * Barrier: one node holds processes back until it is removed, the ZooKeeper recipe (and Curator
 * DistributedBarrier): `set()` creates the node, `remove()` deletes it, and `wait()` watches the node
 * until it is absent (getData(watch) rather than the recipe's exists(watch), so finding the barrier
 * down leaves no creation watch behind).
 *
 * Guarantees. `wait()` resolves only after it has seen the node absent (a state the barrier really
 * passed through, not a guess); it never creates anything, so abort and timeout leave no node behind.
 * A watch set by an abandoned wait stays on the server until the barrier node changes. The node is
 * PERSISTENT: it outlives the session that set it, so a crashed setter leaves the barrier up.
 *
 * Round trips: `wait()` 1 when the barrier is down, else 1 per change of the node; `set()` and
 * `remove()` 1 (missing parents are created as containers first).
 *
 * Disconnect: all three retry after reconnecting (`set` and `remove` are idempotent); a wait keeps its
 * watch across reconnects.
 * Expiry: calls reject with the client's error (SessionExpiredError, ClientClosedError).
 * Status: tested against ZooKeeper 3.8.
 *
 * @example
 * ```ts
 * const barrier = new Barrier(zk, '/barriers/deploy');
 * await barrier.set();                       // the coordinator raises it
 * await barrier.wait({ timeout: 60_000 });   // workers block here until...
 * await barrier.remove();                    // ...the coordinator lowers it
 * ```
 */
export class Barrier {
  readonly zk: ZooKeeper;
  readonly path: string;

  constructor(zk: ZooKeeper, path: string) {
    this.zk = zk;
    this.path = path;
  }

  /** Raises the barrier (creates its node); already raised is fine. */
  async set(): Promise<void> {
    for (;;) {
      try {
        await retrying(this.zk, {}, () => this.zk.create(this.path));
        return;
      } catch (err) {
        if (isCode(err, 'NODEEXISTS')) return;
        if (!isCode(err, 'NONODE')) throw err;
        await ensureContainer(this.zk, parentOf(this.path));
      }
    }
  }

  /** Lowers the barrier (deletes its node), releasing every waiter; already lowered is fine. */
  async remove(): Promise<void> {
    try {
      await retrying(this.zk, {}, () => this.zk.delete(this.path));
    } catch (err) {
      if (!isCode(err, 'NONODE')) throw err;
    }
  }

  /**
   * Resolves once the barrier is down (its node absent).
   *
   * @throws {@link zkts!AcquireTimeoutError} when `timeout` passes first.
   * @throws The signal's reason when `signal` aborts.
   * @throws {@link zkts!SessionExpiredError} / {@link zkts!ClientClosedError} when the session ends.
   */
  async wait(options: WaitOptions = {}): Promise<void> {
    const b: Bounds = { signal: options.signal, deadline: deadlineIn(this.zk, options.timeout) };
    try {
      for (;;) {
        let watch: Promise<unknown>;
        try {
          ({ watch } = await retrying(this.zk, b, () => this.zk.getData(this.path, { watch: true })));
        } catch (err) {
          if (isCode(err, 'NONODE')) return;
          throw err;
        }
        // Any event (deletion, a data change, the session's end) means: look again.
        await within(this.zk, b, watch);
      }
    } catch (err) {
      if (err instanceof Cancelled) {
        throw cancellation(b, () => new AcquireTimeoutError(`the barrier ${this.path} was not removed in time`, { path: this.path }));
      }
      throw err;
    }
  }
}
