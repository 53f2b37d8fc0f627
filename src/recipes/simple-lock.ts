import {
  AcquireTimeoutError,
  CreateMode,
  LockLostError,
  type Stat,
  type ValidityHold,
  type WatchedEvent,
  type ZooKeeper,
  endsSession,
  isRetryable,
} from '../index.js';
import { ensureContainer } from './internal/contention.js';
import {
  type Bounds,
  Cancelled,
  cancellation,
  checkBounds,
  deadlineIn,
  isCode,
  parentOf,
  remaining,
  sessionOver,
  within,
} from './internal/bounds.js';
import { waitConnected } from './internal/session-waits.js';
import { Lease, leaseMargin } from './lease.js';
import type { AcquireOptions, MutexOptions } from './mutex.js';

/** Options of a SimpleLock: as a Mutex's. */
export type SimpleLockOptions = MutexOptions;

/** Per client: lock path → czxid of the node a local SimpleLock lease holds (or is releasing). */
const claims = new WeakMap<ZooKeeper, Map<string, bigint>>();

function claim(zk: ZooKeeper, path: string, czxid: bigint): boolean {
  let held = claims.get(zk);
  if (held === undefined) claims.set(zk, (held = new Map()));
  if (held.get(path) === czxid) return false;
  held.set(path, czxid);
  return true;
}

function unclaim(zk: ZooKeeper, path: string, czxid: bigint): void {
  const held = claims.get(zk);
  if (held?.get(path) === czxid) held.delete(path);
}

function claimed(zk: ZooKeeper, path: string, czxid: bigint): boolean {
  return claims.get(zk)?.get(path) === czxid;
}

/** Keeps its claim until the node is deleted, so no local acquirer takes the node on its way out. */
class SimpleLease extends Lease {
  private readonly client: ZooKeeper;

  constructor(zk: ZooKeeper, path: string, stat: Stat, watch: Promise<WatchedEvent>, validity: ValidityHold, options: SimpleLockOptions) {
    super(zk, path, stat, { event: watch, kind: 'node' }, validity, options);
    this.client = zk;
  }

  override release(): Promise<void> {
    return super.release().then(() => unclaim(this.client, this.path, this.fencingToken));
  }
}

type Attempt =
  | { kind: 'held'; stat: Stat; monitor: Promise<WatchedEvent> }
  | { kind: 'busy'; watch: Promise<WatchedEvent> | undefined }
  | { kind: 'again' }
  | { kind: 'lost' };

/**
 * SimpleLock: the naive exclusive lock of the ZooKeeper paper and the MIT 6.824 lecture. One EPHEMERAL
 * node at `path` is the lock: `create` it; on NODEEXISTS `exists(path, watch)`, retry at once when it is
 * already gone, else wait for the event and retry. Kept to be measured against Mutex: every release wakes
 * every waiter (the herd effect) and waiters are served in no particular order (no fairness).
 *
 * Guarantees. Mutual exclusion as for Mutex (one node, one owner). The Lease's fencing token is the
 * node's czxid, strictly increasing across holders; its monitor is an exists watch on the node.
 * Several acquirers in one process may share a client (one session): a node owned by this session
 * belongs to the local acquirer that claims it first (a per-client registry), which also recovers a
 * create whose reply was lost. Nodes at `path` must not be deleted by hand: a lease that saw its node
 * deleted releases nothing, but one that has not seen it yet would delete the next holder's node.
 *
 * Round trips: each attempt 1 (create ∥ exists(watch)); a wait ends with the holder's deletion, then
 * 1 more attempt; tryAcquire 1 when taken, 2 when it wins (the exists(watch) follows the create, so a
 * failed try leaves no watch); release 1. A missing parent is created as a container first.
 *
 * Disconnect: waiting continues across reconnects; a create lost with the connection is resolved by the
 * next attempt (NODEEXISTS on a node this session owns and no local lease holds).
 * Expiry: acquire rejects with LockLostError('session-ended'); a held lease's signal aborts.
 * Status: a baseline for the benchmark; tested against ZooKeeper 3.8.
 *
 * @example
 * ```ts
 * const lock = new SimpleLock(zk, '/locks/naive'); // for comparison: prefer Mutex
 * await using lease = await lock.acquire();
 * ```
 */
export class SimpleLock {
  readonly zk: ZooKeeper;
  readonly path: string;
  private readonly options: SimpleLockOptions;

  constructor(zk: ZooKeeper, path: string, options: SimpleLockOptions = {}) {
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
    const b: Bounds = { signal: options.signal, deadline: deadlineIn(this.zk, options.timeout) };
    return (await this.run(b, true))!;
  }

  /** Takes the lock if nobody holds it; otherwise resolves null (leaving no node and no watch). */
  tryAcquire(): Promise<Lease | null> {
    return this.run({}, false);
  }

  private async run(b: Bounds, wait: boolean): Promise<Lease | null> {
    const zk = this.zk;
    // A create whose reply was lost may have made a node nobody claims: giving up deletes it.
    let unsure = false;
    // Held from the start (see contention.ts); the lease takes it over, every other way out releases it.
    const validity = zk.holdSessionValidity();
    try {
      for (;;) {
        checkBounds(zk, b);
        if (sessionOver(zk)) throw sessionEnded(zk);
        const attempt = await this.attempt(wait, unsure);
        switch (attempt.kind) {
          case 'held': {
            // The lease is made only once the session's validity supports it (it would be born lost).
            try {
              await within(zk, b, validity.ready(leaseMargin(zk, this.options)));
              // Given up while the winning attempt was in flight: the caller never sees this lease.
              checkBounds(zk, b);
            } catch (err) {
              unclaim(zk, this.path, attempt.stat.czxid);
              void dropUnclaimed(zk, this.path);
              throw err;
            }
            return new SimpleLease(zk, this.path, attempt.stat, attempt.monitor, validity, this.options);
          }
          case 'again':
            continue;
          case 'lost':
            unsure = true;
            await waitConnected(zk, remaining(zk, b));
            continue;
          case 'busy':
            unsure = false;
            if (!wait) {
              validity.release();
              return null;
            }
            if (attempt.watch !== undefined && (await within(zk, b, attempt.watch)).type === 'None') throw sessionEnded(zk);
        }
      }
    } catch (err) {
      validity.release();
      if (unsure) void dropUnclaimed(zk, this.path);
      if (err instanceof Cancelled)
        throw cancellation(b, () => new AcquireTimeoutError(`could not acquire ${this.path} in time`, { path: this.path }));
      if (endsSession(err)) throw sessionEnded(zk, err);
      throw err;
    }
  }

  /**
   * One create. With `wait`, exists(watch) is pipelined behind it (1 round trip whatever the outcome);
   * without, the node is looked at only when the create's outcome is unknown, so a busy lock leaves no watch.
   */
  private async attempt(wait: boolean, unsure: boolean): Promise<Attempt> {
    const zk = this.zk;
    const created = zk.createWithStat(this.path, this.options.data, { mode: CreateMode.EPHEMERAL });
    const watched = wait ? zk.exists(this.path, { watch: true }) : undefined;
    void watched?.catch(() => {});
    let ours: Stat | undefined;
    try {
      ours = (await created).stat;
    } catch (err) {
      if (isCode(err, 'NONODE')) {
        await ensureContainer(zk, parentOf(this.path));
        return { kind: 'again' };
      }
      if (!isCode(err, 'NODEEXISTS') && !isRetryable(err)) throw err;
      if (!wait && !unsure && isCode(err, 'NODEEXISTS')) return { kind: 'busy', watch: undefined };
    }
    let stat: Stat | null;
    let watch: Promise<WatchedEvent> | undefined;
    try {
      if (watched !== undefined) ({ stat, watch } = await watched);
      else if (ours !== undefined) ({ stat, watch } = await zk.exists(this.path, { watch: true }));
      else stat = await zk.exists(this.path);
    } catch (err) {
      if (isRetryable(err)) return { kind: 'lost' };
      throw err;
    }
    // Released between the create and the exists (that left a creation watch): try again at once.
    if (stat === null) return { kind: 'again' };
    if (stat.ephemeralOwner === zk.sessionId && claim(zk, this.path, stat.czxid)) {
      // Without a watch on it yet (a lost reply recovered by tryAcquire), the lease arms its own.
      const monitor = watch ?? Promise.resolve<WatchedEvent>({ type: 'NodeDataChanged', state: 'SyncConnected', path: this.path });
      return { kind: 'held', stat, monitor };
    }
    return { kind: 'busy', watch };
  }
}

/** After giving up with a create's outcome unknown: deletes the node if this session owns it and no lease claims it. */
async function dropUnclaimed(zk: ZooKeeper, path: string): Promise<void> {
  for (;;) {
    try {
      // A sync first: the create whose reply was lost may not be applied yet on the server we reached.
      void zk.sync(path).catch(() => {});
      const stat = await zk.exists(path);
      if (stat !== null && stat.ephemeralOwner === zk.sessionId && !claimed(zk, path, stat.czxid)) {
        await zk.delete(path, { version: stat.version });
      }
      return;
    } catch (err) {
      if (!isRetryable(err) || sessionOver(zk)) return;
      await waitConnected(zk, 1000);
    }
  }
}

function sessionEnded(zk: ZooKeeper, cause?: unknown): Error {
  return new LockLostError('session-ended', `the session ended (${zk.state}) while acquiring`, { cause });
}
