/**
 * The ZooKeeper API: ZooKeeper's verbs, promise-returning, chroot-aware.
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
 * anything is sent.
 */
import {
  InvalidArgumentError,
  UnimplementedError,
  UnsupportedError,
  type ZooKeeperError,
  errorFromCode,
} from '../errors.js';
import { OPEN_ACL_UNSAFE } from '../protocol/acl.js';
import { AddWatchMode, CreateMode, ErrorCode, EventType, WatcherType, createModeInfo } from '../protocol/constants.js';
import { type CreateKindRequest, createRequest } from '../protocol/create.js';
import { validatePath } from '../protocol/path.js';
import type { ACL, ClientInfo, Stat } from '../protocol/records/data.js';
import type { MultiOp, MultiResult } from '../protocol/records/multi.js';
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
import { type WatchedEvent, eventTypeName, keeperStateName } from './watched-event.js';

const encoder = new TextEncoder();

export interface VersionOptions {
  /** Expected version; -1 (default) matches any. */
  version?: number | undefined;
}

export interface WatchOption {
  watch: true;
}

export interface DataResult {
  /** A view of the received frame (zkts never reuses it); null when the node holds null data. */
  data: Uint8Array | null;
  stat: Stat;
}

/** The outcome of one op of a successful multi. */
export type WriteResult =
  | { type: 'create'; path: string; stat?: Stat | undefined }
  | { type: 'delete' }
  | { type: 'setData'; stat: Stat }
  | { type: 'check' };

/** The outcome of one op of a multiRead: each op succeeds or fails on its own. */
export type ReadResult =
  | { type: 'getData'; data: Uint8Array | null; stat: Stat }
  | { type: 'getChildren'; children: string[] }
  | { type: 'error'; error: ZooKeeperError };

/**
 * The error a failed multi rejects with: the first failing op's error (NoNodeError, BadVersionError,
 * ...), with the op's index and every op's error code (0 before it, RUNTIMEINCONSISTENCY after it).
 */
export type MultiError = ZooKeeperError & { opIndex: number; opErrors: number[] };

export function isMultiError(error: unknown): error is MultiError {
  return typeof error === 'object' && error !== null && 'opIndex' in error && 'opErrors' in error;
}

export type WatchTypeName = 'children' | 'data' | 'any' | 'persistent' | 'persistentRecursive';

function toBytes(data: Data): Uint8Array | null {
  if (data === undefined || data === null) return null;
  if (typeof data === 'string') return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  throw new InvalidArgumentError('data must be a Uint8Array, a string, null or undefined');
}

function checkVersion(version: number | undefined): number {
  const v = version ?? -1;
  if (!Number.isInteger(v) || v < -1 || v > 0x7fffffff) throw new InvalidArgumentError(`bad version ${version}`);
  return v;
}

/** What a caller passed where the types allow nothing else (plain JavaScript callers can). */
function notAn(what: string, value: never): never {
  throw new InvalidArgumentError(`not a ${what}: ${JSON.stringify(value)}`);
}

export class ZooKeeper implements AsyncDisposable {
  private readonly session: Session;
  /** Server-side prefix of every path ("" for none). */
  readonly chroot: string;

  /** @internal Use `connect()`. */
  constructor(session: Session, chroot: string) {
    this.session = session;
    this.chroot = chroot;
  }

  // ---------------------------------------------------------------- state

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
   * Notable errors: NodeExistsError, NoNodeError (no parent), NoChildrenForEphemeralsError, InvalidACLError,
   * UnimplementedError (TTL modes on a server without extendedTypesEnabled).
   */
  create(path: string, data?: Data, options: CreateOptions = {}): Promise<string> {
    return this.call(() =>
      this.send(this.createRequestFor(path, data, options), path).then((r) => this.clientPath(r.path)),
    );
  }

  /** Like `create`, also returning the new node's Stat (create2; czxid is the node's creation zxid). */
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

  /** Deletes a node. Notable errors: NoNodeError, BadVersionError, NotEmptyError. */
  delete(path: string, options: VersionOptions = {}): Promise<void> {
    return this.call(() =>
      this.send({ op: 'delete', path: this.serverPath(path), version: checkVersion(options.version) }, path).then(
        () => undefined,
      ),
    );
  }

  /** Replaces a node's data; returns the new Stat. Notable errors: NoNodeError, BadVersionError. */
  setData(path: string, data: Data, options: VersionOptions = {}): Promise<Stat> {
    return this.call(() =>
      this.send(
        { op: 'setData', path: this.serverPath(path), data: toBytes(data), version: checkVersion(options.version) },
        path,
      ).then((r) => r.stat),
    );
  }

  /** Replaces a node's ACL (version is the aversion). Notable errors: NoNodeError, BadVersionError, NoAuthError. */
  setACL(path: string, acl: readonly ACL[], options: VersionOptions = {}): Promise<Stat> {
    return this.call(() =>
      this.send(
        { op: 'setACL', path: this.serverPath(path), acl, version: checkVersion(options.version) },
        path,
      ).then((r) => r.stat),
    );
  }

  // ---------------------------------------------------------------- reads

  /** The node's Stat, or null if it does not exist. With `{ watch: true }` also a promise of the next event (set even when the node is missing). */
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

  /** The node's data and Stat. With `{ watch: true }` also a promise of the next data event or deletion. */
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
   * Notable errors: ConnectionLossError (nothing is armed then), InvalidArgumentError for a bad path.
   */
  watchData(paths: readonly string[]): Promise<Promise<WatchedEvent>[]> {
    return this.call(() => {
      const shots = paths.map((p) => this.oneShot(this.serverPath(p), 'data'));
      return this.session.setDataWatches(shots.map((s) => s.registration)).then(() => shots.map((s) => s.event));
    });
  }

  /** Child names (not paths), in no particular order. With `{ watch: true }` also a promise of the next child event. */
  getChildren(path: string): Promise<string[]>;
  getChildren(path: string, options: WatchOption): Promise<{ children: string[]; watch: Promise<WatchedEvent> }>;
  getChildren(path: string, options?: WatchOption): Promise<unknown> {
    return this.call(() => {
      const serverPath = this.serverPath(path);
      const w = options?.watch === true ? this.oneShot(serverPath, 'child') : undefined;
      return this.send(
        { op: 'getChildren', path: serverPath, watch: w !== undefined },
        path,
        w?.registration,
      ).then((r) => (w === undefined ? (r.children ?? []) : { children: r.children ?? [], watch: w.event }));
    });
  }

  /** Child names and the parent's Stat (getChildren2). */
  getChildrenWithStat(path: string): Promise<{ children: string[]; stat: Stat }>;
  getChildrenWithStat(
    path: string,
    options: WatchOption,
  ): Promise<{ children: string[]; stat: Stat; watch: Promise<WatchedEvent> }>;
  getChildrenWithStat(path: string, options?: WatchOption): Promise<unknown> {
    return this.call(() => {
      const serverPath = this.serverPath(path);
      const w = options?.watch === true ? this.oneShot(serverPath, 'child') : undefined;
      return this.send(
        { op: 'getChildren2', path: serverPath, watch: w !== undefined },
        path,
        w?.registration,
      ).then((r) =>
        w === undefined ? { children: r.children ?? [], stat: r.stat } : { children: r.children ?? [], stat: r.stat, watch: w.event },
      );
    });
  }

  /** The node's ACL and Stat. */
  getACL(path: string): Promise<{ acl: ACL[]; stat: Stat }> {
    return this.call(() =>
      this.send({ op: 'getACL', path: this.serverPath(path) }, path).then((r) => ({
        acl: r.acl ?? [],
        stat: r.stat,
      })),
    );
  }

  /** Waits until the connected server has caught up with the leader as of this call; reads after it see that state. */
  sync(path = '/'): Promise<string> {
    return this.call(() =>
      this.send({ op: 'sync', path: this.serverPath(path) }, path).then((r) => this.clientPath(r.path)),
    );
  }

  /** This session's ephemeral nodes whose path starts with `prefix` (a plain string prefix, as the server matches it). 3.6+. */
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

  /** The number of all descendants of a node (not counting itself). 3.6+. */
  getAllChildrenNumber(path: string): Promise<number> {
    return this.call(() =>
      this.send({ op: 'getAllChildrenNumber', path: this.serverPath(path) }, path).then(
        (r) => r.totalNumber,
      ),
    );
  }

  /** The identities this session is authenticated as. 3.7+; UnsupportedError on older servers (which also drop the connection). */
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
   * Notable errors: the first failing op's error, as a MultiError (`opIndex`, `opErrors`).
   */
  multi(writeOps: readonly WriteOp[]): Promise<WriteResult[]> {
    return this.call(() => {
      if (writeOps.length === 0) return Promise.resolve([]); // as Java: an empty multi never reaches the server
      const multiOps = writeOps.map((o) => this.toMultiOp(o));
      return this.send({ op: 'multi', ops: multiOps }, writeOps[0]!.path).then((results) =>
        this.writeResults(writeOps, results),
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

  private writeResults(writeOps: readonly WriteOp[], results: MultiResult[]): WriteResult[] {
    const failed = results.findIndex((r) => r.op === 'error' && r.err !== 0);
    if (failed !== -1) {
      const opErrors = results.map((r) => (r.op === 'error' ? r.err : 0));
      const err: MultiError = Object.assign(errorFromCode(opErrors[failed]!, writeOps[failed]?.path), { opIndex: failed, opErrors });
      throw err;
    }
    return results.map((r): WriteResult => {
      switch (r.op) {
        case 'create':
          return { type: 'create', path: this.clientPath(r.path) };
        case 'create2':
          return { type: 'create', path: this.clientPath(r.path), stat: r.stat };
        case 'delete':
          return { type: 'delete' };
        case 'setData':
          return { type: 'setData', stat: r.stat };
        case 'check':
          return { type: 'check' };
        default:
          throw new InvalidArgumentError(`unexpected multi result ${r.op}`);
      }
    });
  }

  /** Runs reads in one request; each op succeeds or fails on its own (no watches are set). 3.6+. */
  multiRead(readOps: readonly ReadOp[]): Promise<ReadResult[]> {
    return this.call(() => {
      if (readOps.length === 0) return Promise.resolve([]);
      const multiOps: MultiOp[] = readOps.map((o) => {
        if (o.type !== 'getData' && o.type !== 'getChildren') return notAn('read op', o);
        return { op: o.type, path: this.serverPath(o.path), watch: false };
      });
      return this.send({ op: 'multiRead', ops: multiOps }, readOps[0]!.path).then((results) =>
        results.map((r, i): ReadResult => {
          switch (r.op) {
            case 'getData':
              return { type: 'getData', data: r.data, stat: r.stat };
            case 'getChildren':
              return { type: 'getChildren', children: r.children ?? [] };
            case 'error':
              return { type: 'error', error: errorFromCode(r.err, readOps[i]?.path) };
            default:
              throw new InvalidArgumentError(`unexpected multiRead result ${r.op}`);
          }
        }),
      );
    });
  }

  // ---------------------------------------------------------------- auth

  /**
   * Adds a credential to the session, in call order: requests made before this call do not carry it,
   * requests made after it do. It is replayed first on every later connection. While disconnected the
   * call waits for the next connection (it never fails with ConnectionLossError).
   * Notable errors: AuthFailedError (the server rejected it; the session ends); RequestTimeoutError past
   * the request deadline (the credential stays and is still sent on later connections); the session's
   * end error (SessionExpiredError, ClientClosedError).
   */
  addAuth(scheme: string, auth: Uint8Array | string): Promise<void> {
    return this.session.addAuth({ scheme, auth: typeof auth === 'string' ? encoder.encode(auth) : auth });
  }

  // ---------------------------------------------------------------- watches

  /** A one-shot watcher: registration for the session, and the promise of its event. */
  private oneShot(
    serverPath: string,
    kind: WatchKind | 'existsAware',
  ): { registration: WatchRegistration; event: Promise<WatchedEvent> } {
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
   */
  addWatch(path: string, options: { recursive?: boolean } = {}): Promise<PersistentWatch> {
    return this.call(() => {
      const serverPath = this.serverPath(path);
      const kind: WatchKind = options.recursive === true ? 'persistentRecursive' : 'persistent';
      const watch = new PersistentWatch(path, () =>
        this.removeWatches(path, kind === 'persistent' ? 'persistent' : 'persistentRecursive').catch(() => {}),
      );
      // Final events: None (the session ended) and PersistentWatchRemoved (7, removeWatches).
      const watcher = (e: RawWatchEvent): void => watch.push(this.toWatchedEvent(e), e.type === EventType.None || e.type === EventType.PersistentWatchRemoved);
      const mode = options.recursive === true ? AddWatchMode.PERSISTENT_RECURSIVE : AddWatchMode.PERSISTENT;
      return this.send({ op: 'addWatch', path: serverPath, mode }, path, { path: serverPath, kind, watcher }).then(
        () => watch,
      );
    });
  }

  /**
   * Removes every watch of a type on a path, on the server and here; removed one-shot watchers resolve with
   * DataWatchRemoved / ChildWatchRemoved, persistent ones end. With `local`, only here (nothing is sent).
   * 'persistent' and 'persistentRecursive' are removed as 'any' on the server before 3.9 (which rejects 4/5).
   * Notable errors: NoWatcherError.
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

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
