/**
 * The contention engine shared by Mutex, ReadWriteLock, Semaphore's inner lock and LeaderElection
 * (Curator's LockInternals): create a protected ephemeral-sequential node, list the contenders, and
 * either hold or wait for the one node the rule names (watching, at most, one more ahead of it). Its
 * steps: create and list (`createAndList`), then in a `Contention`: decide, arm watches, wait, and check
 * whether the event hands the lock over without a re-read.
 *
 * The why is in docs/locks.md: "Round trips" (create2 and getChildren sent together, one SetWatches per
 * wait), "The look-ahead", "Hand-off without a re-read: the five conditions" (each is checked in
 * `Contention.handOff`, numbered as there), and "Lost replies, abort and timeout" (`createAndList`,
 * `findOurs`, `removeCreated`).
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

/** A holding before the lease's validity is added. */
type Held = Omit<Holding, 'validity'>;

/** Our contender node. */
interface OurNode {
  path: string;
  name: string;
  stat: Stat;
}

/**
 * Contends for the lock; resolves holding it, or null when `wait` is false and it is taken. The session's
 * validity is held from the start, so a long wait keeps it fresh and the hand-off needs no renewal.
 */
export async function contend(zk: ZooKeeper, options: ContendOptions): Promise<Holding | null> {
  const validity = zk.holdSessionValidity();
  let held: Held | null;
  try {
    held = await contendHeld(zk, options);
    if (held !== null)
      await within(zk, options, validity.ready(options.margin)).catch((err: unknown) => {
        void deleteGuaranteed(zk, held!.path);
        throw err instanceof Cancelled ? cancelError(options) : endsSession(err) ? sessionEnded(zk) : err;
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

/** Creates our node and contends with it; on failure our node is deleted and the error is the caller's. */
async function contendHeld(zk: ZooKeeper, options: ContendOptions): Promise<Held | null> {
  let contention: Contention | undefined;
  try {
    contention = new Contention(zk, options, await createAndList(zk, options));
    return await contention.run();
  } catch (err) {
    contention?.abandon();
    if (err instanceof Cancelled) throw cancelError(options);
    if (endsSession(err) && !(err instanceof LockLostError)) throw sessionEnded(zk);
    throw err;
  }
}

/** A waiting decision, with the paths it watches. */
interface Waiting {
  decision: Extract<Decision, { hold: false }>;
  /** The node to wait for. */
  blocker: string;
  /** The look-ahead, if the rule names one. */
  next: string | undefined;
}

/** Which watch fired first, and its event. */
interface Wake {
  source: 'blocker' | 'next' | 'own';
  event: WatchedEvent;
}

/** One contention, from the listing sent with our create until we hold, give up or fail. */
class Contention {
  private readonly zk: ZooKeeper;
  private readonly options: ContendOptions;
  private readonly node: OurNode;
  /** The last listing; undefined when it must be read again. */
  private children: string[] | undefined;
  /** The child watch set with that listing, if any. */
  private childWatch: Promise<WatchedEvent> | undefined;
  /** The data watch on our own node (condition 4, then the lease's monitor). */
  private ownWatch: Promise<WatchedEvent> | undefined;
  /** One-shot data watches armed on other contenders' nodes whose events are not consumed yet, by path. */
  private readonly armed = new Map<string, Promise<WatchedEvent>>();
  private waited = false;
  /** Our node is still ours to delete if the contention fails: not yet handed to the caller or deleted. */
  private cleanup = true;

  constructor(zk: ZooKeeper, options: ContendOptions, first: CreatedAndListed) {
    this.zk = zk;
    this.options = options;
    this.node = first.created;
    this.children = first.children;
    this.childWatch = first.childWatch;
  }

  /** Decides, waits and decides again until we hold, or (with `wait: false`) until we would have to wait. */
  async run(): Promise<Held | null> {
    for (;;) {
      checkCancelled(this.zk, this.options);
      const decision = this.decide(await this.listing());
      if (decision.hold) return this.hold();
      if (this.options.wait === false) return this.giveUp();
      this.waited = true;
      const waiting = waitingFor(this.options.dir, decision);
      if (!(await this.armWatches(waiting))) continue;
      const wake = await this.wait(waiting);
      if (this.handOff(waiting, wake)) return this.hold();
    }
  }

  /** The contention failed: our node goes, unless it is no longer ours to delete. */
  abandon(): void {
    if (this.cleanup) void deleteGuaranteed(this.zk, this.node.path);
  }

  /** The last listing, or a new one when it is stale. */
  private async listing(): Promise<string[]> {
    const { zk, options } = this;
    if (this.children !== undefined) return this.children;
    if (this.ownWatch === undefined) {
      // If this listing says we hold, its child watch guards our node until the lease arms its own,
      // at no extra request (the listing also proved our node exists).
      const listed = await retrying(zk, options, () => zk.getChildren(options.dir, { watch: true }));
      this.children = listed.children;
      this.childWatch = listed.watch;
    } else {
      this.children = await retrying(zk, options, () => zk.getChildren(options.dir));
      this.childWatch = undefined;
    }
    return this.children;
  }

  /** The rule's decision on a listing; our node missing from it means it is gone. */
  private decide(children: readonly string[]): Decision {
    const contenders = sortContenders(children, this.options.lockNames);
    const ours = contenders.findIndex((c) => c.name === this.node.name);
    if (ours === -1) throw new LockLostError('node-deleted', `our contender node ${this.node.path} is gone`, { path: this.node.path });
    return this.options.decide(contenders, ours);
  }

  /** We hold: our node is the caller's, guarded by its own data watch, or else by the listing's child watch. */
  private hold(): Held {
    this.cleanup = false;
    const monitor: NodeMonitor =
      this.ownWatch !== undefined
        ? { event: this.ownWatch, kind: 'node' }
        : { event: this.childWatch ?? checkNow(this.node.path), kind: 'children' };
    return { ...this.node, monitor, waited: this.waited };
  }

  /** We would have to wait and may not: our node goes. */
  private async giveUp(): Promise<null> {
    this.cleanup = false;
    await deleteGuaranteed(this.zk, this.node.path);
    return null;
  }

  /**
   * Everything not armed yet goes out in one SetWatches: the blocker, the look-ahead, and our own node
   * when a hand-off without a re-read can follow (now, or after the look-ahead's re-read). Our node
   * comes first: if it is gone, its NodeDeleted arrives before any other event of the request. False when
   * the connection was lost meanwhile: the children are then listed again.
   */
  private async armWatches({ decision, blocker, next }: Waiting): Promise<boolean> {
    const { zk, options } = this;
    const wantOwn = this.ownWatch === undefined && (decision.soleBlocker || next !== undefined);
    const toArm: string[] = wantOwn ? [this.node.path] : [];
    if (!this.armed.has(blocker)) toArm.push(blocker);
    if (next !== undefined && !this.armed.has(next)) toArm.push(next);
    if (toArm.length === 0) return true;
    let events: Promise<WatchedEvent>[];
    try {
      events = await within(zk, options, zk.watchData(toArm));
    } catch (err) {
      if (!isRetryable(err)) throw err;
      await within(zk, options, waitConnected(zk, remaining(zk, options)));
      this.children = undefined;
      return false;
    }
    let i = 0;
    if (wantOwn) this.ownWatch = events[i++];
    for (; i < toArm.length; i++) this.armed.set(toArm[i]!, events[i]!);
    return true;
  }

  /**
   * The first event of our own node, the blocker or the look-ahead, within the bounds. Our node is
   * listened to first: events already delivered (SetWatches fires missing nodes before its reply) are
   * then taken in that order, so its deletion is never overtaken by the blocker's.
   */
  private wait({ blocker, next }: Waiting): Promise<Wake> {
    const own = this.ownWatch;
    const first = new Promise<Wake>((resolve) => {
      void own?.then((event) => resolve({ source: 'own', event }));
      void this.armed.get(blocker)!.then((event) => resolve({ source: 'blocker', event }));
      if (next !== undefined) void this.armed.get(next)!.then((event) => resolve({ source: 'next', event }));
    });
    return within(this.zk, this.options, first);
  }

  /**
   * Whether the event hands the lock over without a re-read (docs/locks.md, the five conditions). Our
   * own node deleted or the session ended: the contention fails. Anything else, the look-ahead's event
   * above all (it usually means the blocker now holds): the children are listed again.
   */
  private handOff({ decision, blocker, next }: Waiting, { source, event }: Wake): boolean {
    if (event.type === 'None') throw sessionEnded(this.zk, event);
    if (source === 'own') {
      if (event.type === 'NodeDeleted') {
        throw new LockLostError('node-deleted', `our contender node ${this.node.path} was deleted`, { path: this.node.path });
      }
      // A write to our node (a revoker) used up its watch: watch it again, or a later deletion goes
      // unseen (condition 4). The other watches stay armed.
      this.ownWatch = undefined;
      this.children = undefined;
      return false;
    }
    this.armed.delete(source === 'blocker' ? blocker : next!);
    const handedOver =
      source === 'blocker' &&
      // 2. NodeDeleted on the exact path watched (5. also when SetWatches found it gone when armed);
      event.type === 'NodeDeleted' &&
      // 1. the last listing showed exactly one contender blocking us;
      decision.soleBlocker &&
      // 4. our own node is watched, and its deletion, listened to first, did not come first;
      this.ownWatch !== undefined &&
      // 3. on the session that created our node.
      this.zk.sessionId === this.node.stat.ephemeralOwner;
    if (!handedOver) this.children = undefined;
    return handedOver;
  }
}

/** The paths a waiting decision watches. */
function waitingFor(dir: string, decision: Extract<Decision, { hold: false }>): Waiting {
  return { decision, blocker: `${dir}/${decision.watch}`, next: decision.next === undefined ? undefined : `${dir}/${decision.next}` };
}

/** Our node, and the listing sent with its create (undefined when it must be read again). */
interface CreatedAndListed {
  created: OurNode;
  children: string[] | undefined;
  childWatch: Promise<WatchedEvent> | undefined;
}

/** create2 and getChildren(watch) in one round trip, with NONODE (missing parent) and lost-reply recovery. */
async function createAndList(zk: ZooKeeper, options: ContendOptions): Promise<CreatedAndListed> {
  const { dir } = options;
  for (;;) {
    checkCancelled(zk, options);
    const prefix = protectedPrefix();
    const createP = zk.createWithStat(`${dir}/${prefix}${options.lockName}`, options.data, { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
    const listP: Promise<{ children: string[]; watch?: Promise<WatchedEvent> }> =
      options.listWatch === false ? zk.getChildren(dir).then((children) => ({ children })) : zk.getChildren(dir, { watch: true });
    void listP.catch(() => {});
    let result: { path: string; stat: Stat };
    try {
      result = await within(zk, options, createP);
    } catch (err) {
      if (err instanceof Cancelled) {
        // Given up with the create queued or in flight: whatever it makes is removed in the background.
        void removeCreated(zk, dir, prefix, createP);
        throw err;
      }
      if (isCode(err, 'NONODE')) {
        await retrying(zk, options, () => ensureContainer(zk, dir));
        continue;
      }
      if (isRetryable(err)) {
        let found: OurNode | undefined;
        try {
          found = await findOurs(zk, options, prefix);
        } catch (e) {
          if (e instanceof Cancelled) void removeByPrefix(zk, dir, prefix);
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
      const listed = await within(zk, options, listP);
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
async function findOurs(zk: ZooKeeper, options: ContendOptions, prefix: string): Promise<OurNode | undefined> {
  const children = await retrying(zk, options, () => syncedChildren(zk, options.dir));
  for (const name of children) {
    if (!name.startsWith(prefix)) continue;
    const path = `${options.dir}/${name}`;
    const stat = await retrying(zk, options, () => zk.exists(path));
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

/** bounds.ts's retrying, after the session-end check every contention step makes. */
function retrying<T>(zk: ZooKeeper, options: ContendOptions, fn: () => Promise<T>): Promise<T> {
  checkCancelled(zk, options);
  return retryingWithin(zk, options, fn);
}

/** The bounds, and the session's end (a lock cannot be contended for on an ended session). */
function checkCancelled(zk: ZooKeeper, options: ContendOptions): void {
  checkBounds(zk, options);
  if (sessionOver(zk)) throw sessionEnded(zk);
}

function cancelError(options: ContendOptions): Error {
  return cancellation(options, () => new AcquireTimeoutError(`could not acquire ${options.dir} in time`, { path: options.dir }));
}

function sessionEnded(zk: ZooKeeper, e?: WatchedEvent): Error {
  return new LockLostError('session-ended', `the session ended (${e?.state ?? zk.state}) while contending`);
}

/** No watch is armed on our node yet: an event that makes the lease check (and watch) the node at once. */
function checkNow(path: string): Promise<WatchedEvent> {
  return Promise.resolve({ type: 'NodeChildrenChanged', state: 'SyncConnected', path });
}
