import type { ZooKeeper } from '../index.js';
import { deadlineIn } from './internal/bounds.js';
import { type ContendOptions, type Decision, contend, exclusive } from './internal/contention.js';
import type { Contender } from './internal/lock-name.js';
import { Lease, leaseMargin } from './lease.js';
import type { AcquireOptions, MutexOptions } from './mutex.js';

/** Options of a ReadWriteLock: as a Mutex's. */
export type ReadWriteLockOptions = MutexOptions;

const READ = '__READ__';
const WRITE = '__WRIT__';
const LOCK_NAMES = [READ, WRITE] as const;

/** A writer excludes everyone: the exclusive rule over readers and writers alike. */
const writerRule = exclusive;

/** A reader holds when no writer is older, else waits for the next older writer. */
function readerRule(contenders: readonly Contender[], ours: number): Decision {
  let next = -1;
  let writers = 0;
  for (let i = 0; i < ours; i++) {
    if (contenders[i]!.lockName !== WRITE) continue;
    next = i;
    writers++;
  }
  return next === -1 ? { hold: true } : { hold: false, watch: contenders[next]!.name, soleBlocker: writers === 1 };
}

/** One side of a ReadWriteLock: `readLock()` or `writeLock()`. */
export class ReadWriteLockSide {
  readonly path: string;
  /** 'read' (shared) or 'write' (exclusive). */
  readonly kind: 'read' | 'write';
  private readonly zk: ZooKeeper;
  private readonly options: ReadWriteLockOptions;

  private constructor(zk: ZooKeeper, path: string, kind: 'read' | 'write', options: ReadWriteLockOptions) {
    this.zk = zk;
    this.path = path;
    this.kind = kind;
    this.options = options;
  }

  /** @internal Made by ReadWriteLock: its `readLock()` and `writeLock()`. */
  static of(zk: ZooKeeper, path: string, kind: 'read' | 'write', options: ReadWriteLockOptions): ReadWriteLockSide {
    return new ReadWriteLockSide(zk, path, kind, options);
  }

  /**
   * Waits until this caller holds this side of the lock.
   *
   * @throws {@link zkts!AcquireTimeoutError} when `timeout` passes first (the contender node is removed).
   * @throws The signal's reason when `signal` aborts (the contender node is removed).
   * @throws {@link zkts!LockLostError} with reason 'session-ended' when the session ends while waiting.
   * @throws {@link zkts!InvalidArgumentError} for a bad path.
   */
  async acquire(options: AcquireOptions = {}): Promise<Lease> {
    const held = await contend(this.zk, {
      ...this.contention(),
      signal: options.signal,
      deadline: deadlineIn(this.zk, options.timeout),
    });
    return Lease.grant(this.zk, held!.path, held!.stat, held!.monitor, held!.validity, this.options);
  }

  /** Takes this side if it is free for us now; otherwise resolves null (and leaves no node). */
  async tryAcquire(): Promise<Lease | null> {
    const held = await contend(this.zk, { ...this.contention(), wait: false });
    return held === null ? null : Lease.grant(this.zk, held.path, held.stat, held.monitor, held.validity, this.options);
  }

  private contention(): ContendOptions {
    return {
      dir: this.path,
      lockName: this.kind === 'read' ? READ : WRITE,
      lockNames: LOCK_NAMES,
      decide: this.kind === 'read' ? readerRule : writerRule,
      data: this.options.data,
      margin: leaseMargin(this.zk, this.options),
    };
  }
}

/**
 * ReadWriteLock: a shared read lock and an exclusive write lock on one path, Curator
 * InterProcessReadWriteLock compatible (protected `_c_<uuid>-__READ__` / `_c_<uuid>-__WRIT__` nodes, the
 * two names of equal length so both sort by sequence; both kinds count as contenders). Not reentrant, no
 * upgrade or downgrade: each acquire is a separate contender.
 *
 * Guarantees. A writer holds only when its node is the oldest contender of either kind; a reader holds
 * when no writer's node is older than its own. So readers share the lock, a writer excludes everyone,
 * and a writer that has queued keeps newer readers out (no writer starvation). Waiting follows the
 * ZooKeeper recipe: a writer watches its immediate predecessor of any kind, a reader only the next older
 * writer, so a release wakes one writer, or the readers queued right behind a writer (who all proceed).
 * Fencing tokens (czxids) increase from one writer to the next, and a reader's exceeds the token of
 * every writer that held before it.
 *
 * Round trips as Mutex: uncontended 1; a wait 1 more; a hand-off 0 when the released node was the only
 * one blocking us, else 1; release 1.
 *
 * Disconnect: waiting continues across reconnects; in-flight calls are retried after reconnecting.
 * Expiry: acquire rejects with LockLostError('session-ended'); a held lease's signal aborts.
 * Status: tested against ZooKeeper 3.8.
 *
 * @example
 * ```ts
 * const rw = new ReadWriteLock(zk, '/locks/catalog');
 * {
 *   await using read = await rw.readLock().acquire();   // shared with other readers
 *   render(await loadCatalog());
 * }
 * await using write = await rw.writeLock().acquire();   // alone: no reader, no other writer
 * await rebuildCatalog(write.fencingToken);
 * ```
 */
export class ReadWriteLock {
  readonly zk: ZooKeeper;
  readonly path: string;
  private readonly reader: ReadWriteLockSide;
  private readonly writer: ReadWriteLockSide;

  constructor(zk: ZooKeeper, path: string, options: ReadWriteLockOptions = {}) {
    this.zk = zk;
    this.path = path;
    this.reader = ReadWriteLockSide.of(zk, path, 'read', options);
    this.writer = ReadWriteLockSide.of(zk, path, 'write', options);
  }

  /** The shared side: held together with other readers, never with a writer. */
  readLock(): ReadWriteLockSide {
    return this.reader;
  }

  /** The exclusive side: held by one writer and no reader. */
  writeLock(): ReadWriteLockSide {
    return this.writer;
  }
}
