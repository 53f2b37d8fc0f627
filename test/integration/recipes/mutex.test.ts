/**
 * Mutex against a real server: mutual exclusion under contention (several sessions, a shared counter in
 * the critical section, fencing tokens), tryAcquire, timeout and abort leaving no node behind, several
 * acquirers in one process each waking only for its own predecessor, and the lock path as a container.
 *
 * "Still waiting" is never shown by sleeping: a waiter's progress is read from the requests a proxy in
 * front of it has seen, and from the contender nodes on the server.
 */
import { AcquireTimeoutError, NoNodeError, type ZooKeeper } from '../../../src/entry/node.js';
import type { Lease } from '../../../src/recipes/lease.js';
import { OpCode } from '../../../src/protocol/index.js';
import { Mutex } from '../../../src/recipes/mutex.js';
import { scaled, waitFor } from '../../support/zookeeper/index.js';
import { describe, expect, test, text } from '../../support/client-fixture.js';
import { name, seen, SESSION, untilSeen, viaProxy, WAIT_MS } from '../../support/recipes/lock-test-support.js';
import { errorOf, eventually, track, within } from '../../support/promises.js';

/** The lock directory's children, sorted; none when the server has reaped the (container) directory. */
async function children(zk: ZooKeeper, dir: string): Promise<string[]> {
  try {
    return (await zk.getChildren(dir)).sort();
  } catch (err) {
    if (err instanceof NoNodeError) return [];
    throw err;
  }
}

describe('mutex - exclusion', () => {
  test('mutex - clients contending in a loop never overlap, lose no update, and get increasing fencing tokens', async ({ env }) => {
    const CLIENTS = 4;
    const ITERATIONS = 5;
    await env.zk.create('/counter', '0');
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => env.connect(SESSION)));
    let inside = 0;
    let maxInside = 0;
    const tokens: bigint[] = [];
    const sessions: bigint[] = [];
    const worker = async (zk: ZooKeeper): Promise<void> => {
      const mutex = new Mutex(zk, '/lock');
      for (let i = 0; i < ITERATIONS; i++) {
        const lease = await within(mutex.acquire(), 20_000, 'acquire');
        inside++;
        maxInside = Math.max(maxInside, inside);
        tokens.push(lease.fencingToken);
        sessions.push(lease.sessionId);
        expect(lease.sessionId).toBe(zk.sessionId);
        expect(lease.held).toBe(true);
        // Read-modify-write without a version: an overlapping holder would lose an update.
        const n = Number(text((await zk.getData('/counter')).data));
        await new Promise((resolve) => setTimeout(resolve, 2));
        await zk.setData('/counter', String(n + 1));
        inside--;
        await lease.release();
      }
    };
    await Promise.all(clients.map(worker));
    expect(maxInside).toBe(1);
    expect(text((await env.zk.getData('/counter')).data)).toBe(String(CLIENTS * ITERATIONS));
    expect(tokens).toHaveLength(CLIENTS * ITERATIONS);
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]! > tokens[i - 1]!, `token ${i}`).toBe(true);
    // The lock really changed hands between sessions.
    expect(new Set(sessions).size).toBe(CLIENTS);
    expect(await children(env.zk, '/lock')).toEqual([]);
  });

  test('mutex - the fencing token is the lock node czxid and the lease records path, stat and session', async ({ env }) => {
    const zk = await env.connect(SESSION);
    const lease = await new Mutex(zk, '/lock').acquire();
    const stat = await env.zk.exists(lease.path);
    expect(stat).not.toBeNull();
    expect(lease.fencingToken).toBe(stat!.czxid);
    expect(lease.stat.czxid).toBe(stat!.czxid);
    expect(stat!.ephemeralOwner).toBe(zk.sessionId);
    expect(lease.sessionId).toBe(zk.sessionId);
    // A Curator-compatible protected name.
    expect(name(lease.path)).toMatch(/^_c_[0-9a-f-]{36}-lock-\d{10}$/);
    await lease.release();
  });
});

describe('mutex - tryAcquire', () => {
  test('mutex - tryAcquire returns null while the lock is held and leaves no node', async ({ env }) => {
    const holder = await env.connect(SESSION);
    const other = await env.connect(SESSION);
    const lease = await new Mutex(holder, '/lock').acquire();
    const before = (await other.exists('/lock'))!.cversion;
    expect(await new Mutex(other, '/lock').tryAcquire()).toBeNull();
    // It did contend (created and deleted a node), and the node is gone once tryAcquire resolves.
    expect((await other.exists('/lock'))!.cversion).toBe(before + 2);
    expect(await children(other, '/lock')).toEqual([name(lease.path)]);
    // Not reentrant: the holder's own session gets null too.
    expect(await new Mutex(holder, '/lock').tryAcquire()).toBeNull();
    expect(await children(holder, '/lock')).toEqual([name(lease.path)]);
    await lease.release();
    const second = await new Mutex(other, '/lock').tryAcquire();
    expect(second).not.toBeNull();
    expect(second!.held).toBe(true);
    expect(await children(other, '/lock')).toEqual([name(second!.path)]);
    await second!.release();
    expect(await children(other, '/lock')).toEqual([]);
  });
});

describe('mutex - giving up', () => {
  test('mutex - acquire with a timeout rejects with AcquireTimeoutError and leaves no node', async ({ env }) => {
    const holder = await env.connect(SESSION);
    const waiter = await env.connect(SESSION);
    const lease = await new Mutex(holder, '/lock').acquire();
    const timeout = scaled(300);
    const started = waiter.now();
    const err = await errorOf(new Mutex(waiter, '/lock').acquire({ timeout }));
    expect(err).toBeInstanceOf(AcquireTimeoutError);
    expect(waiter.now() - started).toBeGreaterThanOrEqual(timeout - 1);
    // The waiter's delete was sent before the rejection: a later read on the same session sees it done.
    expect(await children(waiter, '/lock')).toEqual([name(lease.path)]);
    expect(lease.held).toBe(true);
    await lease.release();
  });

  test('mutex - aborting a waiting acquire rejects with the signal reason and leaves no node', async ({ env }) => {
    const holder = await env.connect(SESSION);
    const lease = await new Mutex(holder, '/lock').acquire();
    const { proxy, zk: waiter } = await viaProxy(env);
    const controller = new AbortController();
    const pending = track(new Mutex(waiter, '/lock').acquire({ signal: controller.signal }));
    // Waiting for real: its watches are armed and answered (getACL is answered after them).
    await untilSeen(proxy, OpCode.setWatches, 1);
    await waiter.getACL('/');
    expect(pending.settled).toBe(false);
    const reason = new Error('shutting down');
    controller.abort(reason);
    expect(await errorOf(pending.promise)).toBe(reason);
    // Its delete was queued before the rejection: a later read on the same session sees it done.
    expect(await children(waiter, '/lock')).toEqual([name(lease.path)]);
    await lease.release();
    // Nothing of the waiter's is left to hold the lock later.
    expect(await children(holder, '/lock')).toEqual([]);
  });

  test('mutex - aborting at any point of an acquire rejects with the reason and leaves no node behind', async ({ env }) => {
    await env.zk.create('/lock');
    const holder = await env.connect(SESSION);
    const lease = await new Mutex(holder, '/lock').acquire();
    const waiter = await env.connect(SESSION);
    const mutex = new Mutex(waiter, '/lock');
    // Abort after 0, 1, 2, ... ms: before the create is sent, with it in flight, while listing, while arming.
    for (let ms = 0; ms < 12; ms++) {
      const controller = new AbortController();
      const acquiring = mutex.acquire({ signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, ms));
      const reason = new Error(`abort after ${ms} ms`);
      controller.abort(reason);
      expect(await within(errorOf(acquiring), 5000, `the abort after ${ms} ms`)).toBe(reason);
    }
    // Cleanup of a create still in flight at the abort finishes when its reply arrives.
    await waitFor(async () => (JSON.stringify(await children(waiter, '/lock')) === JSON.stringify([name(lease.path)]) ? true : undefined), {
      timeoutMs: WAIT_MS,
      intervalMs: 20,
      what: "the aborted waiters' nodes to go",
    });
    expect(lease.held).toBe(true);
    await lease.release();
  });

  test('mutex - an already aborted signal rejects at once without creating a node', async ({ env }) => {
    const zk = await env.connect(SESSION);
    await zk.create('/lock');
    const before = (await zk.exists('/lock'))!.cversion;
    const controller = new AbortController();
    controller.abort();
    const err = await errorOf(new Mutex(zk, '/lock').acquire({ signal: controller.signal }));
    expect(err).toBe(controller.signal.reason);
    expect((err as Error).name).toBe('AbortError');
    expect((await zk.exists('/lock'))!.cversion).toBe(before);
  });
});

describe('mutex - one process, several acquirers', () => {
  test('mutex - acquirers sharing a session and a Mutex hold in turn, each woken only by its predecessor', async ({ env }) => {
    const WAITERS = 4;
    const { proxy, zk } = await viaProxy(env);
    await zk.create('/lock');
    const mutex = new Mutex(zk, '/lock');
    const holder = await mutex.acquire();
    // Issued back to back: one session applies them in order, so they queue in call order.
    const waiters = Array.from({ length: WAITERS }, () => track(mutex.acquire()));
    // Every waiter has armed its watches (own node, predecessor, look-ahead) with one SetWatches.
    await untilSeen(proxy, OpCode.setWatches, WAITERS);
    const listingsBefore = seen(proxy, OpCode.getChildren);
    expect(listingsBefore).toBe(1 + WAITERS);
    expect(waiters.every((w) => !w.settled)).toBe(true);

    const order: number[] = [];
    const never = new Promise<never>(() => {});
    let previous: Lease = holder;
    for (let turn = 0; turn < WAITERS; turn++) {
      await previous.release();
      const next = await within(
        Promise.race(waiters.map((w, i) => (order.includes(i) ? never : w.promise.then(() => i)))),
        10_000,
        `turn ${turn}`,
      );
      order.push(next);
      // Exactly one more waiter has been granted at each turn.
      expect(waiters.filter((w) => w.settled).length).toBe(turn + 1);
      previous = await waiters[next]!.promise;
      expect(previous.signal.aborted).toBe(false);
    }
    await previous.release();
    expect(order).toEqual([0, 1, 2, 3]);
    // The first waiter was second in line: its hand-off needed no listing. Each later one saw two older
    // nodes and re-read once, when the one two ahead released (its look-ahead), while its predecessor
    // held; its own hand-off then needed none, and nothing had to be watched again.
    expect(seen(proxy, OpCode.getChildren) - listingsBefore).toBe(WAITERS - 1);
    expect(seen(proxy, OpCode.setWatches)).toBe(WAITERS);
    expect(await children(zk, '/lock')).toEqual([]);
  });
});

describe('mutex - lock path', () => {
  test('mutex - a missing lock path is created as containers and reaped once empty', async ({ env }) => {
    const zk = await env.connect(SESSION);
    const lease = await new Mutex(zk, '/a/b/lock').acquire();
    expect(lease.path.startsWith('/a/b/lock/')).toBe(true);
    // Containers, not ephemerals: the session owns only the lock node.
    expect((await zk.exists('/a/b/lock'))!.ephemeralOwner).toBe(0n);
    await lease.release();
    // The server's container reaper removes the empty lock node (harness: checked every second).
    await eventually(async () => (await zk.exists('/a/b/lock')) === null, 15_000, 'the container to be reaped');
  });
});
