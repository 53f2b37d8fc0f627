/**
 * Round trips and requests of every recipe, read from the wire (test/support/recipes/wire-tap.ts): the
 * figures docs/recipes.md quotes. A round trip is a batch of requests sent back to back, started by a
 * reply or a notification; pipelined requests share one. Each figure is taken on a client of its own
 * through a transport tap, pings left out, on a standalone server.
 *
 * - missing: the first acquisition when the recipe's path does not exist yet (it is created as a container);
 * - fresh: the first acquisition on a new session, the path in place;
 * - warm: the next acquisition on that session;
 * - wait: what a contender sends before it settles down to wait behind a holder;
 * - hand-off: what it sends between the holder's release and holding.
 *
 * The session's validity renewal (a sync and a no-op multi per 0.3 T while a lock is held or awaited,
 * docs/locks.md "The lease") is left out of the counts: it depends on time, not on the recipe
 * (`npm run bench:lease` measures it). With T = 30 s none falls inside these short windows anyway.
 */
import type { ConnectOptions, ZooKeeper } from '../../../src/entry/node.js';
import { OpCode, Xid } from '../../../src/protocol/index.js';
import { Barrier } from '../../../src/recipes/barrier.js';
import { DoubleBarrier } from '../../../src/recipes/double-barrier.js';
import { LeaderElection } from '../../../src/recipes/leader-election.js';
import type { Lease } from '../../../src/recipes/lease.js';
import { Mutex } from '../../../src/recipes/mutex.js';
import { ReadWriteLock } from '../../../src/recipes/read-write-lock.js';
import { Semaphore } from '../../../src/recipes/semaphore.js';
import { SimpleLock } from '../../../src/recipes/simple-lock.js';
import { type ClientEnv, describe, expect, test } from '../../support/client-fixture.js';
import { WAIT_MS } from '../../support/recipes/lock-test-support.js';
import { type Traffic, type WireEvent, tapTransport, traffic } from '../../support/recipes/wire-tap.js';
import { waitFor } from '../../support/zookeeper/index.js';

const OPTIONS: ConnectOptions = { sessionTimeout: 30_000 };
const RENEWAL = [OpCode.sync, OpCode.multi];

interface Tapped {
  zk: ZooKeeper;
  events: WireEvent[];
  /** Runs `fn` and returns what went over the wire meanwhile. */
  measure(fn: () => Promise<unknown>): Promise<Traffic>;
  since(from: number): Traffic;
}

async function tapped(env: ClientEnv): Promise<Tapped> {
  const tap = tapTransport();
  const zk = await env.connectTo(env.chroot.connectString, { ...OPTIONS, transport: tap.transport });
  const since = (from: number): Traffic => traffic(tap.events, from, RENEWAL);
  return {
    zk,
    events: tap.events,
    since,
    async measure(fn) {
      const from = tap.events.length;
      await fn();
      return since(from);
    },
  };
}

/**
 * Waits until a waiter has settled down: it has sent at least one request since `from`, every request it
 * sent has its reply, and nothing but pings has crossed the connection for 25 polls 20 ms apart. Polls are
 * counted rather than clock readings compared, so it holds where the clock only moves with I/O (workerd);
 * the first two conditions keep a waiter that a loaded machine has not yet run (or whose replies are late)
 * from passing for a quiet one.
 */
async function quiet(events: WireEvent[], from: number): Promise<void> {
  let last = -1;
  let still = 0;
  await waitFor(
    () => {
      const mine = events.slice(from).filter((e) => e.xid !== Xid.ping && e.op !== OpCode.ping);
      const sent = mine.filter((e) => e.dir === 'out').map((e) => e.xid);
      const answered = new Set(mine.filter((e) => e.dir === 'in').map((e) => e.xid));
      const settled = sent.length > 0 && sent.every((xid) => answered.has(xid));
      still = settled && events.length === last ? still + 1 : 0;
      last = events.length;
      return still >= 25 ? true : undefined;
    },
    { timeoutMs: WAIT_MS, intervalMs: 20, what: 'a waiter that has settled down' },
  );
}

type Make = (zk: ZooKeeper, path: string) => { acquire(): Promise<Lease> };

/**
 * The figures of a lock-like recipe; `paths` are created (persistent) first for all but `missing`.
 * `settled`, if given, runs after the holder of the hand-off has acquired and before the waiter starts: it
 * waits for what the holder still does in the background (the Semaphore's gate release).
 */
async function lockFigures(
  env: ClientEnv,
  make: Make,
  paths: string[],
  settled: () => Promise<unknown> = () => Promise.resolve(),
): Promise<Record<string, Traffic>> {
  const a = await tapped(env);
  let lease!: Lease;
  const missing = await a.measure(async () => (lease = await make(a.zk, '/missing').acquire()));
  await lease.release();

  for (const path of paths) await env.zk.create(path);
  const b = await tapped(env);
  const fresh = await b.measure(async () => (lease = await make(b.zk, '/lock').acquire()));
  await lease.release();
  const warm = await b.measure(async () => (lease = await make(b.zk, '/lock').acquire()));
  const release = await b.measure(() => lease.release());

  // The hand-off: b (warm) waits behind a's lease, then a releases.
  lease = await make(a.zk, '/lock').acquire();
  await settled();
  const start = b.events.length;
  const waiting = make(b.zk, '/lock').acquire();
  await quiet(b.events, start);
  const wait = b.since(start);
  const before = b.events.length;
  await lease.release();
  const held = await waiting;
  const handOff = b.since(before);
  await held.release();
  return { missing, fresh, warm, release, wait, handOff };
}

function show(name: string, figures: Record<string, Traffic>): void {
  const cells = Object.entries(figures).map(([k, t]) => `${k}: ${t.roundTrips} RT ${JSON.stringify(t.requests)}`);
  console.log(`[round trips] ${name}\n  ${cells.join('\n  ')}`);
}

const rt = (roundTrips: number, requests: Record<string, number>): Traffic => ({ roundTrips, requests });

describe('recipe round trips', () => {
  // create2 ∥ getChildren; the missing path costs a failed attempt and a createContainer first.
  const exclusive = {
    missing: rt(3, { create2: 2, getChildren: 2, createContainer: 1 }),
    fresh: rt(1, { create2: 1, getChildren: 1 }),
    warm: rt(1, { create2: 1, getChildren: 1 }),
    release: rt(1, { delete: 1 }),
    wait: rt(2, { create2: 1, getChildren: 1, setWatches: 1 }),
    handOff: rt(0, {}),
  };

  test('Mutex: 1 round trip uncontended, one SetWatches to wait, no request at the hand-off', async ({ env }) => {
    const f = await lockFigures(env, (zk, path) => new Mutex(zk, path), ['/lock']);
    show('Mutex', f);
    expect(f).toEqual(exclusive);
  });

  test('ReadWriteLock write side: as the Mutex', async ({ env }) => {
    const f = await lockFigures(env, (zk, path) => new ReadWriteLock(zk, path).writeLock(), ['/lock']);
    show('ReadWriteLock write', f);
    expect(f).toEqual(exclusive);
  });

  test('ReadWriteLock read side: as the Mutex behind a writer; readers share', async ({ env }) => {
    const f = await lockFigures(env, (zk, path) => new ReadWriteLock(zk, path).readLock(), ['/lock']);
    show('ReadWriteLock read', f);
    // Readers do not block readers: the "waiting" reader holds at once.
    expect(f['wait']).toEqual(rt(1, { create2: 1, getChildren: 1 }));
    const a = await tapped(env);
    const writer = await new ReadWriteLock(env.zk, '/lock').writeLock().acquire();
    const start = a.events.length;
    const waiting = new ReadWriteLock(a.zk, '/lock').readLock().acquire();
    await quiet(a.events, start);
    const wait = a.since(start);
    const before = a.events.length;
    await writer.release();
    await (await waiting).release();
    const handOff = a.since(before);
    show('ReadWriteLock read behind a writer', { wait, handOff });
    expect(wait).toEqual(rt(2, { create2: 1, getChildren: 1, setWatches: 1 }));
    expect(handOff).toEqual(rt(1, { delete: 1 })); // the hand-off itself sent nothing; the 1 is our release
  });

  test('LeaderElection: as the Mutex', async ({ env }) => {
    const f = await lockFigures(
      env,
      (zk, path) => {
        const election = new LeaderElection(zk, path);
        return { acquire: () => election.join() };
      },
      ['/lock'],
    );
    show('LeaderElection', f);
    expect(f).toEqual(exclusive);
  });

  test('SimpleLock: 1 round trip per attempt, and every waiter tries again at each release', async ({ env }) => {
    const f = await lockFigures(env, (zk, path) => new SimpleLock(zk, path), []);
    show('SimpleLock', f);
    expect(f).toEqual({
      missing: rt(1, { create2: 1, exists: 1 }),
      fresh: rt(1, { create2: 1, exists: 1 }),
      warm: rt(1, { create2: 1, exists: 1 }),
      release: rt(1, { delete: 1 }),
      wait: rt(1, { create2: 1, exists: 1 }),
      handOff: rt(1, { create2: 1, exists: 1 }),
    });
  });

  test('Semaphore: the gate Mutex, then create ∥ list; the gate is released without waiting', async ({ env }) => {
    // The holder releases its gate without waiting: the waiter starts once that delete is applied, or it
    // may find the holder's gate node and wait on it (one SetWatches more), a race rather than the recipe.
    const gateFree = (): Promise<unknown> =>
      waitFor(async () => ((await env.zk.getChildren('/lock/locks')).length === 0 ? true : undefined), {
        timeoutMs: WAIT_MS,
        intervalMs: 5,
        what: "the holder's gate released",
      });
    const f = await lockFigures(env, (zk, path) => new Semaphore(zk, path, 1), ['/lock', '/lock/locks', '/lock/leases'], gateFree);
    show('Semaphore(1)', f);
    expect(f['fresh']).toEqual(rt(3, { create2: 2, getChildren: 2, delete: 1 }));
    expect(f['warm']).toEqual(rt(3, { create2: 2, getChildren: 2, delete: 1 }));
    expect(f['release']).toEqual(rt(1, { delete: 1 }));
    // The waiter holds the gate and waits on the leases' child watch: no SetWatches.
    expect(f['wait']).toEqual(rt(2, { create2: 2, getChildren: 2 }));
    // One re-list, then the gate's delete.
    expect(f['handOff']).toEqual(rt(2, { getChildren: 1, delete: 1 }));
  });

  test('Barrier: set, remove, wait are 1 round trip each; a waiter looks once more when woken', async ({ env }) => {
    const a = await tapped(env);
    const b = await tapped(env);
    const barrier = new Barrier(a.zk, '/barrier');
    const set = await a.measure(() => barrier.set());
    const from = b.events.length;
    const waiting = new Barrier(b.zk, '/barrier').wait();
    await quiet(b.events, from);
    const before = b.events.length;
    const remove = await a.measure(() => barrier.remove());
    await waiting;
    const wakeUp = b.since(before);
    const waitDown = await b.measure(() => new Barrier(b.zk, '/barrier').wait());
    const f = { set, remove, wakeUp, waitDown };
    show('Barrier', f);
    expect(f).toEqual({
      set: rt(1, { create2: 1 }),
      remove: rt(1, { delete: 1 }),
      wakeUp: rt(1, { getData: 1 }),
      waitDown: rt(1, { getData: 1 }),
    });
  });

  test('DoubleBarrier: the last member enters in 2 round trips', async ({ env }) => {
    await env.zk.create('/double');
    const a = await tapped(env);
    const b = await tapped(env);
    const start = a.events.length;
    const entering = new DoubleBarrier(a.zk, '/double', 2).enter();
    await quiet(a.events, start);
    const enterFirst = a.since(start);
    const second = new DoubleBarrier(b.zk, '/double', 2);
    const enterLast = await b.measure(() => second.enter());
    await entering;
    show('DoubleBarrier(2)', { enterFirst, enterLast });
    // exists(ready, watch) ∥ create2 ∥ getChildren; the member that completes the count then creates ready.
    expect(enterFirst).toEqual(rt(1, { exists: 1, create2: 1, getChildren: 1 }));
    expect(enterLast).toEqual(rt(2, { exists: 1, create2: 2, getChildren: 1 }));
  });
});
