import { AcquireTimeoutError, type Data, InvalidArgumentError, LockLostError, type ZooKeeper, endsSession } from '../index.js';
import { type Bounds, Cancelled, cancellation, deadlineIn, retrying, within } from './internal/bounds.js';
import { type Holding, contend } from './internal/contention.js';
import { sortContenders } from './internal/lock-name.js';
import type { NodeMonitor } from './internal/node-monitor.js';
import { deleteGuaranteed } from './internal/session-waits.js';
import { Lease, type LeaseOptions, leaseMargin } from './lease.js';
import { type AcquireOptions, Mutex } from './mutex.js';

/** Options of a Semaphore: its lease nodes' data and the lease options. */
export interface SemaphoreOptions extends LeaseOptions {
  /** Data stored in each lease node. */
  data?: Data;
}

const LEASE_NAME = 'lease-';
const LEASE_NAMES = [LEASE_NAME] as const;

/**
 * Semaphore: at most `maxLeases` holders at once, Curator InterProcessSemaphoreV2 compatible. An internal
 * Mutex on `<path>/locks` admits one acquirer at a time; holding it, the acquirer creates a protected
 * EPHEMERAL_SEQUENTIAL `lease-` node under `<path>/leases` and lists that directory (with a child watch)
 * until it holds no more than `maxLeases` nodes, then releases the Mutex. Only that one acquirer watches
 * the leases, so a release wakes one waiter (no herd); the others queue on the Mutex, first come first
 * served.
 *
 * Guarantees. Never more than `maxLeases` holders: a holder's listing counted every lease node created
 * before its own, and each of them was still there. Every holder that follows the protocol is counted,
 * Curator's included, and `maxLeases` must agree among them. The Lease's fencing token is its node's
 * czxid (it orders leases, but several are valid at once); releasing deletes the lease node.
 *
 * Round trips: uncontended 1 (Mutex) + 1 (create ∥ list) + the Mutex's release off the critical path;
 * release 1. Abort, timeout and errors leave no node: the lease node and the Mutex node are deleted.
 *
 * Disconnect: waiting continues across reconnects; in-flight calls are retried after reconnecting.
 * Expiry: acquire rejects with LockLostError('session-ended'); a held lease's signal aborts.
 * Status: tested against ZooKeeper 3.8.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(zk, '/semaphores/api-quota', 4); // at most 4 holders across all processes
 * await using lease = await slots.acquire({ timeout: 10_000 });
 * await callTheRateLimitedApi({ signal: lease.signal });
 * ```
 */
export class Semaphore {
  readonly zk: ZooKeeper;
  readonly path: string;
  readonly maxLeases: number;
  private readonly options: SemaphoreOptions;
  private readonly gate: Mutex;
  private readonly leases: string;

  constructor(zk: ZooKeeper, path: string, maxLeases: number, options: SemaphoreOptions = {}) {
    if (!Number.isInteger(maxLeases) || maxLeases < 1)
      throw new InvalidArgumentError(`maxLeases must be a positive integer, not ${maxLeases}`, { path });
    this.zk = zk;
    this.path = path;
    this.maxLeases = maxLeases;
    this.options = options;
    this.gate = new Mutex(zk, `${path}/locks`);
    this.leases = `${path}/leases`;
  }

  /**
   * Waits until this caller holds one of the leases.
   *
   * @throws {@link zkts!AcquireTimeoutError} when `timeout` passes first (the contender node is removed).
   * @throws The signal's reason when `signal` aborts (the contender node is removed).
   * @throws {@link zkts!LockLostError} with reason 'session-ended' when the session ends while waiting.
   * @throws {@link zkts!InvalidArgumentError} for a bad path.
   */
  async acquire(options: AcquireOptions = {}): Promise<Lease> {
    const b: Bounds = { signal: options.signal, deadline: deadlineIn(this.zk, options.timeout) };
    let gate: Lease;
    try {
      gate = await this.gate.acquire(options);
    } catch (err) {
      throw err instanceof AcquireTimeoutError ? this.timeoutError() : err;
    }
    try {
      return (await this.take(b, true))!;
    } finally {
      void gate.release();
    }
  }

  /**
   * Takes a lease if one is free now and no other acquirer is ahead in line; otherwise resolves null
   * (and leaves no node).
   */
  async tryAcquire(): Promise<Lease | null> {
    const gate = await this.gate.tryAcquire();
    if (gate === null) return null;
    try {
      return await this.take({}, false);
    } finally {
      void gate.release();
    }
  }

  /** Holding the gate: creates our lease node and waits until at most maxLeases exist. */
  private async take(b: Bounds, wait: boolean): Promise<Lease | null> {
    const zk = this.zk;
    let count = 0;
    let held: Holding | null;
    try {
      held = await contend(zk, {
        dir: this.leases,
        lockName: LEASE_NAME,
        lockNames: LEASE_NAMES,
        // Not a queue: every lease node counts, and ours is always kept.
        decide: (contenders) => {
          count = contenders.length;
          return { hold: true };
        },
        data: this.options.data,
        signal: b.signal,
        deadline: b.deadline,
        margin: leaseMargin(zk, this.options),
      });
    } catch (err) {
      throw err instanceof AcquireTimeoutError ? this.timeoutError() : err;
    }
    const ours = held!;
    let monitor: NodeMonitor = ours.monitor;
    try {
      while (count > this.maxLeases) {
        if (!wait) {
          ours.validity.release();
          await deleteGuaranteed(zk, ours.path);
          return null;
        }
        const event = await within(zk, b, monitor.event);
        if (event.type === 'None') throw new LockLostError('session-ended', `the session ended (${event.state}) while waiting for a lease`);
        const listed = await retrying(zk, b, () => zk.getChildren(this.leases, { watch: true }));
        if (!listed.children.includes(ours.name))
          throw new LockLostError('node-deleted', `our lease node ${ours.path} is gone`, { path: ours.path });
        count = sortContenders(listed.children, LEASE_NAMES).length;
        monitor = { event: listed.watch, kind: 'children' };
      }
      // The wait may have been long: the hold kept the session's validity renewed meanwhile.
      await within(zk, b, ours.validity.ready(leaseMargin(zk, this.options)));
    } catch (err) {
      ours.validity.release();
      void deleteGuaranteed(zk, ours.path);
      if (err instanceof Cancelled) throw cancellation(b, () => this.timeoutError());
      if (endsSession(err)) throw new LockLostError('session-ended', 'the session ended while waiting for a lease', { cause: err });
      throw err;
    }
    return Lease.grant(zk, ours.path, ours.stat, monitor, ours.validity, this.options);
  }

  private timeoutError(): Error {
    return new AcquireTimeoutError(`could not acquire a lease of ${this.path} in time`, { path: this.path });
  }
}
