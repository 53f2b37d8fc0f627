/**
 * The contention engine shared by Mutex, ReadWriteLock, Semaphore's inner lock and LeaderElection
 * (Curator's LockInternals): create a protected ephemeral-sequential node, list the contenders, and
 * either hold or wait for the one node the rule names (watching, at most, one more ahead of it).
 *
 * Round trips. create2 and getChildren are sent together: one session's requests are executed and
 * answered in order, so the listing already contains our node and every older contender (1 RT when
 * uncontended; create2 also returns the czxid fencing token and ephemeralOwner). The listing's child
 * watch doubles as the monitor of our own node when we hold at once. When we must wait, one SetWatches
 * request (`zk.watchData`, 1 RT) arms data watches on: our own node, when a hand-off without a re-read
 * can follow (condition 4; it later becomes the lease's monitor); the node to wait for (a data watch, so
 * nothing is left on a node already gone: CURATOR-107); and the rule's look-ahead. SetWatches fires
 * NodeDeleted at once for a node already gone, and NodeDataChanged for one changed since our last zxid,
 * so arming after the listing misses nothing in between; getData(watch) would need a request per node.
 *
 * The look-ahead. Behind several blockers a waiter must re-read after its predecessor goes (condition 1
 * below). The exclusive rule therefore also watches the predecessor's predecessor: its deletion usually
 * means our predecessor now holds, so we re-read then, during that hold, find ourselves second in line,
 * and our own hand-off needs no request: the re-read leaves the critical path of the hand-off. Requests
 * per acquisition: 4 second in line (create2, getChildren, setWatches, delete), 5 deeper (plus the
 * re-read), as the standard recipe's 5; each deletion wakes at most two waiters (its successor, and the
 * one after as look-ahead), never a herd.
 *
 * Skipping the re-read (research recipes.md §7.1). After the watched node's NodeDeleted, the waiter holds
 * the lock WITHOUT listing the children again only when all of these hold, and re-reads otherwise:
 *  1. the last listing showed exactly one contender the rule makes us wait for (`soleBlocker`): with
 *     more, the deleted one may have given up (timeout, crash) while an older one still holds;
 *  2. the event is NodeDeleted on the exact path watched (NodeDataChanged, e.g. a revoker's write, or a
 *     session event is not a deletion);
 *  3. it arrived on the session that created our node (zkts never opens a new session silently; the
 *     session id is compared anyway), so our node existed when the event was sent;
 *  4. no NodeDeleted for our own node arrived first (our data watch, armed in the same request and ahead
 *     of the others, re-armed after a write to our node; events arrive in zxid order);
 *  5. the same holds when the blocker is already gone when armed (SetWatches reports it deleted at once).
 * No new older contender can appear later: sequence numbers only grow while the parent exists, and our
 * own node keeps the parent (a container) from being reaped. A watch armed before the listing that made
 * us second in line serves as well as one armed after it: it reports every event since. Each condition
 * has a test.
 *
 * Lost create reply: a connection loss with the create in flight is resolved after reconnecting by
 * a sync and a listing (so a lagging follower cannot hide the node), looking for our `_c_<uuid>-` prefix; a node found is ours only if its
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
  type ValidityHold,
  type WatchedEvent,
  type ZooKeeper,
  endsSession,
  isRetryable,
} from '../../index.js';
import type { NodeMonitor } from './node-monitor.js';
import { deleteGuaranteed, waitConnected } from './session-waits.js';
import { Cancelled, cancellation, checkBounds, isCode, remaining, retrying as retryingWithin, sessionOver, within } from './bounds.js';
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
      /**
       * Look-ahead (child name): a node whose change makes a re-read worthwhile before `watch` goes. For
       * the exclusive rule, the one `watch` waits for: its deletion usually means `watch` now holds, so the
       * re-read then (during that hold) finds us second in line, and the hand-off itself needs none.
       */
      next?: string;
    };

/** A lock's rule: given the contenders oldest first and our index among them, hold or wait for one. */
export type Decide = (contenders: readonly Contender[], ours: number) => Decision;

/** The exclusive rule (Mutex, a writer, an election): the oldest holds; the others wait for the one just older. */
export const exclusive: Decide = (contenders, ours) =>
  ours === 0
    ? { hold: true }
    : ours === 1
      ? { hold: false, watch: contenders[0]!.name, soleBlocker: true }
      : { hold: false, watch: contenders[ours - 1]!.name, soleBlocker: false, next: contenders[ours - 2]!.name };

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
  /** The lease margin, ms: holding waits until the session's validity supports it (lease.ts). */
  margin: number;
}

export interface Holding {
  path: string;
  name: string;
  stat: Stat;
  monitor: NodeMonitor;
  /** Whether we had to wait for another contender (recipes use it to predict the next acquire). */
  waited: boolean;
  /** Held since the contention began; the lease takes it over. */
  validity: ValidityHold;
}


/**
 * Contends for the lock; resolves holding it, or null when `wait` is false and it is taken. The session's
 * validity is held from the start, so a long wait keeps it fresh and the hand-off needs no renewal.
 */
export async function contend(zk: ZooKeeper, o: ContendOptions): Promise<Holding | null> {
  const validity = zk.holdSessionValidity();
  let held: Omit<Holding, 'validity'> | null;
  try {
    held = await contendHeld(zk, o);
    if (held !== null) await within(zk, o, validity.ready(o.margin)).catch((err: unknown) => {
      void deleteGuaranteed(zk, held!.path);
      throw err instanceof Cancelled ? cancelError(o) : endsSession(err) ? sessionEnded(zk) : err;
    });
  } catch (err) {
    validity.release();
    throw err;
  }
  if (held === null) {
    validity.release();
    return null;
  }
  return { ...held, validity };
}

async function contendHeld(zk: ZooKeeper, o: ContendOptions): Promise<Omit<Holding, 'validity'> | null> {
  let created: { path: string; name: string; stat: Stat } | undefined;
  let cleanup = true;
  /** One-shot data watches armed on other contenders' nodes whose events are not consumed yet, by path. */
  const armed = new Map<string, Promise<WatchedEvent>>();
  try {
    const first = await createAndList(zk, o);
    created = first.created;
    let children = first.children;
    let childWatch = first.childWatch;
    /** The data watch on our own node (condition 4, then the lease's monitor). */
    let ownWatch: Promise<WatchedEvent> | undefined;
    let waited = false;
    for (;;) {
      checkCancelled(zk, o);
      if (children === undefined) {
        if (ownWatch === undefined) {
          // If this listing says we hold, its child watch guards our node until the lease arms its own,
          // at no extra request (the listing also proved our node exists).
          const listed = await retrying(zk, o, () => zk.getChildren(o.dir, { watch: true }));
          children = listed.children;
          childWatch = listed.watch;
        } else {
          children = await retrying(zk, o, () => zk.getChildren(o.dir));
          childWatch = undefined;
        }
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
      waited = true;
      const blockerPath = `${o.dir}/${decision.watch}`;
      const nextPath = decision.next === undefined ? undefined : `${o.dir}/${decision.next}`;
      // Everything not armed yet goes out in one SetWatches: the blocker, the look-ahead, and our own node
      // when a hand-off without a re-read can follow (now, or after the look-ahead's re-read). Our node
      // comes first: if it is gone, its NodeDeleted arrives before any other event of the request.
      const wantOwn = ownWatch === undefined && (decision.soleBlocker || nextPath !== undefined);
      const toArm: string[] = wantOwn ? [created.path] : [];
      if (!armed.has(blockerPath)) toArm.push(blockerPath);
      if (nextPath !== undefined && !armed.has(nextPath)) toArm.push(nextPath);
      if (toArm.length > 0) {
        let events: Promise<WatchedEvent>[];
        try {
          events = await within(zk, o, zk.watchData(toArm));
        } catch (err) {
          if (!isRetryable(err)) throw err;
          await within(zk, o, waitConnected(zk, remaining(zk, o)));
          children = undefined;
          continue;
        }
        let i = 0;
        if (wantOwn) ownWatch = events[i++];
        for (; i < toArm.length; i++) armed.set(toArm[i]!, events[i]!);
      }
      const wake = await waitFor(zk, o, ownWatch, armed.get(blockerPath)!, nextPath === undefined ? undefined : armed.get(nextPath));
      const e = wake.event;
      if (e.type === 'None') throw sessionEnded(zk, e);
      if (wake.source === 'own') {
        if (e.type === 'NodeDeleted') {
          throw new LockLostError('node-deleted', `our contender node ${created.path} was deleted`, { path: created.path });
        }
        // A write to our node (a revoker) used up its watch: watch it again, or a later deletion goes
        // unseen (condition 4). The other watches stay armed.
        ownWatch = undefined;
        children = undefined;
        continue;
      }
      armed.delete(wake.source === 'blocker' ? blockerPath : nextPath!);
      // Conditions 1-5: the sole blocker's deletion (or absence) on the session that owns our node, with our
      // own node not reported deleted first.
      if (
        wake.source === 'blocker' &&
        e.type === 'NodeDeleted' &&
        decision.soleBlocker &&
        ownWatch !== undefined &&
        zk.sessionId === created.stat.ephemeralOwner
      ) {
        cleanup = false;
        return { ...created, monitor: { event: ownWatch, kind: 'node' }, waited: true };
      }
      // Anything else, the look-ahead's event above all (it usually means the blocker now holds): re-read.
      children = undefined;
    }
  } catch (err) {
    if (created !== undefined && cleanup) void deleteGuaranteed(zk, created.path);
    if (err instanceof Cancelled) throw cancelError(o);
    if (endsSession(err) && !(err instanceof LockLostError)) throw sessionEnded(zk);
    throw err;
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

/**
 * The children of `dir` as of now, on whichever server we are connected to: a sync first, pipelined with
 * the listing (a session's read waits for its sync). After a lost create reply the reconnect may land on
 * a follower that has not applied the create yet; without the sync it would list no node of ours, we
 * would create a second one, and the first (older, same session) would block every contender.
 */
export function syncedChildren(zk: ZooKeeper, dir: string): Promise<string[]> {
  const synced = zk.sync(dir);
  const listed = zk.getChildren(dir);
  void listed.catch(() => {});
  return synced.then(() => listed);
}

/** After a lost create reply: our node, if the create was applied (found by prefix, owned by this session). */
async function findOurs(
  zk: ZooKeeper,
  o: ContendOptions,
  prefix: string,
): Promise<{ path: string; name: string; stat: Stat } | undefined> {
  const children = await retrying(zk, o, () => syncedChildren(zk, o.dir));
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
    if (sessionOver(zk)) return;
    try {
      for (const name of await syncedChildren(zk, dir)) {
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

type Wake = { source: 'blocker' | 'next' | 'own'; event: WatchedEvent };

/**
 * Waits for the first event of our own node, the blocker or the look-ahead, abort or the deadline. Our
 * node is listened to first: events already delivered (SetWatches fires missing nodes before its reply)
 * are then taken in that order, so its deletion is never overtaken by the blocker's.
 */
function waitFor(
  zk: ZooKeeper,
  o: ContendOptions,
  own: Promise<WatchedEvent> | undefined,
  blocker: Promise<WatchedEvent>,
  next: Promise<WatchedEvent> | undefined,
): Promise<Wake> {
  return new Promise<Wake>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let done = false;
    const finish = (fn: () => void): void => {
      if (done) return;
      done = true;
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
    void own?.then((event) => finish(() => resolve({ source: 'own', event })));
    void blocker.then((event) => finish(() => resolve({ source: 'blocker', event })));
    void next?.then((event) => finish(() => resolve({ source: 'next', event })));
  });
}

/** bounds.ts's retrying, after the session-end check every contention step makes. */
function retrying<T>(zk: ZooKeeper, o: ContendOptions, fn: () => Promise<T>): Promise<T> {
  checkCancelled(zk, o);
  return retryingWithin(zk, o, fn);
}

/** The bounds, and the session's end (a lock cannot be contended for on an ended session). */
function checkCancelled(zk: ZooKeeper, o: ContendOptions): void {
  checkBounds(zk, o);
  if (sessionOver(zk)) throw sessionEnded(zk);
}

function cancelError(o: ContendOptions): Error {
  return cancellation(o, () => new AcquireTimeoutError(`could not acquire ${o.dir} in time`, { path: o.dir }));
}

function sessionEnded(zk: ZooKeeper, e?: WatchedEvent): Error {
  return new LockLostError('session-ended', `the session ended (${e?.state ?? zk.state}) while contending`);
}

/** No watch is armed on our node yet: an event that makes the lease check (and watch) the node at once. */
function checkNow(path: string): Promise<WatchedEvent> {
  return Promise.resolve({ type: 'NodeChildrenChanged', state: 'SyncConnected', path });
}
