import {
  LockLostError,
  type LockLostReason,
  type Stat,
  type StateChange,
  type ValidityHold,
  type WriteOp,
  type WriteResult,
  type ZooKeeper,
  endsSession,
  isRetryable,
  isTerminal,
  op,
} from '../index.js';
import type { NodeMonitor } from './internal/node-monitor.js';
import { deleteGuaranteed } from './internal/session-waits.js';

/** How a lease decides it is no longer certain: the margin it keeps, and an optional disconnect grace. */
export interface LeaseOptions {
  /** ms subtracted from `zk.sessionValidUntil`. Default a tenth of the session timeout; at most a quarter. */
  leaseMargin?: number | undefined;
  /** Abort the signal after this many ms disconnected; unset: only the lease bound decides. */
  disconnectGrace?: number | undefined;
}

/** What the recipes make a lease from (the constructor's and `grant`'s parameters). */
type LeaseParts = [
  zk: ZooKeeper,
  path: string,
  stat: Stat,
  monitor: NodeMonitor,
  validity: ValidityHold,
  options?: LeaseOptions,
  onEnd?: () => void,
];

/**
 * A held lock (or semaphore lease, or leadership): its fencing token, the bound up to which holding it
 * is certain, an AbortSignal that fires as soon as it is not, a guard for writes, and release.
 *
 * The bound. `validUntil` = `zk.sessionValidUntil` − margin, on the client's monotonic clock. The
 * session's validity is built only from answers that had to pass through the leader, which is where
 * sessions expire (session/validity.ts has the argument; in short: an answer is credited only once a sync
 * or write has shown the leader applied its touch, and a write answered OK then proves the session was
 * live there). A follower cut off from the leader keeps answering pings for up to syncLimit × tickTime,
 * but those answers move nothing, so the bound passes before the leader can expire the session and hand
 * the lock on, on a standalone server and on any member of an ensemble alike. It assumes tickTime ≤ T/2
 * (the default: minSessionTimeout = 2 × tickTime) and clock rates within 0.1%; it does not depend on
 * syncLimit. While the lease is held the session renews its validity (one sync and one no-op write per
 * 0.3 T when the session has no writes of its own), so on a healthy connection the bound never passes.
 *
 * The margin (default T/10, at most T/4) is time the holder keeps for itself: it covers the delay
 * between checking `held` (or the signal) and the effect of what it does under the lock.
 *
 * `signal` aborts, with a LockLostError saying why, when: the bound passes without a newer proof;
 * the session ends (expired, closed, auth failed); the lock node is deleted by anyone else; the lease is
 * released; and, if `disconnectGrace` is set, the client stays disconnected longer than that.
 *
 * @example
 * ```ts
 * await using lease = await new Mutex(zk, '/locks/orders').acquire();
 * lease.fencingToken;            // pass it to storage that rejects smaller tokens
 * lease.signal;                  // aborts (LockLostError) once holding the lock is no longer certain
 * if (lease.held) await lease.guard([op.setData('/orders/state', 'paid')]); // commits only while the lock node exists
 * ```
 */
export class Lease implements AsyncDisposable {
  /** The lock node's path (relative to the client's chroot). */
  readonly path: string;
  /** The lock node's czxid: strictly increasing across successive holders of the lock. */
  readonly fencingToken: bigint;
  /** The lock node's Stat when it was created. */
  readonly stat: Stat;
  /** The session that owns the node. */
  readonly sessionId: bigint;

  private readonly zk: ZooKeeper;
  /**
   * Made on the first read of `signal` (most leases are released without anyone reading it: no
   * AbortController, abort event or LockLostError per acquisition then). `lost` records the loss
   * meanwhile; a signal made after it is already aborted with the same LockLostError reason.
   */
  private controller: AbortController | undefined;
  private lost: { reason: LockLostReason; message: string; cause: unknown } | undefined;
  private readonly margin: number;
  private readonly grace: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly offState: () => void;
  private releasing: Promise<void> | undefined;
  /** The monitor saw the node deleted (or owned by another session): release must not delete by path. */
  private nodeGone = false;
  private readonly onEnd: (() => void) | undefined;
  private readonly validity: ValidityHold;

  /**
   * @internal Created by the recipes once the lock is held and `validity.ready(margin)` resolved; the
   * lease releases `validity` when it ends.
   */
  protected constructor(...parts: LeaseParts);
  /**
   * Not for users: a lease comes from a recipe's `acquire()` (this signature, the only one in the shipped
   * declarations, makes `new Lease()` fail to type-check).
   */
  protected constructor(internal: never, ...rest: never[]);
  protected constructor(
    zk: ZooKeeper,
    path: string,
    stat: Stat,
    monitor: NodeMonitor,
    validity: ValidityHold,
    options: LeaseOptions = {},
    onEnd?: () => void,
  ) {
    this.zk = zk;
    this.path = path;
    this.stat = stat;
    this.fencingToken = stat.czxid;
    this.sessionId = zk.sessionId;
    this.onEnd = onEnd;
    this.validity = validity;
    this.margin = leaseMargin(zk, options);
    this.grace = options.disconnectGrace;
    this.offState = zk.onStateChange((change) => this.onState(change));
    this.follow(monitor);
    if (zk.state === 'disconnected' || zk.state === 'connecting') this.onState({ state: zk.state, previous: zk.state });
    this.armTimer();
  }

  /** @internal How the recipes make a lease (see the constructor). */
  static grant(...parts: LeaseParts): Lease {
    return new Lease(...parts);
  }

  /** Aborts, with a LockLostError as its reason, as soon as holding the lock is no longer certain. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.lost !== undefined) this.controller.abort(this.lostError(this.lost));
    }
    return this.controller.signal;
  }

  /** The lease bound: a time on `zk.now()`'s monotonic clock up to which the lock is certainly held. */
  get validUntil(): number {
    return this.zk.sessionId === this.sessionId ? this.zk.sessionValidUntil - this.margin : Number.NEGATIVE_INFINITY;
  }

  /** True only while the bound has not passed and nothing says the lock is lost. */
  get held(): boolean {
    return this.lost === undefined && this.zk.now() < this.validUntil;
  }

  /** A multi op that fails the transaction unless the lock node still exists. */
  check(): WriteOp {
    return op.check(this.path);
  }

  /**
   * Writes to state kept in ZooKeeper that commit only while the lock node still exists:
   * `multi([check(lock node), ...ops])`. Fails with NoNodeError (a MultiError, opIndex 0) once the lock is lost.
   */
  async guard(ops: readonly WriteOp[]): Promise<WriteResult[]> {
    const results = await this.zk.multi([this.check(), ...ops]);
    return results.slice(1);
  }

  /**
   * Releases the lock: the signal aborts ('released') and the node is deleted, retrying on connection loss
   * until it is gone or the session is. Idempotent. Once the node was seen deleted nothing is deleted:
   * a node at the same path now belongs to someone else (SimpleLock's fixed path).
   */
  release(): Promise<void> {
    if (this.releasing !== undefined) return this.releasing;
    this.lose('released', 'the lease was released');
    this.releasing = this.nodeGone ? Promise.resolve() : deleteGuaranteed(this.zk, this.path);
    return this.releasing;
  }

  /** `release()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }

  /** Ends the lease with `reason` (first reason wins) and stops its timers. */
  private lose(reason: LockLostReason, message: string, cause?: unknown): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    this.timer = undefined;
    this.graceTimer = undefined;
    this.offState();
    this.validity.release();
    if (this.lost !== undefined) return;
    this.lost = { reason, message, cause };
    this.controller?.abort(this.lostError(this.lost));
    this.onEnd?.();
  }

  private lostError(lost: { reason: LockLostReason; message: string; cause: unknown }): LockLostError {
    return new LockLostError(lost.reason, `${lost.message} (${this.path})`, { path: this.path, cause: lost.cause });
  }

  private armTimer(): void {
    if (this.lost !== undefined) return;
    const left = this.validUntil - this.zk.now();
    if (left <= 0) {
      this.lose('lease-expired', `the session's validity was not renewed in time (margin ${this.margin} ms)`);
      return;
    }
    // Fires at the bound; if newer answers moved the bound on, it simply re-arms.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.armTimer();
    }, Math.ceil(left));
  }

  private onState(change: StateChange): void {
    const { state } = change;
    if (isTerminal(state)) {
      this.lose('session-ended', `the session ended (${state})`, change.cause);
      return;
    }
    if (this.grace === undefined) return;
    if (state === 'connected' || state === 'connectedReadOnly') {
      if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
      this.graceTimer = undefined;
    } else if (this.graceTimer === undefined) {
      this.graceTimer = setTimeout(
        () => this.lose('disconnected', `disconnected for longer than ${this.grace} ms`),
        Math.max(0, this.grace),
      );
    }
  }

  /** Follows the node monitor: a deletion by anyone else loses the lease; anything else re-arms it. */
  private follow(monitor: NodeMonitor): void {
    void monitor.event.then(async (event) => {
      if (this.lost !== undefined) return;
      if (event.type === 'None') {
        this.lose('session-ended', `the session ended (${event.state})`);
        return;
      }
      if (monitor.kind === 'node' && event.type === 'NodeDeleted') {
        this.nodeGone = true;
        this.lose('node-deleted', 'the lock node was deleted');
        return;
      }
      // A child change under the parent, or a write to our node: check the node, with a watch on it.
      try {
        const next = await this.zk.exists(this.path, { watch: true });
        if (this.lost !== undefined) return;
        if (next.stat === null || next.stat.ephemeralOwner !== this.sessionId || next.stat.czxid !== this.fencingToken) {
          this.nodeGone = true;
          this.lose('node-deleted', 'the lock node was deleted');
          return;
        }
        this.follow({ event: next.watch, kind: 'node' });
      } catch (err) {
        if (endsSession(err)) this.lose('session-ended', 'the session ended', err);
        else if (isRetryable(err)) this.retryFollow();
        else this.lose('node-deleted', 'the lock node could not be checked', err);
      }
    });
  }

  /** After a connection loss while re-arming: try again once connected (the lease bound covers the gap). */
  private retryFollow(): void {
    const off = this.zk.onStateChange((change) => {
      if (change.state === 'connected' || change.state === 'connectedReadOnly') {
        off();
        this.follow({ event: Promise.resolve({ type: 'NodeDataChanged', state: 'SyncConnected', path: this.path }), kind: 'children' });
      } else if (isTerminal(change.state)) {
        off();
      }
    });
    if (this.zk.state === 'connected' || this.zk.state === 'connectedReadOnly') {
      off();
      this.follow({ event: Promise.resolve({ type: 'NodeDataChanged', state: 'SyncConnected', path: this.path }), kind: 'children' });
    }
  }
}

/** The margin a lease with these options keeps on this session: default a tenth of the session timeout. */
export function leaseMargin(zk: ZooKeeper, options: LeaseOptions): number {
  return options.leaseMargin ?? Math.floor(zk.sessionTimeout / 10);
}
