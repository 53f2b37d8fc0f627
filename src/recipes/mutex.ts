import type { Data, ZooKeeper } from '../index.js';
import { deadlineIn } from './internal/bounds.js';
import { contend, exclusive } from './internal/contention.js';
import { Lease, type LeaseOptions, leaseMargin } from './lease.js';

/** Options of a Mutex: its contender nodes' data and the lease options. */
export interface MutexOptions extends LeaseOptions {
  /** Data stored in each contender node (Curator stores the host address). */
  data?: Data;
}

/** Bounds of an acquire (or `join`): give up on abort or after `timeout`, leaving no node. */
export interface AcquireOptions {
  /** Aborting gives up waiting; the contender node is removed. */
  signal?: AbortSignal;
  /** ms to wait before failing with AcquireTimeoutError; the contender node is removed. */
  timeout?: number;
}

const LOCK_NAME = 'lock-';
const LOCK_NAMES = [LOCK_NAME] as const;

/**
 * Mutex: an exclusive lock, Curator InterProcessMutex compatible (protected `_c_<uuid>-lock-` nodes, so
 * zkts and Curator processes exclude each other on the same path). Not reentrant: each acquire is a
 * separate contender, and several acquirers in one process each wait for their own predecessor.
 *
 * Guarantees. At any zxid at most one contender is the oldest, and only the oldest holds. What a holder
 * believes can lag (a paused or partitioned process), so a Lease gives it: `fencingToken` (the node's
 * czxid, strictly increasing across holders) for resources outside ZooKeeper, `guard()` for writes inside
 * it (multi with a check on the lock node), and `signal`, which aborts before anyone else can acquire
 * (the lease bound, see lease.ts) or as soon as the lock is known to be lost.
 *
 * Round trips: uncontended acquire 1 (create2 ∥ getChildren); a wait 1 more (one SetWatches on our node,
 * the predecessor and, deeper in the queue, the one before it); the hand-off 0 when we are second in line,
 * which a waiter deeper in the queue becomes with a re-read while its predecessor holds (see
 * internal/contention.ts for the conditions); release 1.
 *
 * Disconnect: waiting continues across reconnects; in-flight calls are retried after reconnecting.
 * Expiry: acquire rejects with LockLostError('session-ended'); a held lease's signal aborts.
 * Status: the recipe the benchmark measures; tested against ZooKeeper 3.8.
 *
 * @example
 * ```ts
 * import { connect } from 'zkts';
 * import { Mutex } from 'zkts/recipes';
 *
 * await using zk = await connect('127.0.0.1:2181');
 * const mutex = new Mutex(zk, '/locks/orders');
 * await using lease = await mutex.acquire({ timeout: 5_000 });
 * await store.write(order, { fencingToken: lease.fencingToken, signal: lease.signal });
 * ```
 */
export class Mutex {
  readonly zk: ZooKeeper;
  readonly path: string;
  private readonly options: MutexOptions;
  /** The last acquire had to wait: expect contention, and list without a child watch (see contention.ts). */
  private contended = false;

  constructor(zk: ZooKeeper, path: string, options: MutexOptions = {}) {
    this.zk = zk;
    this.path = path;
    this.options = options;
  }

  /**
   * Waits until this caller holds the lock.
   *
   * @throws {@link zkts!AcquireTimeoutError} when `timeout` passes first (the contender node is removed).
   * @throws The signal's reason when `signal` aborts (the contender node is removed).
   * @throws {@link zkts!LockLostError} with reason 'session-ended' when the session ends while waiting.
   * @throws {@link zkts!InvalidArgumentError} for a bad path.
   */
  async acquire(options: AcquireOptions = {}): Promise<Lease> {
    const held = await contend(this.zk, {
      dir: this.path,
      lockName: LOCK_NAME,
      lockNames: LOCK_NAMES,
      decide: exclusive,
      data: this.options.data,
      signal: options.signal,
      deadline: deadlineIn(this.zk, options.timeout),
      listWatch: !this.contended,
      margin: leaseMargin(this.zk, this.options),
    });
    this.contended = held!.waited;
    return Lease.grant(this.zk, held!.path, held!.stat, held!.monitor, held!.validity, this.options);
  }

  /** Takes the lock if nobody holds it or waits for it; otherwise resolves null (and leaves no node). */
  async tryAcquire(): Promise<Lease | null> {
    const held = await contend(this.zk, {
      dir: this.path,
      lockName: LOCK_NAME,
      lockNames: LOCK_NAMES,
      decide: exclusive,
      data: this.options.data,
      wait: false,
      margin: leaseMargin(this.zk, this.options),
    });
    return held === null ? null : Lease.grant(this.zk, held.path, held.stat, held.monitor, held.validity, this.options);
  }
}
