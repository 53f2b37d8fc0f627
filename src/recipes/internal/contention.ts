/**
 * The contention engine shared by Mutex, ReadWriteLock, Semaphore's inner lock and LeaderElection
 * (Curator's LockInternals): create a protected ephemeral-sequential node, list the contenders, and
 * either hold or watch exactly one other node until the rule says we hold.
 *
 * Round trips. create2 and getChildren are sent together: one session's requests are executed and
 * answered in order, so the listing already contains our node and every older contender (1 RT when
 * uncontended; create2 also returns the czxid fencing token and ephemeralOwner). The listing's child
 * watch doubles as the monitor of our own node when we hold at once (and so does a re-read's). When we
 * must wait, getData(watch) on the node to wait for (getData rather than exists, so no creation watch is
 * left on a node already gone: CURATOR-107) goes out with exists(watch) on our own node when that node is
 * the sole blocker (1 RT; the fast path needs it, condition 4); behind several blockers the re-read after
 * the wake-up checks our node instead. Requests per contended acquisition: 5 (create2, getChildren,
 * getData, exists or the re-read, delete), as the standard recipe, but one round trip fewer per hand-off
 * when second in line and one fewer on the uncontended acquire.
 *
 * Skipping the re-read (research recipes.md §7.1). After the watched node's NodeDeleted, the waiter holds
 * the lock WITHOUT listing the children again only when all of these hold, and re-reads otherwise:
 *  1. the last listing showed exactly one contender the rule makes us wait for (`soleBlocker`): with
 *     more, the deleted one may have given up (timeout, crash) while an older one still holds;
 *  2. the event is NodeDeleted on the exact path watched (NodeDataChanged, e.g. a revoker's write, or a
 *     session event is not a deletion);
 *  3. it arrived on the session that created our node (zkts never opens a new session silently; the
 *     session id is compared anyway), so our node existed when the event was sent;
 *  4. no NodeDeleted for our own node arrived first (our exists watch, re-armed after a write to our
 *     node; events arrive in zxid order);
 *  5. the same holds when getData on the blocker answers NONODE: it is already gone.
 * No new older contender can appear later: sequence numbers only grow while the parent exists, and our
 * own node keeps the parent (a container) from being reaped. Each condition has a test.
 *
 * Lost create reply: a connection loss with the create in flight is resolved after reconnecting by
 * listing the children and looking for our `_c_<uuid>-` prefix; a node found is ours only if its
 * ephemeralOwner is this session (a node of an earlier session is never taken for ours: CURATOR-604).
 * Abort, timeout and errors never leave our node behind: it is deleted, retried until gone. Abort and
 * timeout take effect at once, even with a request queued while disconnected; a create whose outcome is
 * then unknown is cleaned up in the background (its reply's path, or our prefix once connected again).
 */
import {
  AcquireTimeoutError,
  CreateMode,
  type Data,
  LockLostError,
  type Stat,
  type WatchedEvent,
  type ZooKeeper,
  ZooKeeperError,
  isRetryable,
} from '../../index.js';
import { type NodeMonitor, deleteGuaranteed, waitConnected } from '../lease.js';
import { Cancelled, isCode, remaining, within } from './bounds.js';
import { type Contender, protectedPrefix, sortContenders } from './lock-name.js';

/** What the rule decides for a listing: hold, or wait for one node. */
export type Decision =
  | { hold: true }
  | {
      hold: false;
      /** Child name of the node to watch. */
      watch: string;
      /** It is the only contender blocking us: its deletion means we hold (fast-path condition 1). */
      soleBlocker: boolean;
    };

/** A lock's rule: given the contenders oldest first and our index among them, hold or wait for one. */
export type Decide = (contenders: readonly Contender[], ours: number) => Decision;

/** The exclusive rule (Mutex, a writer, an election): the oldest holds; the others wait for the one just older. */
export const exclusive: Decide = (contenders, ours) =>
  ours === 0 ? { hold: true } : { hold: false, watch: contenders[ours - 1]!.name, soleBlocker: ours === 1 };

export interface ContendOptions {
  /** The lock's path; created as a container (with container parents) when missing. */
  dir: string;
  /** Our node's lock name, e.g. 'lock-'. */
  lockName: string;
  /** Every lock name that counts as a contender in `dir`. */
  lockNames: readonly string[];
  /** The rule: given the contenders oldest first and our index among them. */
  decide: Decide;
  data?: Data;
  signal?: AbortSignal | undefined;
  /** Absolute deadline on zk.now(), or undefined for none. */
  deadline?: number | undefined;
  /** false: give up (return null) instead of waiting. */
  wait?: boolean;
  /**
   * Set a child watch with the first listing (default true). It only pays off when we hold at once (it
   * then guards our node for free); when contention is expected it would just cost a notification.
   */
  listWatch?: boolean;
}

export interface Holding {
  path: string;
  name: string;
  stat: Stat;
  monitor: NodeMonitor;
  /** Whether we had to wait for another contender (recipes use it to predict the next acquire). */
  waited: boolean;
}


/** Contends for the lock; resolves holding it, or null when `wait` is false and it is taken. */
export async function contend(zk: ZooKeeper, o: ContendOptions): Promise<Holding | null> {
  let created: { path: string; name: string; stat: Stat } | undefined;
  let cleanup = true;
  try {
    const first = await createAndList(zk, o);
    created = first.created;
    let children = first.children;
    let childWatch = first.childWatch;
    let ownWatch: Promise<WatchedEvent> | undefined;
    let waited = false;
    for (;;) {
      checkCancelled(zk, o);
      if (children === undefined) {
        // With a child watch: if this listing says we hold, the watch guards our node until the lease
        // arms its own, at no extra request (the listing also proved our node exists).
        const listed = await retrying(zk, o, () => zk.getChildren(o.dir, { watch: true }));
        children = listed.children;
        childWatch = listed.watch;
      }
      const contenders = sortContenders(children, o.lockNames);
      const ours = contenders.findIndex((c) => c.name === created!.name);
      if (ours === -1) throw new LockLostError('node-deleted', `our contender node ${created.path} is gone`, { path: created.path });
      const decision = o.decide(contenders, ours);
      if (decision.hold) {
        const monitor: NodeMonitor =
          ownWatch !== undefined ? { event: ownWatch, kind: 'node' } : { event: childWatch ?? checkNow(created.path), kind: 'children' };
        cleanup = false;
        return { ...created, monitor, waited };
      }
      if (o.wait === false) {
        cleanup = false;
        await deleteGuaranteed(zk, created.path);
        return null;
      }
      const blockerPath = `${o.dir}/${decision.watch}`;
      waited = true;
      // When the fast path can apply (a sole blocker), a watch on our own node goes out in the same round
      // trip (condition 4) and later becomes the lease's monitor. Behind several blockers the re-read after
      // the wake-up checks our node anyway, so no request is spent on it.
      const blocker = zk.getData(blockerPath, { watch: true });
      // Awaited below, after our own node's check, which may throw first: never an unhandled rejection.
      void blocker.catch(() => {});
      if (ownWatch === undefined && decision.soleBlocker) {
        const ownPath = created.path;
        let own: Promise<{ stat: Stat | null; watch: Promise<WatchedEvent> }> | undefined = zk.exists(ownPath, { watch: true });
        // The first try is the pipelined request; after a connection loss, a fresh exists (not the same
        // rejected promise again, which would spin without ever yielding to the event loop).
        const r = await retrying(zk, o, () => {
          const p = own ?? zk.exists(ownPath, { watch: true });
          own = undefined;
          return p;
        });
        if (r.stat === null || r.stat.ephemeralOwner !== zk.sessionId) {
          throw new LockLostError('node-deleted', `our contender node ${created.path} is gone`, { path: created.path });
        }
        ownWatch = r.watch;
      }
      let watched: Promise<WatchedEvent>;
      try {
        watched = (await within(zk, o, blocker)).watch;
      } catch (err) {
        if (isCode(err, 'NONODE')) {
          // Condition 5: the sole blocker is already gone.
          if (decision.soleBlocker) return hold(created, ownWatch);
          children = undefined;
          continue;
        }
        if (isRetryable(err)) {
          await within(zk, o, waitConnected(zk, remaining(zk, o)));
          children = undefined;
          continue;
        }
        throw err;
      }
      const sessionAtWait = zk.sessionId;
      const event = await waitFor(zk, o, watched, ownWatch);
      if (event.source === 'own') {
        throw new LockLostError('node-deleted', `our contender node ${created.path} was deleted`, { path: created.path });
      }
      if (event.source === 'own-changed') {
        // A write to our node (a revoker) fired its watch: watch it again, or a later deletion goes unseen
        // (condition 4). The blocker's watch stays armed; the next pass arms another on the same path.
        ownWatch = undefined;
        children = undefined;
        continue;
      }
      const e = event.event;
      if (e.type === 'None') throw sessionEnded(zk, e);
      // Conditions 1-4: the sole blocker's deletion on our session, with our own node not reported deleted.
      if (e.type === 'NodeDeleted' && e.path === blockerPath && decision.soleBlocker && zk.sessionId === sessionAtWait && zk.sessionId === created.stat.ephemeralOwner) {
        return hold(created, ownWatch);
      }
      children = undefined;
    }
  } catch (err) {
    if (created !== undefined && cleanup) void deleteGuaranteed(zk, created.path);
    if (err instanceof Cancelled) throw cancelError(o);
    throw err;
  }

  function hold(c: { path: string; name: string; stat: Stat }, ownWatch: Promise<WatchedEvent> | undefined): Holding {
    cleanup = false;
    return {
      ...c,
      monitor: ownWatch !== undefined ? { event: ownWatch, kind: 'node' } : { event: checkNow(c.path), kind: 'children' },
      waited: true,
    };
  }
}

/** create2 and getChildren(watch) in one round trip, with NONODE (missing parent) and lost-reply recovery. */
async function createAndList(
  zk: ZooKeeper,
  o: ContendOptions,
): Promise<{ created: { path: string; name: string; stat: Stat }; children: string[] | undefined; childWatch: Promise<WatchedEvent> | undefined }> {
  for (let attempt = 0; ; attempt++) {
    checkCancelled(zk, o);
    const prefix = protectedPrefix();
    const createP = zk.createWithStat(`${o.dir}/${prefix}${o.lockName}`, o.data, { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
    const listP: Promise<{ children: string[]; watch?: Promise<WatchedEvent> }> =
      o.listWatch === false ? zk.getChildren(o.dir).then((children) => ({ children })) : zk.getChildren(o.dir, { watch: true });
    void listP.catch(() => {});
    let result: { path: string; stat: Stat };
    try {
      result = await within(zk, o, createP);
    } catch (err) {
      if (err instanceof Cancelled) {
        // Given up with the create queued or in flight: whatever it makes is removed in the background.
        void removeCreated(zk, o.dir, prefix, createP);
        throw err;
      }
      if (isCode(err, 'NONODE')) {
        await retrying(zk, o, () => ensureContainer(zk, o.dir));
        continue;
      }
      if (isRetryable(err)) {
        let found: { path: string; name: string; stat: Stat } | undefined;
        try {
          found = await findOurs(zk, o, prefix);
        } catch (e) {
          if (e instanceof Cancelled) void removeByPrefix(zk, o.dir, prefix);
          throw e;
        }
        if (found === undefined) continue; // not created: a fresh prefix, and try again
        return { created: found, children: undefined, childWatch: undefined };
      }
      throw err;
    }
    const name = result.path.slice(result.path.lastIndexOf('/') + 1);
    const created = { path: result.path, name, stat: result.stat };
    if (result.stat.ephemeralOwner !== zk.sessionId) {
      void deleteGuaranteed(zk, result.path);
      throw new LockLostError('session-ended', 'the session changed while creating the contender node');
    }
    try {
      const listed = await within(zk, o, listP);
      return { created, children: listed.children, childWatch: listed.watch };
    } catch (err) {
      if (isRetryable(err)) return { created, children: undefined, childWatch: undefined };
      void deleteGuaranteed(zk, result.path);
      throw err;
    }
  }
}

/** After a lost create reply: our node, if the create was applied (found by prefix, owned by this session). */
async function findOurs(
  zk: ZooKeeper,
  o: ContendOptions,
  prefix: string,
): Promise<{ path: string; name: string; stat: Stat } | undefined> {
  const children = await retrying(zk, o, () => zk.getChildren(o.dir));
  for (const name of children) {
    if (!name.startsWith(prefix)) continue;
    const path = `${o.dir}/${name}`;
    const stat = await retrying(zk, o, () => zk.exists(path));
    if (stat !== null && stat.ephemeralOwner === zk.sessionId) return { path, name, stat };
  }
  return undefined;
}

/** Creates `path` and its missing parents as containers (the server reaps them once empty). */
export async function ensureContainer(zk: ZooKeeper, path: string): Promise<void> {
  const parts = path.split('/').filter((p) => p !== '');
  let current = '';
  for (const part of parts) {
    current += `/${part}`;
    try {
      await zk.create(current, null, { mode: CreateMode.CONTAINER });
    } catch (err) {
      if (!isCode(err, 'NODEEXISTS')) throw err;
    }
  }
}

/** Runs `fn`; on connection loss waits for the reconnect and tries again (bounded by the session's life). */
async function retrying<T>(zk: ZooKeeper, o: ContendOptions, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    checkCancelled(zk, o);
    try {
      return await within(zk, o, fn());
    } catch (err) {
      if (!isRetryable(err)) throw err;
      await within(zk, o, waitConnected(zk, remaining(zk, o)));
    }
  }
}

/** After giving up on a create whose outcome was unknown: deletes the node it made, if it made one. Never rejects. */
async function removeCreated(zk: ZooKeeper, dir: string, prefix: string, createP: Promise<{ path: string }>): Promise<void> {
  try {
    await deleteGuaranteed(zk, (await createP).path);
  } catch (err) {
    if (isRetryable(err)) await removeByPrefix(zk, dir, prefix);
  }
}

/**
 * Deletes the nodes under `dir` with our protection `prefix` that this session owns (a create that may
 * have been applied, its reply lost), once connected again; gives up when the session ends. Never rejects.
 */
async function removeByPrefix(zk: ZooKeeper, dir: string, prefix: string): Promise<void> {
  for (;;) {
    if (zk.state === 'expired' || zk.state === 'closed' || zk.state === 'authFailed') return;
    try {
      for (const name of await zk.getChildren(dir)) {
        if (!name.startsWith(prefix)) continue;
        const stat = await zk.exists(`${dir}/${name}`);
        if (stat !== null && stat.ephemeralOwner === zk.sessionId) await deleteGuaranteed(zk, `${dir}/${name}`);
      }
      return;
    } catch (err) {
      if (!isRetryable(err)) return;
      await waitConnected(zk, 1000);
    }
  }
}

type Wake = { source: 'blocker' | 'own' | 'own-changed'; event: WatchedEvent };

/** Waits for the blocker's event, our own node's deletion, abort or the deadline. */
function waitFor(
  zk: ZooKeeper,
  o: ContendOptions,
  blocker: Promise<WatchedEvent>,
  own: Promise<WatchedEvent> | undefined,
): Promise<Wake> {
  return new Promise<Wake>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (fn: () => void): void => {
      if (timer !== undefined) clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => finish(() => reject(new Cancelled()));
    if (o.signal?.aborted) {
      reject(new Cancelled());
      return;
    }
    o.signal?.addEventListener('abort', onAbort, { once: true });
    if (o.deadline !== undefined) timer = setTimeout(() => finish(() => reject(new Cancelled())), Math.max(0, o.deadline - zk.now()));
    void blocker.then((event) => finish(() => resolve({ source: 'blocker', event })));
    // Our own node: deleted, or the session's end; any other event (a write) used up the one-shot watch.
    void own?.then((event) => {
      const source = event.type === 'None' ? 'blocker' : event.type === 'NodeDeleted' ? 'own' : 'own-changed';
      finish(() => resolve({ source, event }));
    });
  });
}

function checkCancelled(zk: ZooKeeper, o: ContendOptions): void {
  if (o.signal?.aborted || (o.deadline !== undefined && zk.now() >= o.deadline)) throw new Cancelled();
  const end = zk.state;
  if (end === 'expired' || end === 'closed' || end === 'authFailed') throw sessionEnded(zk);
}

function cancelError(o: ContendOptions): Error {
  if (o.signal?.aborted) {
    const reason: unknown = o.signal.reason;
    return reason instanceof Error ? reason : new ZooKeeperError(`acquire aborted: ${String(reason)}`, 'UNKNOWN', 0, { cause: reason });
  }
  return new AcquireTimeoutError(`could not acquire ${o.dir} in time`, { path: o.dir });
}

function sessionEnded(zk: ZooKeeper, e?: WatchedEvent): Error {
  return new LockLostError('session-ended', `the session ended (${e?.state ?? zk.state}) while contending`);
}

/** No watch is armed on our node yet: an event that makes the lease check (and watch) the node at once. */
function checkNow(path: string): Promise<WatchedEvent> {
  return Promise.resolve({ type: 'NodeChildrenChanged', state: 'SyncConnected', path });
}
