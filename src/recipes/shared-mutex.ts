/**
 * SharedMutex: the Mutex for many acquirers in one process. Acquirers on the same client (session) and
 * lock path queue locally, first come first served, behind ONE contender node; when a holder releases
 * and a local acquirer waits, the lock passes to it in memory (no request), without deleting the node;
 * when none waits, the node is deleted as the Mutex does. Across processes nothing changes: the node is
 * an ordinary Curator-compatible `_c_<uuid>-lock-<seq>` contender (the same contention engine as Mutex),
 * so SharedMutex, Mutex and Curator's InterProcessMutex processes on one path exclude each other.
 *
 * A separate class rather than a Mutex option, because its leases differ where it matters to a caller:
 * the fencing token is `czxid × 2^16 + local sequence` (internal/shared-token.ts has the argument; a
 * store shared with default Mutex holders must give those `czxid × 2^16`), and the queue has fairness
 * bounds. Instances on one client and path share one queue (a registry keyed by client and path); the
 * node's settings (data, lease options, fairness bounds) are those of the instance whose acquire started
 * the contention for it.
 *
 * Fairness across processes (docs/locks.md, "Shared mode"): a node is handed on locally at most
 * `maxLocalHandoffs` (K) times or for `maxHoldMs` (T) since it was acquired; then, if another contender
 * waits (one getChildren), the node is deleted and the local queue contends again with a new node,
 * behind the remote waiters; if nobody else waits, the budget starts again. A node is always given up
 * after 2^16 − 1 local hand-offs (the token's sequence field).
 *
 * Each local holder gets a SharedLease with everything a Lease promises: its own `signal` (lock lost,
 * session ended, lease bound: the node's lease covers every local holder), `held`, `validUntil`,
 * `guard()` (refused once this holder has released: see SharedLease.guard), and an idempotent release.
 * A local waiter that gives up (abort, timeout) leaves the queue at once; if it was the last one and the
 * node is still being contended for, the contention is given up and its node deleted.
 */
import { AcquireTimeoutError, type Data, LockLostError, type Stat, type WriteOp, type WriteResult, type ZooKeeper, op } from '../index.js';
import { cancellation, sessionOver } from './internal/bounds.js';
import { contend, exclusive } from './internal/contention.js';
import { sortContenders } from './internal/lock-name.js';
import { deleteGuaranteed } from './internal/session-waits.js';
import { MAX_LOCAL_SEQUENCE, czxidFits, sharedToken } from './internal/shared-token.js';
import { Lease, type LeaseOptions, leaseMargin } from './lease.js';
import type { AcquireOptions } from './mutex.js';

/**
 * Defaults of the fairness bound, from the benchmark's shared cells (docs/locks.md, "Shared mode:
 * fairness"): a ZooKeeper hand-off between processes costs about 1-2 ms here, so a 20 ms turn keeps the
 * total within about 10% of an unbroken local run, and K is high enough that T decides at hold 0.
 */
export const DEFAULT_MAX_LOCAL_HANDOFFS = 1000;
export const DEFAULT_MAX_HOLD_MS = 20;

export interface SharedMutexOptions extends LeaseOptions {
  /** Data stored in the contender node (Curator stores the host address). */
  data?: Data;
  /** K: local hand-offs per turn before remote waiters are let in. Default 1000; 0 to 65535. */
  maxLocalHandoffs?: number;
  /** T: ms a turn may last (from acquiring the node, or the last check that nobody else waits). Default 20. */
  maxHoldMs?: number;
}

const LOCK_NAME = 'lock-';
const LOCK_NAMES = [LOCK_NAME] as const;

/**
 * A Mutex whose acquirers on one client and path share one contender node and hand the lock on in memory
 * (see the file's header and docs/locks.md, "Shared mode").
 *
 * @example
 * ```ts
 * const lock = new SharedMutex(zk, '/locks/orders');
 * const lease = await lock.acquire({ timeout: 5000 });
 * try {
 *   await lease.guard([op.setData('/orders/state', 'next')]);
 * } finally {
 *   await lease.release();
 * }
 * ```
 */
export class SharedMutex {
  readonly zk: ZooKeeper;
  readonly path: string;
  private readonly options: SharedMutexOptions;

  constructor(zk: ZooKeeper, path: string, options: SharedMutexOptions = {}) {
    const k = options.maxLocalHandoffs ?? DEFAULT_MAX_LOCAL_HANDOFFS;
    if (!Number.isInteger(k) || k < 0 || k > MAX_LOCAL_SEQUENCE)
      throw new RangeError(`maxLocalHandoffs must be a whole number from 0 to ${MAX_LOCAL_SEQUENCE}`);
    const t = options.maxHoldMs ?? DEFAULT_MAX_HOLD_MS;
    if (!(t >= 0)) throw new RangeError('maxHoldMs must be 0 or more');
    this.zk = zk;
    this.path = path;
    this.options = options;
  }

  /**
   * Waits until this caller holds the lock: at once in memory when a local holder hands it on, else
   * through the contention for the shared node.
   * Notable errors: AcquireTimeoutError; the signal's reason on abort; LockLostError('session-ended')
   * when the session ends; InvalidArgumentError for a bad path.
   */
  acquire(options: AcquireOptions = {}): Promise<SharedLease> {
    return new Promise<SharedLease | null>((resolve, reject) => this.enqueue(false, options, resolve, reject)) as Promise<SharedLease>;
  }

  /**
   * Takes the lock if nobody (local or remote) holds it or waits for it; otherwise resolves null and
   * leaves no node.
   */
  tryAcquire(): Promise<SharedLease | null> {
    const group = groups.get(this.zk)?.get(this.path);
    if (group !== undefined && !group.idle) return Promise.resolve(null);
    return new Promise<SharedLease | null>((resolve, reject) => this.enqueue(true, {}, resolve, reject));
  }

  /** Local acquirers waiting on this client and path (for tests and diagnostics). */
  get waiting(): number {
    return groups.get(this.zk)?.get(this.path)?.waiting ?? 0;
  }

  private enqueue(tryOnly: boolean, options: AcquireOptions, resolve: (l: SharedLease | null) => void, reject: (e: unknown) => void): void {
    const { signal, timeout } = options;
    if (signal?.aborted) {
      reject(cancellation({ signal }, () => new Error('aborted')));
      return;
    }
    if (sessionOver(this.zk)) {
      reject(new LockLostError('session-ended', `the session ended (${this.zk.state}) before acquiring ${this.path}`, { path: this.path }));
      return;
    }
    const group = groupFor(this.zk, this.path, this.options);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = (): void =>
      group.cancel(
        waiter,
        cancellation({ signal }, () => new Error('aborted')),
      );
    const waiter: Waiter = {
      tryOnly,
      resolve,
      reject,
      settle: () => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      },
    };
    if (timeout !== undefined) {
      timer = setTimeout(
        () => group.cancel(waiter, new AcquireTimeoutError(`could not acquire ${this.path} in time`, { path: this.path })),
        Math.max(0, timeout),
      );
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    group.enqueue(waiter);
  }
}

/**
 * One local holder's lease on the shared node. The node's own Lease (kept by the queue, never handed
 * out) follows the node, the session and the lease bound; this one adds the holder's tenure: it ends on
 * release (or when the node's lease ends), and from then on `held` is false, `validUntil` is −∞, the
 * signal has aborted and `guard()` refuses.
 */
export class SharedLease implements AsyncDisposable {
  /** The shared node's path (relative to the client's chroot). */
  readonly path: string;
  /** czxid × 2^16 + localSequence: strictly increasing across every holder of the lock (shared-token.ts). */
  readonly fencingToken: bigint;
  /** This holder's place in the node's local run: 0 for the holder that acquired the node. */
  readonly localSequence: number;
  /** The shared node's Stat when it was created. */
  readonly stat: Stat;
  /** The session that owns the node. */
  readonly sessionId: bigint;

  private readonly group: Group;
  private readonly node: HeldNode;
  private controller: AbortController | undefined;
  private lost: LockLostError | undefined;
  private releasing: Promise<void> | undefined;

  private constructor(group: Group, node: HeldNode, sequence: number) {
    this.group = group;
    this.node = node;
    this.path = node.lease.path;
    this.stat = node.lease.stat;
    this.sessionId = node.lease.sessionId;
    this.localSequence = sequence;
    this.fencingToken = sharedToken(node.lease.stat.czxid, sequence);
  }

  /** @internal Made by the local queue when it grants the lock. */
  static grant(group: Group, node: HeldNode, sequence: number): SharedLease {
    return new SharedLease(group, node, sequence);
  }

  /** Aborts, with a LockLostError as its reason, when this holder's tenure ends or holding is no longer certain. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.lost !== undefined) this.controller.abort(this.lost);
    }
    return this.controller.signal;
  }

  /** The lease bound while this holder holds (the node's, see lease.ts); −∞ once its tenure ended. */
  get validUntil(): number {
    return this.lost === undefined ? this.node.lease.validUntil : Number.NEGATIVE_INFINITY;
  }

  /** True only while this holder holds, the bound has not passed and nothing says the lock is lost. */
  get held(): boolean {
    return this.lost === undefined && this.node.lease.held;
  }

  /** A multi op that fails unless the shared node exists; throws once this holder's tenure ended. */
  check(): WriteOp {
    this.assertCurrent();
    return op.check(this.path);
  }

  /**
   * `multi([check(shared node), ...ops])`, refused (LockLostError, nothing sent) once this holder has
   * released or lost the lock. The check on the node stops every write once the node is gone, as
   * Lease.guard does; what it cannot tell apart, local holders of the same node, the tenure check does:
   * it runs when guard() is called and the multi is queued on the session in the same synchronous step,
   * so a guard called before release() reaches the server before any request of the next local holder
   * (one session's requests are applied in order), and one called after is never sent.
   */
  async guard(ops: readonly WriteOp[]): Promise<WriteResult[]> {
    this.assertCurrent();
    const results = await this.node.zk.multi([op.check(this.path), ...ops]);
    return results.slice(1);
  }

  /**
   * Ends this holder's tenure: the signal aborts ('released'), and the lock passes to the next local
   * acquirer in memory, or, when none waits (or the turn is over and others wait), the node is deleted.
   * Idempotent; resolves once handed on or deleted.
   */
  release(): Promise<void> {
    this.releasing ??= this.group.released(this, this.node);
    return this.releasing;
  }

  /** `release()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }

  /** @internal Ends the tenure (first reason wins). */
  end(error: LockLostError): void {
    if (this.lost !== undefined) return;
    this.lost = error;
    this.controller?.abort(error);
  }

  /** @internal */
  get ended(): boolean {
    return this.lost !== undefined;
  }

  private assertCurrent(): void {
    if (this.lost !== undefined)
      throw new LockLostError(this.lost.reason, `this holder no longer holds ${this.path}: ${this.lost.message}`, {
        path: this.path,
        cause: this.lost,
      });
  }
}

/** A local acquirer waiting in the queue. */
interface Waiter {
  /** tryAcquire: the contention gives up rather than waits. */
  tryOnly: boolean;
  resolve(lease: SharedLease | null): void;
  reject(err: unknown): void;
  /** Clears the waiter's timer and abort listener. */
  settle(): void;
}

/** The shared node while this process holds it. */
interface HeldNode {
  /** The node's own lease: follows the node, the session and the bound for every local holder. */
  lease: Lease;
  zk: ZooKeeper;
  /** The last local sequence granted (−1 before the first). */
  sequence: number;
  holder: SharedLease | undefined;
  /** The current turn: when it began (zk.now()) and the sequence then. */
  turnStart: number;
  turnSequence: number;
  /** A getChildren is asking whether anyone else waits. */
  checking: boolean;
  /** The node is being given up (by us, or because its lease ended). */
  ending: boolean;
}

const groups = new WeakMap<ZooKeeper, Map<string, Group>>();

function groupFor(zk: ZooKeeper, path: string, options: SharedMutexOptions): Group {
  let byPath = groups.get(zk);
  if (byPath === undefined) groups.set(zk, (byPath = new Map()));
  let group = byPath.get(path);
  if (group === undefined) {
    const created = new Group(zk, path, options, () => {
      if (byPath.get(path) === created) byPath.delete(path);
    });
    byPath.set(path, (group = created));
  }
  return group;
}

/** The local queue of one client and lock path, and the node it holds or contends with. */
class Group {
  private readonly zk: ZooKeeper;
  private readonly dir: string;
  private readonly options: SharedMutexOptions;
  private readonly maxHandoffs: number;
  private readonly maxHoldMs: number;
  private readonly forget: () => void;
  private readonly queue: Waiter[] = [];
  private state: 'idle' | 'contending' | 'holding' = 'idle';
  /** Aborts the contention under way (its waiters all gave up). */
  private contention: AbortController | undefined;
  private node: HeldNode | undefined;
  /** The last contention had to wait: list without a child watch next time (see contention.ts). */
  private contended = false;

  constructor(zk: ZooKeeper, dir: string, options: SharedMutexOptions, forget: () => void) {
    this.zk = zk;
    this.dir = dir;
    this.options = options;
    this.maxHandoffs = options.maxLocalHandoffs ?? DEFAULT_MAX_LOCAL_HANDOFFS;
    this.maxHoldMs = options.maxHoldMs ?? DEFAULT_MAX_HOLD_MS;
    this.forget = forget;
  }

  get idle(): boolean {
    return this.state === 'idle' && this.queue.length === 0;
  }

  get waiting(): number {
    return this.queue.length;
  }

  enqueue(waiter: Waiter): void {
    this.queue.push(waiter);
    this.pump();
  }

  /** A waiter gave up: out of the queue; the last one out also ends a contention under way. */
  cancel(waiter: Waiter, error: unknown): void {
    const at = this.queue.indexOf(waiter);
    if (at === -1) return; // already granted or failed
    this.queue.splice(at, 1);
    waiter.settle();
    waiter.reject(error);
    if (this.queue.length === 0 && this.state === 'contending') {
      // Nobody wants the node any more: the engine deletes it (the abort ends its wait at once).
      this.contention?.abort(new Error('no local acquirer waits'));
      this.contention = undefined;
      this.state = 'idle';
    }
    this.pump();
  }

  /** A holder released: hand on locally, or give the node up. */
  released(holder: SharedLease, node: HeldNode): Promise<void> {
    if (holder.ended || node.holder !== holder) return node.lease.release();
    holder.end(new LockLostError('released', `the lease was released (${node.lease.path})`, { path: node.lease.path }));
    node.holder = undefined;
    return this.serve(node);
  }

  /** Starts what the state allows: a contention for the first waiter, or a grant on a held node. */
  private pump(): void {
    if (this.state === 'idle') {
      if (this.queue.length > 0) this.startContention();
      else this.forget();
    }
  }

  /**
   * The node is held and nobody holds it locally: grant it to the next waiter while the turn lasts;
   * at the turn's end ask whether anyone else waits; give it up when no local acquirer waits.
   */
  private serve(node: HeldNode): Promise<void> {
    if (node.ending || this.node !== node) return node.lease.release();
    if (this.queue.length === 0) return this.giveUp(node);
    if (!node.lease.held) return this.nodeEnded(node);
    if (node.sequence >= MAX_LOCAL_SEQUENCE) return this.giveUp(node);
    const handoffs = node.sequence - node.turnSequence;
    if (node.sequence >= 0 && (handoffs >= this.maxHandoffs || this.zk.now() - node.turnStart >= this.maxHoldMs)) {
      this.checkOthers(node);
      return Promise.resolve();
    }
    this.grant(node);
    return Promise.resolve();
  }

  private grant(node: HeldNode): void {
    const waiter = this.queue.shift()!;
    node.sequence++;
    const lease = SharedLease.grant(this, node, node.sequence);
    node.holder = lease;
    waiter.settle();
    waiter.resolve(lease);
  }

  /** The turn is over: one listing says whether another contender waits (then the node goes) or not (a new turn). */
  private checkOthers(node: HeldNode): void {
    node.checking = true;
    this.zk.getChildren(this.dir).then(
      (children) => {
        node.checking = false;
        if (node.ending || this.node !== node) return;
        if (sortContenders(children, LOCK_NAMES).length > 1) {
          void this.giveUp(node);
          return;
        }
        node.turnStart = this.zk.now();
        node.turnSequence = node.sequence;
        void this.serve(node);
      },
      () => {
        node.checking = false;
        if (!node.ending && this.node === node) void this.giveUp(node);
      },
    );
  }

  /** Deletes the node (its lease's release); waiters, if any, contend again with a new node. */
  private giveUp(node: HeldNode): Promise<void> {
    node.ending = true;
    this.node = undefined;
    this.state = 'idle';
    const released = node.lease.release();
    this.pump();
    return released;
  }

  /** The node's lease ended (lost, session ended, bound passed): the holder loses it; waiters fail or contend again. */
  private nodeEnded(node: HeldNode): Promise<void> {
    if (node.ending) return node.lease.release();
    node.ending = true;
    if (this.node === node) {
      this.node = undefined;
      this.state = 'idle';
    }
    const reason: unknown = node.lease.signal.reason;
    const error =
      reason instanceof LockLostError
        ? reason
        : new LockLostError('lease-expired', `the session's validity was not renewed in time (${node.lease.path})`, {
            path: node.lease.path,
          });
    node.holder?.end(error);
    const released = node.lease.release();
    if (error.reason === 'session-ended' || sessionOver(this.zk))
      this.failAll(
        new LockLostError('session-ended', `the session ended (${this.zk.state}) while waiting for ${this.dir}`, {
          path: this.dir,
          cause: error,
        }),
      );
    else this.pump();
    return released;
  }

  /** Every waiter fails with `error` (the session ended, or the contention failed for all of them). */
  private failAll(error: unknown): void {
    const waiters = this.queue.splice(0);
    for (const w of waiters) {
      w.settle();
      w.reject(error);
    }
    this.pump();
  }

  private startContention(): void {
    const controller = new AbortController();
    this.contention = controller;
    this.state = 'contending';
    const tryOnly = this.queue[0]!.tryOnly;
    contend(this.zk, {
      dir: this.dir,
      lockName: LOCK_NAME,
      lockNames: LOCK_NAMES,
      decide: exclusive,
      data: this.options.data,
      signal: controller.signal,
      ...(tryOnly ? { wait: false } : {}),
      listWatch: !this.contended,
      margin: leaseMargin(this.zk, this.options),
    }).then(
      (held) => {
        if (this.contention !== controller) {
          // Given up (every waiter left) just as it succeeded: the node is nobody's.
          if (held !== null) {
            held.validity.release();
            void deleteGuaranteed(this.zk, held.path);
          }
          return;
        }
        this.contention = undefined;
        if (held === null) {
          // tryAcquire found the lock taken: only its waiter gets null; the rest contend.
          this.state = 'idle';
          const w = this.queue.shift()!;
          w.settle();
          w.resolve(null);
          this.pump();
          return;
        }
        this.contended = held.waited;
        if (!czxidFits(held.stat.czxid)) {
          held.validity.release();
          void deleteGuaranteed(this.zk, held.path);
          this.state = 'idle';
          this.failAll(
            new RangeError(
              `czxid ${held.stat.czxid} is at or above 2^47 (zxid epoch 2^15 or more): SharedMutex tokens would not fit 64 bits`,
            ),
          );
          return;
        }
        const node: HeldNode = {
          lease: undefined as unknown as Lease,
          zk: this.zk,
          sequence: -1,
          holder: undefined,
          turnStart: this.zk.now(),
          turnSequence: 0,
          checking: false,
          ending: false,
        };
        // onEnd can run inside the constructor (a bound already passed): react on the next microtask.
        node.lease = Lease.grant(this.zk, held.path, held.stat, held.monitor, held.validity, this.options, () =>
          queueMicrotask(() => void this.nodeEnded(node)),
        );
        this.node = node;
        this.state = 'holding';
        void this.serve(node);
      },
      (err: unknown) => {
        if (this.contention !== controller) return;
        this.contention = undefined;
        this.state = 'idle';
        this.failAll(err);
      },
    );
  }
}
