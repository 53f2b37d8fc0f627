import type { Data, ZooKeeper } from '../index.js';
import { deadlineIn } from './internal/bounds.js';
import { contend, exclusive } from './internal/contention.js';
import { Lease, type LeaseOptions, leaseMargin } from './lease.js';
import type { AcquireOptions } from './mutex.js';

/** Options of a LeaderElection: its candidates' data and the leadership's lease options. */
export interface LeaderElectionOptions extends LeaseOptions {
  /** Data stored in each candidate node (Curator LeaderLatch stores the participant id). */
  data?: Data;
}

/** Being the leader: a Lease on the candidate node, named for elections. */
export class Leadership extends Lease {
  /** True while this candidate certainly leads (the lease bound has not passed, nothing says otherwise). */
  get isLeader(): boolean {
    return this.held;
  }

  /** Steps down: the signal aborts ('released') and the node is deleted, so the next candidate leads. */
  resign(): Promise<void> {
    return this.release();
  }

  /** @internal Made by LeaderElection when this candidate leads (the constructor is Lease's). */
  static lead(...args: Parameters<typeof Lease.grant>): Leadership {
    return new Leadership(...args);
  }
}

const LATCH_NAME = 'latch-';
const LATCH_NAMES = [LATCH_NAME] as const;

/**
 * LeaderElection: candidates queue under one path and the oldest leads, the ZooKeeper recipe with
 * Curator LeaderLatch's node names (protected `_c_<uuid>-latch-` EPHEMERAL_SEQUENTIAL nodes, so zkts
 * and Curator candidates elect one leader together). Each candidate watches only its predecessor:
 * a leader's departure wakes one candidate, never the whole group.
 *
 * Guarantees. At any zxid at most one candidate's node is the oldest, and only that candidate is told it
 * leads. `join()` resolves with a Leadership (a Lease): `fencingToken` (the node's czxid, strictly
 * increasing from one leader to the next), `guard()` for writes in ZooKeeper, `isLeader` and `signal`,
 * which aborts before anyone else can lead (the lease bound, see lease.ts) or once leadership is known
 * to be lost; `resign()` deletes the node and hands leadership to the next candidate. A candidate that
 * gave up (abort, timeout) leaves no node.
 *
 * Round trips: uncontended 1 (create ∥ list); waiting 1 more; a hand-off 0 when we were second in
 * line, else 1; resign 1.
 *
 * Disconnect: candidates keep waiting across reconnects; a leader stays leader until its lease bound
 * passes (or `disconnectGrace`, when set).
 * Expiry: join rejects with LockLostError('session-ended'); a leader's signal aborts and the next
 * candidate leads once the server has removed the node.
 * Status: tested against ZooKeeper 3.8.
 *
 * @example
 * ```ts
 * const election = new LeaderElection(zk, '/election/scheduler');
 * await using leadership = await election.join();
 * while (!leadership.signal.aborted) await runOneRound(leadership.signal, leadership.fencingToken);
 * ```
 */
export class LeaderElection {
  readonly zk: ZooKeeper;
  readonly path: string;
  private readonly options: LeaderElectionOptions;
  private readonly leading = new Set<Leadership>();

  constructor(zk: ZooKeeper, path: string, options: LeaderElectionOptions = {}) {
    this.zk = zk;
    this.path = path;
    this.options = options;
  }

  /** True while a candidate that joined through this object leads. */
  get isLeader(): boolean {
    for (const leadership of this.leading) if (leadership.isLeader) return true;
    return false;
  }

  /**
   * Enters the election and resolves once this candidate leads.
   *
   * @throws {@link zkts!AcquireTimeoutError} when `timeout` passes first (the candidate node is removed).
   * @throws The signal's reason when `signal` aborts (the candidate node is removed).
   * @throws {@link zkts!LockLostError} with reason 'session-ended' when the session ends while waiting.
   * @throws {@link zkts!InvalidArgumentError} for a bad path.
   */
  async join(options: AcquireOptions = {}): Promise<Leadership> {
    const held = await contend(this.zk, {
      dir: this.path,
      lockName: LATCH_NAME,
      lockNames: LATCH_NAMES,
      decide: exclusive,
      data: this.options.data,
      signal: options.signal,
      deadline: deadlineIn(this.zk, options.timeout),
      margin: leaseMargin(this.zk, this.options),
    });
    // The lease may end inside its constructor (a bound already past): the callback then finds nothing.
    let leadership: Leadership | undefined = undefined;
    const ended = (): void => {
      if (leadership !== undefined) this.leading.delete(leadership);
    };
    leadership = Leadership.lead(this.zk, held!.path, held!.stat, held!.monitor, held!.validity, this.options, ended);
    if (!leadership.signal.aborted) this.leading.add(leadership);
    return leadership;
  }
}
