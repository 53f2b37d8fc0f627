import { InvalidArgumentError, UnimplementedError, UnsupportedError, type ZooKeeperError } from '../errors.js';
import { OPEN_ACL_UNSAFE, checkACL } from '../protocol/acl.js';
import { AddWatchMode, CreateMode, ErrorCode, EventType, WatcherType, createModeInfo } from '../protocol/constants.js';
import { type CreateKindRequest, createRequest } from '../protocol/create.js';
import { validatePath } from '../protocol/path.js';
import type { ACL, ClientInfo, Stat } from '../protocol/records/data.js';
import type { MultiOp } from '../protocol/records/multi.js';
import type { Request } from '../protocol/requests.js';
import type { ResponseBodies } from '../protocol/responses.js';
import { toClientPath, toServerPath } from '../session/chroot.js';
import type { WatchRegistration } from '../session/pending.js';
import type { Session } from '../session/session.js';
import type { ValidityHold } from '../session/validity-keeper.js';
import { type SessionState, type StateChange, isTerminal } from '../session/state.js';
import type { WatchKind, RawWatchEvent } from '../session/watches.js';
import type { CreateOptions, Data, ReadOp, WriteOp } from './op.js';
import { PersistentWatch } from './persistent-watch.js';
import {
  type DataResult,
  type ReadResult,
  type VersionOptions,
  type WatchOption,
  type WatchTypeName,
  type WriteResult,
  checkVersion,
  notAn,
  readResults,
  toBytes,
  writeResults,
} from './results.js';
import { type WatchedEvent, eventTypeName, keeperStateName } from './watched-event.js';

const encoder = new TextEncoder();

/**
 * A ZooKeeper session: ZooKeeper's verbs, promise-returning, chroot-aware. Made by `connect()`.
 *
 * Ordering: every method validates, encodes and enqueues synchronously, so requests reach the server in
 * call order, pipelined, and their promises settle in that order. For that, each method returns the
 * session's promise through exactly one reaction (one `.then`): the session settles in reply order, and
 * equal depth keeps it so for callers mixing methods.
 * Notable errors (all ZooKeeperError subclasses): NoNodeError, NodeExistsError, BadVersionError,
 * NotEmptyError, NoAuthError, InvalidACLError from the server; ConnectionLossError for every request made
 * before a connection loss was observed, in flight or still queued (a write may or may not have been
 * applied: `guaranteesNoChange` says false; retrying failed calls in order keeps their order, and calls made
 * while disconnected wait for the next connection); RequestTimeoutError past the request deadline; SessionExpiredError / ClientClosedError /
 * AuthFailedError once the session is over; InvalidArgumentError for bad paths or arguments, before
 * anything is sent. Every method below can also fail with these, beside the errors it names:
 *
 * @throws {@link ConnectionLossError} for every request made before a connection loss was noticed (a write
 *   may or may not have been applied).
 * @throws {@link RequestTimeoutError} past the request deadline (`requestTimeout`).
 * @throws {@link SessionExpiredError} / {@link ClientClosedError} / {@link AuthFailedError} once the session is over.
 * @throws {@link InvalidArgumentError} for a bad path or argument, before anything is sent.
 * @throws {@link QueueFullError} past `maxQueuedBytes` of queued and in-flight requests.
 *
 * @example
 * ```ts
 * import { connect } from 'zkts';
 *
 * await using zk = await connect('127.0.0.1:2181/app', { sessionTimeout: 10_000 });
 * await zk.create('/config', 'v1');
 * const { data, stat, watch } = await zk.getData('/config', { watch: true });
 * await zk.setData('/config', 'v2', { version: stat.version });
 * console.log(await watch); // { type: 'NodeDataChanged', state: 'SyncConnected', path: '/config' }
 * ```
 */
export class ZooKeeper implements AsyncDisposable {
  private readonly session: Session;
  /** Server-side prefix of every path ("" for none). */
  readonly chroot: string;

  // Private, so that `new ZooKeeper()` does not type-check for users: a client comes from `connect()`.
  private constructor(session: Session, chroot: string) {
    this.session = session;
    this.chroot = chroot;
  }

  /** @internal Made by `connect()` around its session. */
  static open(session: Session, chroot: string): ZooKeeper {
    return new ZooKeeper(session, chroot);
  }

  // ---------------------------------------------------------------- state

  /** The session's state now; follow it with `onStateChange` or `states()`. */
  get state(): SessionState {
    return this.session.state;
  }

  /** The session id (0n before the first connection). */
  get sessionId(): bigint {
    return this.session.sessionId;
  }

  /** The session timeout the server granted, ms. */
  get sessionTimeout(): number {
    return this.session.negotiatedTimeout;
  }

  /** The highest zxid seen in a reply. */
  get lastZxid(): bigint {
    return this.session.lastZxid;
  }

  /**
   * Monotonic time (see `now()`) at which the last request that got an answer was sent, pings included.
   * The server that answered heard from the session then. On an ensemble that server may be a follower
   * cut off from the leader, which expires sessions: leases use `sessionValidUntil`, not this.
   */
  get lastAckedSendTime(): number {
    return this.session.lastAckedSendTime;
  }

  /**
   * Monotonic time (see `now()`) before which the ensemble cannot expire this session, as proven by
   * answers that had to pass through the leader (a follower cut off from the leader proves nothing);
   * -Infinity when nothing proves it (before the first connection, on a read-only server). It assumes the
   * server's tickTime is at most half the session timeout (true unless minSessionTimeout was set below
   * 2 × tickTime) and clocks that drift by at most 0.1%. Kept fresh while a `holdSessionValidity()` is held.
   */
  get sessionValidUntil(): number {
    return this.session.validity.validUntil;
  }

  /**
   * Keeps `sessionValidUntil` renewed until `release()`: when the session's own writes do not renew it,
   * one sync and one write that changes nothing (a multi checking the server root) per 0.3 × session
   * timeout. `ready(margin)` resolves once `sessionValidUntil - margin` lies ahead and renewal can keep it
   * there on a healthy connection (margin at most a quarter of the session timeout). Locks use it.
   */
  holdSessionValidity(): ValidityHold {
    return this.session.holdValidity();
  }

  /** The monotonic clock the client uses, in ms. */
  now(): number {
    return this.session.now();
  }

  /** Calls `listener` on every state change; returns the function that unsubscribes it. */
  onStateChange(listener: (change: StateChange) => void): () => void {
    return this.session.onStateChange(listener);
  }

  /** State changes as an async iterable; it ends after a terminal state (expired, authFailed, closed). */
  async *states(): AsyncGenerator<StateChange> {
    const queue: StateChange[] = [];
    let wake: (() => void) | undefined;
    const off = this.session.onStateChange((change) => {
      queue.push(change);
      wake?.();
    });
    try {
      for (;;) {
        const change = queue.shift();
        if (change !== undefined) {
          yield change;
          if (isTerminal(change.state)) return;
          continue;
        }
        if (this.session.endError !== undefined) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      off();
    }
  }

  // ---------------------------------------------------------------- paths

  private serverPath(path: string, sequential = false): string {
    validatePath(path, sequential);
    return toServerPath(this.chroot, path);
  }

  private clientPath(serverPath: string): string {
    return toClientPath(this.chroot, serverPath);
  }

  private send<R extends Request>(request: R, path: string | undefined, watch?: WatchRegistration): Promise<ResponseBodies[R['op']]> {
    return this.session.submit(request, { path, watch });
  }

  /** Runs `fn` (validation and enqueueing); turns a synchronous throw into a rejected promise. */
  private call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return fn();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  // ---------------------------------------------------------------- writes

  /**
   * Creates a node and returns its path (with the sequence suffix for sequential modes).
   *
   * @throws {@link NodeExistsError} when the node exists.
   * @throws {@link NoNodeError} when the parent does not exist.
   * @throws {@link NoChildrenForEphemeralsError} when the parent is ephemeral.
   * @throws {@link InvalidACLError} for an empty or malformed ACL.
   * @throws {@link UnimplementedError} for the TTL modes on a server without `extendedTypesEnabled`.
   * @example
   * ```ts
   * await zk.create('/app', null);
   * const path = await zk.create('/app/job-', 'payload', { mode: CreateMode.PERSISTENT_SEQUENTIAL }); // '/app/job-0000000000'
   * ```
   */
  create(path: string, data?: Data, options: CreateOptions = {}): Promise<string> {
    return this.call(() => this.send(this.createRequestFor(path, data, options), path).then((r) => this.clientPath(r.path)));
  }

  /**
   * Like `create`, also returning the new node's Stat (create2; czxid is the node's creation zxid).
   *
   * @throws The errors of {@link ZooKeeper.create}.
   */
  createWithStat(path: string, data?: Data, options: CreateOptions = {}): Promise<{ path: string; stat: Stat }> {
    return this.call(() => {
      const request = this.createRequestFor(path, data, options);
      return this.send(request, path).then((r) => ({ path: this.clientPath(r.path), stat: r.stat }));
    });
  }

  private createRequestFor(path: string, data: Data, options: CreateOptions): CreateKindRequest {
    const mode = options.mode ?? CreateMode.PERSISTENT;
    const info = createModeInfo(mode);
    if (info === undefined) throw new InvalidArgumentError(`unknown create mode ${mode}`, { path });
    const serverPath = this.serverPath(path, info.sequential);
    try {
      return createRequest(serverPath, toBytes(data), options.acl ?? OPEN_ACL_UNSAFE, mode, options.ttl);
    } catch (err) {
      // The codec only knows the server path; errors name the caller's (chroot-relative) path.
      if (err instanceof InvalidArgumentError) throw new InvalidArgumentError(err.message, { path });
      throw err;
    }
  }

  /**
   * Deletes a node.
   *
   * @throws {@link NoNodeError} when the node does not exist.
   * @throws {@link BadVersionError} when `version` is given and differs.
   * @throws {@link NotEmptyError} when the node has children.
   */
  delete(path: string, options: VersionOptions = {}): Promise<void> {
    return this.call(() =>
      this.send({ op: 'delete', path: this.serverPath(path), version: checkVersion(options.version) }, path).then(() => undefined),
    );
  }

  /**
   * Replaces a node's data; returns the new Stat.
   *
   * @throws {@link NoNodeError} when the node does not exist.
   * @throws {@link BadVersionError} when `version` is given and differs (a compare-and-set lost).
   * @example
   * ```ts
   * const { data, stat } = await zk.getData('/counter');
   * await zk.setData('/counter', String(Number(new TextDecoder().decode(data!)) + 1), { version: stat.version });
   * ```
   */
  setData(path: string, data: Data, options: VersionOptions = {}): Promise<Stat> {
    return this.call(() =>
      this.send({ op: 'setData', path: this.serverPath(path), data: toBytes(data), version: checkVersion(options.version) }, path).then(
        (r) => r.stat,
      ),
    );
  }

  /**
   * Replaces a node's ACL (`version` is the ACL version, `aversion`).
   *
   * @throws {@link NoNodeError} when the node does not exist.
   * @throws {@link BadVersionError} when `version` is given and differs.
   * @throws {@link NoAuthError} without ADMIN permission on the node.
   * @throws {@link InvalidACLError} for an empty or malformed ACL.
   */
  setACL(path: string, acl: readonly ACL[], options: VersionOptions = {}): Promise<Stat> {
    return this.call(() => {
      checkACL(acl, path);
      return this.send({ op: 'setACL', path: this.serverPath(path), acl, version: checkVersion(options.version) }, path).then(
        (r) => r.stat,
      );
    });
  }

  // ---------------------------------------------------------------- reads

  /**
   * The node's Stat, or null if it does not exist. With `{ watch: true }` also a promise of the next event
   * (set even when the node is missing: it then fires NodeCreated).
   *
   * @example
   * ```ts
   * const { stat, watch } = await zk.exists('/ready', { watch: true });
   * if (stat === null) await watch; // NodeCreated
   * ```
   */
  exists(path: string): Promise<Stat | null>;
  exists(path: string, options: WatchOption): Promise<{ stat: Stat | null; watch: Promise<WatchedEvent> }>;
  exists(path: string, options?: WatchOption): Promise<unknown> {
    return this.call(() => {
      const serverPath = this.serverPath(path);
      const w = options?.watch === true ? this.oneShot(serverPath, 'existsAware') : undefined;
      const reply = this.send({ op: 'exists', path: serverPath, watch: w !== undefined }, path, w?.registration);
      const result = (stat: Stat | null): unknown => (w === undefined ? stat : { stat, watch: w.event });
      return reply.then(
        (r) => result(r.stat),
        (err: ZooKeeperError) => {
          if (err.errno === ErrorCode.NONODE) return result(null);
          throw err;
        },
      );
    });
  }

  /**
   * The node's data and Stat. With `{ watch: true }` also a promise of the next data event or deletion.
   *
   * @throws {@link NoNodeError} when the node does not exist (no watch is left then).
   * @throws {@link NoAuthError} without READ permission.
   */
  getData(path: string): Promise<DataResult>;
  getData(path: string, options: WatchOption): Promise<DataResult & { watch: Promise<WatchedEvent> }>;
  getData(path: string, options?: WatchOption): Promise<unknown> {
    return this.call(() => {
      const serverPath = this.serverPath(path);
      const w = options?.watch === true ? this.oneShot(serverPath, 'data') : undefined;
      const reply = this.send({ op: 'getData', path: serverPath, watch: w !== undefined }, path, w?.registration);
      return reply.then((r) => (w === undefined ? { data: r.data, stat: r.stat } : { data: r.data, stat: r.stat, watch: w.event }));
    });
  }

  /**
   * Arms a one-shot data watch on each node in one request (SetWatches, the request a client replays after
   * a reconnect), without reading anything: for each path, a promise of its next NodeDataChanged or
   * NodeDeleted. Nothing since this client's last seen zxid is missed: a node already gone fires
   * NodeDeleted at once, one changed since fires NodeDataChanged at once. So a read followed by
   * `watchData` on what it returned watches as `getData(path, { watch: true })` after it would, for
   * many nodes at the cost of one request. No ACL is checked (none is needed to watch).
   *
   * @throws {@link ConnectionLossError} when the connection is lost first (nothing is armed then).
   * @example
   * ```ts
   * const [a, b] = await zk.watchData(['/config/a', '/config/b']); // one request
   * const first = await Promise.race([a, b]);
   * ```
   */
  watchData(paths: readonly string[]): Promise<Promise<WatchedEvent>[]> {
    return this.call(() => {
      const shots = paths.map((p) => this.oneShot(this.serverPath(p), 'data'));
      return this.session.setDataWatches(shots.map((s) => s.registration)).then(() => shots.map((s) => s.event));
    });
  }

  /**
   * Child names (not paths), in no particular order. With `{ watch: true }` also a promise of the next child event.
   *
   * @throws {@link NoNodeError} when the node does not exist.
   * @throws {@link NoAuthError} without READ permission.
   */
  getChildren(path: string): Promise<string[]>;
  getChildren(path: string, options: WatchOption): Promise<{ children: string[]; watch: Promise<WatchedEvent> }>;
  getChildren(path: string, options?: WatchOption): Promise<unknown> {
    return this.call(() => {
      const serverPath = this.serverPath(path);
      const w = options?.watch === true ? this.oneShot(serverPath, 'child') : undefined;
      return this.send({ op: 'getChildren', path: serverPath, watch: w !== undefined }, path, w?.registration).then((r) =>
        w === undefined ? (r.children ?? []) : { children: r.children ?? [], watch: w.event },
      );
    });
  }

  /**
   * Child names and the parent's Stat (getChildren2).
   *
   * @throws {@link NoNodeError} when the node does not exist.
   * @throws {@link NoAuthError} without READ permission.
   */
  getChildrenWithStat(path: string): Promise<{ children: string[]; stat: Stat }>;
  getChildrenWithStat(path: string, options: WatchOption): Promise<{ children: string[]; stat: Stat; watch: Promise<WatchedEvent> }>;
  getChildrenWithStat(path: string, options?: WatchOption): Promise<unknown> {
    return this.call(() => {
      const serverPath = this.serverPath(path);
      const w = options?.watch === true ? this.oneShot(serverPath, 'child') : undefined;
      return this.send({ op: 'getChildren2', path: serverPath, watch: w !== undefined }, path, w?.registration).then((r) =>
        w === undefined ? { children: r.children ?? [], stat: r.stat } : { children: r.children ?? [], stat: r.stat, watch: w.event },
      );
    });
  }

  /**
   * The node's ACL and Stat.
   *
   * @throws {@link NoNodeError} when the node does not exist.
   */
  getACL(path: string): Promise<{ acl: ACL[]; stat: Stat }> {
    return this.call(() =>
      this.send({ op: 'getACL', path: this.serverPath(path) }, path).then((r) => ({
        acl: r.acl ?? [],
        stat: r.stat,
      })),
    );
  }

  /**
   * Waits until the connected server has caught up with the leader as of this call; reads after it see that state.
   *
   * @example
   * ```ts
   * await zk.sync('/config');
   * const { data } = await zk.getData('/config'); // at least as new as the leader's state when sync was sent
   * ```
   */
  sync(path = '/'): Promise<string> {
    return this.call(() => this.send({ op: 'sync', path: this.serverPath(path) }, path).then((r) => this.clientPath(r.path)));
  }

  /**
   * This session's ephemeral nodes whose path starts with `prefix` (a plain string prefix, as the server matches it). 3.6+.
   *
   * @throws {@link UnimplementedError} on servers before 3.6.
   */
  getEphemerals(prefix = '/'): Promise<string[]> {
    return this.call(() => {
      const serverPrefix = prefix === '/' ? (this.chroot === '' ? '/' : this.chroot) : this.serverPath(prefix);
      return this.send({ op: 'getEphemerals', prefixPath: serverPrefix }, prefix).then((r) =>
        (r.ephemerals ?? [])
          .filter((p) => this.chroot === '' || p === this.chroot || p.startsWith(`${this.chroot}/`))
          .map((p) => this.clientPath(p)),
      );
    });
  }

  /**
   * The number of all descendants of a node (not counting itself). 3.6+.
   *
   * @throws {@link NoNodeError} when the node does not exist.
   * @throws {@link UnimplementedError} on servers before 3.6.
   */
  getAllChildrenNumber(path: string): Promise<number> {
    return this.call(() => this.send({ op: 'getAllChildrenNumber', path: this.serverPath(path) }, path).then((r) => r.totalNumber));
  }

  /**
   * The identities this session is authenticated as. 3.7+.
   *
   * @throws {@link UnsupportedError} on older servers (which also drop the connection).
   */
  whoAmI(): Promise<ClientInfo[]> {
    return this.send({ op: 'whoAmI' }, undefined).then(
      (r) => r.clientInfo ?? [],
      (err: unknown) => {
        if (err instanceof UnimplementedError) throw new UnsupportedError('whoAmI needs a ZooKeeper 3.7+ server', { cause: err });
        throw err;
      },
    );
  }

  // ---------------------------------------------------------------- multi

  /**
   * Applies write ops atomically: all succeed or none is applied.
   *
   * @throws {@link MultiError}: the first failing op's error class ({@link NoNodeError}, {@link BadVersionError},
   *   {@link NodeExistsError}, ...) with `opIndex` and `opErrors`; test it with {@link isMultiError}.
   * @example
   * ```ts
   * await zk.multi([op.check('/config', 1), op.create('/config/a', null, { mode: CreateMode.EPHEMERAL })]);
   * ```
   */
  multi(writeOps: readonly WriteOp[]): Promise<WriteResult[]> {
    return this.call(() => {
      if (writeOps.length === 0) return Promise.resolve([]); // as Java: an empty multi never reaches the server
      const multiOps = writeOps.map((o) => this.toMultiOp(o));
      return this.send({ op: 'multi', ops: multiOps }, writeOps[0]!.path).then((results) =>
        writeResults(writeOps, results, (path) => this.clientPath(path)),
      );
    });
  }

  private toMultiOp(o: WriteOp): MultiOp {
    switch (o.type) {
      case 'create':
        return this.createRequestFor(o.path, o.data, o.options);
      case 'delete':
        return { op: 'delete', path: this.serverPath(o.path), version: checkVersion(o.version) };
      case 'setData':
        return { op: 'setData', path: this.serverPath(o.path), data: toBytes(o.data), version: checkVersion(o.version) };
      case 'check':
        return { op: 'check', path: this.serverPath(o.path), version: checkVersion(o.version) };
      default:
        return notAn('write op', o);
    }
  }

  /**
   * Runs reads in one request; each op succeeds or fails on its own (no watches are set). 3.6+.
   * A failed op is a result of type 'error', not a rejection.
   *
   * @throws {@link UnimplementedError} on servers before 3.6.
   * @example
   * ```ts
   * const [a, b] = await zk.multiRead([op.getData('/a'), op.getChildren('/b')]);
   * ```
   */
  multiRead(readOps: readonly ReadOp[]): Promise<ReadResult[]> {
    return this.call(() => {
      if (readOps.length === 0) return Promise.resolve([]);
      const multiOps: MultiOp[] = readOps.map((o) => {
        if (o.type !== 'getData' && o.type !== 'getChildren') return notAn('read op', o);
        return { op: o.type, path: this.serverPath(o.path), watch: false };
      });
      return this.send({ op: 'multiRead', ops: multiOps }, readOps[0]!.path).then((results) => readResults(readOps, results));
    });
  }

  // ---------------------------------------------------------------- auth

  /**
   * Adds a credential to the session, in call order: requests made before this call do not carry it,
   * requests made after it do. It is replayed first on every later connection. While disconnected the
   * call waits for the next connection (it never fails with ConnectionLossError).
   *
   * @throws {@link AuthFailedError} when the server rejected it (the session ends).
   * @throws {@link RequestTimeoutError} past the request deadline (the credential stays and is still sent on
   *   later connections).
   * @throws {@link SessionExpiredError} / {@link ClientClosedError}: the session's end error.
   * @example
   * ```ts
   * await zk.addAuth('digest', 'user:password');
   * ```
   */
  addAuth(scheme: string, auth: Uint8Array | string): Promise<void> {
    return this.session.addAuth({ scheme, auth: typeof auth === 'string' ? encoder.encode(auth) : auth });
  }

  // ---------------------------------------------------------------- watches

  /** A one-shot watcher: registration for the session, and the promise of its event. */
  private oneShot(serverPath: string, kind: WatchKind | 'existsAware'): { registration: WatchRegistration; event: Promise<WatchedEvent> } {
    let resolve!: (e: WatchedEvent) => void;
    const event = new Promise<WatchedEvent>((r) => (resolve = r));
    const watcher = (e: RawWatchEvent): void => resolve(this.toWatchedEvent(e));
    return { registration: { path: serverPath, kind, watcher }, event };
  }

  private toWatchedEvent(e: RawWatchEvent): WatchedEvent {
    return { type: eventTypeName(e.type), state: keeperStateName(e.state), path: e.path === '' ? '' : this.clientPath(e.path) };
  }

  /**
   * Adds a persistent (or, with `recursive`, persistent-recursive) watch: every change, not just the next.
   * Recursive watches report NodeCreated, NodeDataChanged and NodeDeleted for the path and all descendants,
   * never NodeChildrenChanged. 3.6+. On 3.8 servers, do not also set one-shot watches on the same path
   * (ZOOKEEPER-4466: the server keeps one mode per path).
   *
   * @throws {@link UnimplementedError} on servers before 3.6.
   * @example
   * ```ts
   * const watch = await zk.addWatch('/config', { recursive: true });
   * for await (const event of watch) console.log(event.type, event.path); // until watch.remove(), a break, or the session's end
   * ```
   */
  addWatch(path: string, options: { recursive?: boolean } = {}): Promise<PersistentWatch> {
    return this.call(() => {
      const serverPath = this.serverPath(path);
      const kind: WatchKind = options.recursive === true ? 'persistentRecursive' : 'persistent';
      const watch = PersistentWatch.open(path, () =>
        this.removeWatches(path, kind === 'persistent' ? 'persistent' : 'persistentRecursive').catch(() => {}),
      );
      // Final events: None (the session ended) and PersistentWatchRemoved (7, removeWatches).
      const watcher = (e: RawWatchEvent): void =>
        watch.push(this.toWatchedEvent(e), e.type === EventType.None || e.type === EventType.PersistentWatchRemoved);
      const mode = options.recursive === true ? AddWatchMode.PERSISTENT_RECURSIVE : AddWatchMode.PERSISTENT;
      return this.send({ op: 'addWatch', path: serverPath, mode }, path, { path: serverPath, kind, watcher }).then(() => watch);
    });
  }

  /**
   * Removes every watch of a type on a path, on the server and here; removed one-shot watchers resolve with
   * DataWatchRemoved / ChildWatchRemoved, persistent ones end. With `local`, only here (nothing is sent).
   * 'persistent' and 'persistentRecursive' are removed as 'any' on the server before 3.9 (which rejects 4/5).
   *
   * @throws {@link NoWatcherError} when the server has no such watch on the path.
   */
  async removeWatches(path: string, type: WatchTypeName, options: { local?: boolean } = {}): Promise<void> {
    const serverPath = this.serverPath(path);
    const kinds: WatchKind[] =
      type === 'children'
        ? ['child']
        : type === 'data'
          ? ['data', 'exist']
          : // Any (sent for the persistent types too) removes every kind on the server.
            ['data', 'exist', 'child', 'persistent', 'persistentRecursive'];
    if (options.local !== true) {
      // 3.8 answers MARSHALLINGERROR to WatcherType 4/5; Any also removes persistent watches there.
      const wire = type === 'children' ? WatcherType.Children : type === 'data' ? WatcherType.Data : WatcherType.Any;
      await this.send({ op: 'removeWatches', path: serverPath, type: wire }, path);
    }
    for (const kind of kinds) {
      for (const watcher of this.session.watches.remove(kind, serverPath)) {
        const removedType = kind === 'child' ? 6 : kind === 'data' || kind === 'exist' ? 5 : 7;
        watcher({ type: removedType, state: 3, path: serverPath });
      }
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Closes the session: requests already made are sent and answered first, then closeSession; ephemeral
   * nodes go at once. Idempotent; bounded in time. Everything still pending rejects with ClientClosedError.
   */
  close(): Promise<void> {
    return this.session.close();
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
