/**
 * A small ZooKeeper data tree that answers requests as a healthy server does, whatever carries them (the
 * memory transport in memory-zookeeper.ts, a socket in fake-server.ts). Modelled, where clients and
 * recipes depend on it: sequential names from the parent's cversion (PrepRequestProcessor's `%010d`),
 * ephemeral owners, one-shot data, exist and child watches notified before the reply of the request that
 * triggered them (FinalRequestProcessor), SetWatches catch-up relative to the client's zxid
 * (DataTree.setWatches), and multi applied op by op. Not modelled: ACLs, TTL expiry, container reaping,
 * session expiry, read-only mode, persistent watches (addWatch is acknowledged, never fires) and
 * server-side watch removal.
 *
 * A test is another client: `put`, `remove` and `setData` change the tree as a second session would,
 * notifying the watches they trigger.
 */
import { ErrorCode, EventType, KeeperState, createModeInfo } from '../../src/protocol/constants.js';
import type { Stat } from '../../src/protocol/records/data.js';
import type { MultiOp, MultiResult } from '../../src/protocol/records/multi.js';
import type { WatcherEvent } from '../../src/protocol/records/session.js';
import type { Request, RequestOp } from '../../src/protocol/requests.js';
import type { ResponseBodies } from '../../src/protocol/responses.js';
import { javaSeq } from './recipes/contender-names.js';
import { statOf } from './stat.js';

interface ZNode {
  data: Uint8Array | null;
  stat: Stat;
}

/** Raised inside an op: the error code the server answers. */
class OpError extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`error ${code}`);
    this.code = code;
  }
}

/** A client connection as the model sees it: where a watch's notification goes. */
export interface Peer {
  notify(event: WatcherEvent): void;
  /** Gone: notifications are dropped. */
  readonly closed: boolean;
}

/** How a request is answered: a reply with the op's body, or a header-only reply (an error code, or 0). */
export interface Replier {
  ok<K extends RequestOp>(op: K, body: ResponseBodies[K]): void;
  error(code: number): void;
}

type WatchTable = Map<string, Set<Peer>>;

/**
 * The data tree and its watches, whatever carries the requests (the memory transport below, a socket in
 * fake-server.ts): the requests a healthy server answers, with ZooKeeper's semantics.
 */
export class ZooKeeperModel {
  readonly nodes = new Map<string, ZNode>();
  zxid = 0x100n;
  private readonly dataWatches: WatchTable = new Map();
  private readonly childWatches: WatchTable = new Map();

  constructor() {
    this.nodes.set('/', { data: null, stat: statOf({}, 0n) });
  }

  /** Child names of `path`, in creation order. */
  children(path: string): string[] {
    const prefix = path === '/' ? '/' : `${path}/`;
    return [...this.nodes.entries()]
      .filter(([p]) => p !== '/' && p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
      .sort(([, a], [, b]) => (a.stat.czxid < b.stat.czxid ? -1 : 1))
      .map(([p]) => p.slice(prefix.length));
  }

  /** Creates a node as another session would (parents included, persistent); fires the watches it triggers. */
  put(path: string, data: Uint8Array | null = null, ephemeralOwner = 0n): void {
    const parts = path.split('/').filter((p) => p !== '');
    for (let i = 1; i < parts.length; i++) {
      const parent = `/${parts.slice(0, i).join('/')}`;
      if (!this.nodes.has(parent)) this.create(parent, null, 0n);
    }
    this.create(path, data, ephemeralOwner);
  }

  /** Deletes a node as another session would; fires the watches it triggers. */
  remove(path: string): void {
    this.delete(path, -1);
  }

  /** Replaces a node's data as another session would; fires the watches it triggers. */
  setData(path: string, data: Uint8Array | null): void {
    this.write(path, data, -1);
  }

  /** Sets the parent's cversion, hence the sequence number the next sequential child gets. */
  setCversion(path: string, cversion: number): void {
    this.node(path).stat.cversion = cversion;
  }

  /** Deletes the session's ephemeral nodes (its close or expiry). */
  endSession(sessionId: bigint): void {
    for (const [path, node] of [...this.nodes]) if (node.stat.ephemeralOwner === sessionId && this.nodes.has(path)) this.delete(path, -1);
  }

  /**
   * Answers `request` of session `sessionId`, sent by `peer`, from the tree: watches it sets notify
   * `peer`. Returns false, having answered nothing, for a request the model does not handle; the caller
   * does what a server without it does. closeSession is answered and the session's ephemerals deleted:
   * closing the connection is the caller's.
   */
  answer(peer: Peer, sessionId: bigint, request: Request, reply: Replier): boolean {
    try {
      return this.apply(peer, sessionId, request, reply);
    } catch (err) {
      if (!(err instanceof OpError)) throw err;
      reply.error(err.code);
      return true;
    }
  }

  private apply(peer: Peer, sessionId: bigint, request: Request, reply: Replier): boolean {
    switch (request.op) {
      case 'ping':
      case 'auth':
      case 'removeWatches':
        reply.error(0);
        return true;
      case 'sync':
        reply.ok('sync', { path: request.path });
        return true;
      case 'exists': {
        const node = this.nodes.get(request.path);
        if (request.watch) this.watch(this.dataWatches, request.path, peer);
        if (node === undefined) throw new OpError(ErrorCode.NONODE);
        reply.ok('exists', { stat: { ...node.stat } });
        return true;
      }
      case 'getData': {
        const node = this.node(request.path);
        if (request.watch) this.watch(this.dataWatches, request.path, peer);
        reply.ok('getData', { data: node.data, stat: { ...node.stat } });
        return true;
      }
      case 'getChildren':
      case 'getChildren2': {
        const node = this.node(request.path);
        if (request.watch) this.watch(this.childWatches, request.path, peer);
        const children = this.children(request.path);
        if (request.op === 'getChildren') reply.ok('getChildren', { children });
        else reply.ok('getChildren2', { children, stat: { ...node.stat } });
        return true;
      }
      case 'create':
      case 'create2':
      case 'createContainer':
      case 'createTTL': {
        const path = this.createOp(request, sessionId);
        if (request.op === 'create') reply.ok('create', { path });
        else reply.ok(request.op, { path, stat: { ...this.node(path).stat } });
        return true;
      }
      case 'delete':
        this.delete(request.path, request.version);
        reply.error(0);
        return true;
      case 'setData':
        reply.ok('setData', { stat: { ...this.write(request.path, request.data, request.version) } });
        return true;
      case 'multi':
        reply.ok('multi', this.multi(request.ops, sessionId));
        return true;
      case 'setWatches':
      case 'setWatches2':
        this.setWatches(peer, request.relativeZxid, request.dataWatches, request.existWatches, request.childWatches);
        reply.error(0);
        return true;
      case 'addWatch':
        // Acknowledged; persistent watches are not modelled (they never fire here).
        reply.ok('addWatch', { err: 0 });
        return true;
      case 'closeSession':
        this.endSession(sessionId);
        reply.error(0);
        return true;
      default:
        return false;
    }
  }

  // ---------------------------------------------------------------- the tree

  private node(path: string): ZNode {
    const node = this.nodes.get(path);
    if (node === undefined) throw new OpError(ErrorCode.NONODE);
    return node;
  }

  private createOp(request: Extract<MultiOp, { op: 'create' | 'create2' | 'createContainer' | 'createTTL' }>, sessionId: bigint): string {
    const info = createModeInfo(request.flags);
    if (info === undefined) throw new OpError(ErrorCode.BADARGUMENTS);
    const parentPath = parentOf(request.path);
    const parent = this.node(parentPath);
    if (parent.stat.ephemeralOwner !== 0n) throw new OpError(ErrorCode.NOCHILDRENFOREPHEMERALS);
    const path = info.sequential ? request.path + javaSeq(parent.stat.cversion) : request.path;
    if (this.nodes.has(path)) throw new OpError(ErrorCode.NODEEXISTS);
    this.create(path, request.data, info.ephemeral ? sessionId : 0n);
    return path;
  }

  private create(path: string, data: Uint8Array | null, ephemeralOwner: bigint): void {
    const parentPath = parentOf(path);
    const parent = this.node(parentPath);
    const zxid = ++this.zxid;
    this.nodes.set(path, { data, stat: statOf({ dataLength: data?.length ?? 0, ephemeralOwner }, zxid) });
    parent.stat.cversion++;
    parent.stat.numChildren++;
    parent.stat.pzxid = zxid;
    this.fire(this.dataWatches, path, EventType.NodeCreated);
    this.fire(this.childWatches, parentPath, EventType.NodeChildrenChanged);
  }

  private delete(path: string, version: number): void {
    const node = this.node(path);
    if (version !== -1 && version !== node.stat.version) throw new OpError(ErrorCode.BADVERSION);
    if (this.children(path).length > 0) throw new OpError(ErrorCode.NOTEMPTY);
    const parentPath = parentOf(path);
    const parent = this.node(parentPath);
    const zxid = ++this.zxid;
    this.nodes.delete(path);
    parent.stat.cversion++;
    parent.stat.numChildren--;
    parent.stat.pzxid = zxid;
    this.fire(this.dataWatches, path, EventType.NodeDeleted);
    this.fire(this.childWatches, path, EventType.NodeDeleted);
    this.fire(this.childWatches, parentPath, EventType.NodeChildrenChanged);
  }

  private write(path: string, data: Uint8Array | null, version: number): Stat {
    const node = this.node(path);
    if (version !== -1 && version !== node.stat.version) throw new OpError(ErrorCode.BADVERSION);
    node.data = data;
    node.stat.mzxid = ++this.zxid;
    node.stat.version++;
    node.stat.dataLength = data?.length ?? 0;
    this.fire(this.dataWatches, path, EventType.NodeDataChanged);
    return node.stat;
  }

  /** Op by op; on the first failure the ops before it stay applied (no rollback: enough for these tests). */
  private multi(ops: readonly MultiOp[], sessionId: bigint): MultiResult[] {
    const results: MultiResult[] = [];
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      try {
        switch (op.op) {
          case 'check': {
            const node = this.node(op.path);
            if (op.version !== -1 && op.version !== node.stat.version) throw new OpError(ErrorCode.BADVERSION);
            results.push({ op: 'check' });
            break;
          }
          case 'create':
          case 'create2':
          case 'createContainer':
          case 'createTTL': {
            const path = this.createOp(op, sessionId);
            results.push(op.op === 'create' ? { op: 'create', path } : { op: 'create2', path, stat: { ...this.node(path).stat } });
            break;
          }
          case 'delete':
            this.delete(op.path, op.version);
            results.push({ op: 'delete' });
            break;
          case 'setData':
            results.push({ op: 'setData', stat: { ...this.write(op.path, op.data, op.version) } });
            break;
          default:
            throw new OpError(ErrorCode.BADARGUMENTS);
        }
      } catch (err) {
        if (!(err instanceof OpError)) throw err;
        const failed: MultiResult[] = ops.map((_, j) => ({
          op: 'error',
          err: j < i ? 0 : j === i ? err.code : ErrorCode.RUNTIMEINCONSISTENCY,
        }));
        return failed;
      }
    }
    return results;
  }

  // ---------------------------------------------------------------- watches

  private watch(table: WatchTable, path: string, peer: Peer): void {
    let set = table.get(path);
    if (set === undefined) table.set(path, (set = new Set()));
    set.add(peer);
  }

  /** Sends the event to every connection watching `path` in `table`, and clears those watches (one-shot). */
  private fire(table: WatchTable, path: string, type: number): void {
    const watchers = table.get(path);
    if (watchers === undefined) return;
    table.delete(path);
    for (const peer of watchers) if (!peer.closed) peer.notify({ type, state: KeeperState.SyncConnected, path });
  }

  private setWatches(peer: Peer, relativeZxid: bigint, data: string[], exist: string[], child: string[]): void {
    const event = (type: number, path: string): void => peer.notify({ type, state: KeeperState.SyncConnected, path });
    for (const path of data) {
      const node = this.nodes.get(path);
      if (node === undefined) event(EventType.NodeDeleted, path);
      else if (node.stat.mzxid > relativeZxid) event(EventType.NodeDataChanged, path);
      else this.watch(this.dataWatches, path, peer);
    }
    for (const path of exist) {
      if (this.nodes.has(path)) event(EventType.NodeCreated, path);
      else this.watch(this.dataWatches, path, peer);
    }
    for (const path of child) {
      const node = this.nodes.get(path);
      if (node === undefined) event(EventType.NodeDeleted, path);
      else if (node.stat.pzxid > relativeZxid) event(EventType.NodeChildrenChanged, path);
      else this.watch(this.childWatches, path, peer);
    }
  }
}

function parentOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at <= 0 ? '/' : path.slice(0, at);
}
