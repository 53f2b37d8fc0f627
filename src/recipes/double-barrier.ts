import {
  AcquireTimeoutError,
  CreateMode,
  type Data,
  InvalidArgumentError,
  type Stat,
  type WatchedEvent,
  type ZooKeeper,
  isRetryable,
} from '../index.js';
import type { WaitOptions } from './barrier.js';
import { type Bounds, Cancelled, cancellation, checkBounds, deadlineIn, isCode, remaining, retrying, within } from './internal/bounds.js';
import { ensureContainer } from './internal/contention.js';
import { deleteGuaranteed, waitConnected } from './internal/session-waits.js';

/** Options of a DoubleBarrier member. */
export interface DoubleBarrierOptions {
  /** Data stored in our member node. */
  data?: Data;
}

const READY = 'ready';

/**
 * DoubleBarrier: `count` processes enter together and leave together, the ZooKeeper recipe (and Curator
 * DistributedDoubleBarrier, with the same node names: an EPHEMERAL child named by a random UUID per
 * member, and a `ready` node). One object is one member.
 *
 * enter: exists(`ready`, watch) BEFORE creating our node, so a `ready` created in between cannot be
 * missed; then our node; then the member count. With `count` members present we create `ready`
 * ourselves, else we wait for its creation. The three requests go out together (1 round trip): one
 * session's requests are executed in order.
 * leave: the recipe's lowest/highest scheme. The lowest member (in name order) waits for the highest
 * to go; every other member deletes its node and waits for the lowest; the last one out deletes its
 * node and finally `ready`, so the barrier can be used again. Each deletion wakes at most the members
 * watching that node.
 *
 * Guarantees. `enter()` resolves only after `count` members were present at once (the creator of
 * `ready` saw them; the others saw `ready`); `leave()` only after every member has left. Abort, timeout
 * and errors delete our node (leave's wait is then given up: the others are not waited for). Ephemeral
 * nodes keep a crashed member from blocking leave, but a member that crashes before `count` were
 * present is not counted, so the others keep waiting.
 *
 * Disconnect: both waits continue across reconnects; a create lost with the connection is found again
 * by name. Expiry: our node is gone; calls reject with the client's error (SessionExpiredError, ...).
 * Status: tested against ZooKeeper 3.8.
 *
 * @example
 * ```ts
 * const barrier = new DoubleBarrier(zk, '/barriers/round-1', 3); // one object per member
 * await barrier.enter({ timeout: 30_000 }); // resolves once 3 members have entered
 * await compute();
 * await barrier.leave({ timeout: 30_000 }); // resolves once all 3 have left
 * ```
 */
export class DoubleBarrier {
  readonly zk: ZooKeeper;
  readonly path: string;
  /** Members needed to enter. */
  readonly count: number;
  /** Our member node (its name is a random UUID). */
  readonly memberPath: string;
  private readonly memberName: string;
  private readonly readyPath: string;
  private readonly options: DoubleBarrierOptions;

  constructor(zk: ZooKeeper, path: string, count: number, options: DoubleBarrierOptions = {}) {
    if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError(`count must be a positive integer, not ${count}`, { path });
    this.zk = zk;
    this.path = path;
    this.count = count;
    this.options = options;
    this.memberName = crypto.randomUUID();
    this.memberPath = `${path}/${this.memberName}`;
    this.readyPath = `${path}/${READY}`;
  }

  /**
   * Joins and resolves once `count` members have entered.
   *
   * @throws {@link zkts!AcquireTimeoutError} when `timeout` passes first (our node is deleted).
   * @throws The signal's reason when `signal` aborts (our node is deleted).
   * @throws {@link zkts!SessionExpiredError} / {@link zkts!ClientClosedError} when the session ends.
   */
  async enter(options: WaitOptions = {}): Promise<void> {
    const zk = this.zk;
    const b: Bounds = { signal: options.signal, deadline: deadlineIn(zk, options.timeout) };
    let created = false;
    try {
      for (;;) {
        checkBounds(zk, b);
        const readyP = zk.exists(this.readyPath, { watch: true });
        const createP = zk.create(this.memberPath, this.options.data, { mode: CreateMode.EPHEMERAL });
        const listP = zk.getChildren(this.path);
        void createP.catch(() => {});
        void listP.catch(() => {});
        let ready: { stat: Stat | null; watch: Promise<WatchedEvent> };
        let children: string[];
        try {
          ready = await readyP;
          try {
            await createP;
          } catch (err) {
            if (isCode(err, 'NONODE')) {
              await ensureContainer(zk, this.path);
              continue;
            }
            if (!isCode(err, 'NODEEXISTS')) throw err; // ours: the name is a UUID
          }
          created = true;
          children = await listP;
        } catch (err) {
          if (!isRetryable(err)) throw err;
          created = true; // perhaps: a create lost with the connection
          await waitConnected(zk, remaining(zk, b));
          continue;
        }
        if (ready.stat !== null) return;
        if (children.filter((c) => c !== READY).length >= this.count) {
          try {
            await retrying(zk, b, () => zk.create(this.readyPath));
          } catch (err) {
            if (!isCode(err, 'NODEEXISTS')) throw err;
          }
          return;
        }
        const event = await within(zk, b, ready.watch);
        if (event.type === 'NodeCreated') return;
        // Anything else (the session's end included): look again, and let the calls say what happened.
      }
    } catch (err) {
      if (created) void deleteGuaranteed(zk, this.memberPath);
      if (err instanceof Cancelled) {
        throw cancellation(
          b,
          () => new AcquireTimeoutError(`could not enter the double barrier ${this.path} in time`, { path: this.path }),
        );
      }
      throw err;
    }
  }

  /**
   * Leaves and resolves once every member has left.
   *
   * @throws {@link zkts!AcquireTimeoutError} when `timeout` passes first (our node is deleted).
   * @throws The signal's reason when `signal` aborts (our node is deleted).
   * @throws {@link zkts!SessionExpiredError} / {@link zkts!ClientClosedError} when the session ends.
   */
  async leave(options: WaitOptions = {}): Promise<void> {
    const zk = this.zk;
    const b: Bounds = { signal: options.signal, deadline: deadlineIn(zk, options.timeout) };
    try {
      for (;;) {
        checkBounds(zk, b);
        let children: string[];
        try {
          children = await retrying(zk, b, () => zk.getChildren(this.path));
        } catch (err) {
          if (!isCode(err, 'NONODE')) throw err;
          children = [];
        }
        const members = children.filter((c) => c !== READY).sort();
        const ours = members.indexOf(this.memberName);
        if (members.length === 0) break;
        if (members.length === 1 && ours === 0) {
          await this.deleteOurs(b);
          break;
        }
        // Lowest: wait for the highest. Anyone else: go, then wait for the lowest.
        const target = ours === 0 ? members[members.length - 1]! : members[0]!;
        const deleting = ours > 0 ? zk.delete(this.memberPath) : undefined;
        void deleting?.catch(() => {});
        const watched = zk.getData(`${this.path}/${target}`, { watch: true });
        void watched.catch(() => {});
        let watch: Promise<WatchedEvent>;
        try {
          await deleting;
          ({ watch } = await watched);
        } catch (err) {
          if (isCode(err, 'NONODE')) continue; // ours or the target already gone: look again
          if (!isRetryable(err)) throw err;
          await waitConnected(zk, remaining(zk, b));
          continue;
        }
        await within(zk, b, watch);
      }
      try {
        await retrying(zk, b, () => zk.delete(this.readyPath));
      } catch (err) {
        if (!isCode(err, 'NONODE')) throw err;
      }
    } catch (err) {
      void deleteGuaranteed(zk, this.memberPath);
      if (err instanceof Cancelled) {
        throw cancellation(
          b,
          () => new AcquireTimeoutError(`could not leave the double barrier ${this.path} in time`, { path: this.path }),
        );
      }
      throw err;
    }
  }

  private async deleteOurs(b: Bounds): Promise<void> {
    try {
      await retrying(this.zk, b, () => this.zk.delete(this.memberPath));
    } catch (err) {
      if (!isCode(err, 'NONODE')) throw err;
    }
  }
}
