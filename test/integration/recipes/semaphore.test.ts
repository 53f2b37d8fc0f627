/**
 * Semaphore (Curator InterProcessSemaphoreV2 layout): never more than maxLeases holders under
 * contention, waiting acquirers served as leases are released (and when a holder's session closes),
 * tryAcquire, and timeout/abort leaving no node in `leases` or `locks`.
 */
import { AcquireTimeoutError, InvalidArgumentError, LockLostError, NoNodeError, type ZooKeeper } from '../../../src/entry/node.js';
import { Semaphore } from '../../../src/recipes/index.js';
import { describe, expect, test } from '../../support/client-fixture.js';
import { roundTrip } from '../../support/recipes/recording-client.js';
import { errorOf, track, within } from '../../support/promises.js';

const WAIT_MS = 10_000;
const LEASE = /^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-lease-\d{10}$/;

function sem(zk: ZooKeeper, max = 2): Semaphore {
  return new Semaphore(zk, '/sem', max);
}

/** The lease nodes, and the internal lock's nodes (empty unless someone is acquiring). */
async function nodes(zk: ZooKeeper): Promise<{ leases: string[]; locks: string[] }> {
  // One request, NONODE meaning none: the directories are containers, which the server may reap between two reads.
  const list = (path: string): Promise<string[]> =>
    zk.getChildren(path).catch((err: unknown) => {
      if (err instanceof NoNodeError) return [];
      throw err;
    });
  return { leases: await list('/sem/leases'), locks: await list('/sem/locks') };
}

describe('semaphore', () => {
  test('semaphore - leases are protected nodes under leases/, the internal lock is released', async ({ env }) => {
    const lease = await sem(env.zk).acquire();
    const { leases, locks } = await nodes(env.zk);
    expect(leases).toHaveLength(1);
    expect(leases[0]).toMatch(LEASE);
    expect(lease.path).toBe(`/sem/leases/${leases[0]}`);
    expect(locks).toEqual([]);
    expect(lease.fencingToken).toBe((await env.zk.exists(lease.path))?.czxid);
    await lease.release();
    expect((await nodes(env.zk)).leases).toEqual([]);
  });

  test('semaphore - never more than maxLeases holders under contention', async ({ env }) => {
    const clients = [env.zk, await env.connect(), await env.connect()];
    let holders = 0;
    let most = 0;
    await Promise.all(
      [0, 1, 2, 3, 4, 5].map(async (i) => {
        const zk = clients[i % clients.length]!;
        for (let round = 0; round < 3; round++) {
          const lease = await within(sem(zk).acquire(), WAIT_MS, 'a lease');
          most = Math.max(most, ++holders);
          await zk.exists('/');
          holders--;
          await lease.release();
        }
      }),
    );
    expect(most).toBeLessThanOrEqual(2);
    expect((await nodes(env.zk)).leases).toEqual([]);
  });

  test('semaphore - waiting acquirers get leases as holders release', async ({ env }) => {
    const [a, b, c] = [env.zk, await env.connect(), await env.connect()];
    const first = await sem(a).acquire();
    const second = await sem(a).acquire();
    const third = track(sem(b).acquire());
    await roundTrip(b);
    const fourth = track(sem(c).acquire());
    await roundTrip(b, c);
    expect(third.settled || fourth.settled).toBe(false);
    expect(await sem(c).tryAcquire()).toBeNull();
    await first.release();
    const got3 = await within(third.promise, WAIT_MS, 'the third lease');
    await roundTrip(c);
    expect(fourth.settled).toBe(false);
    await second.release();
    const got4 = await within(fourth.promise, WAIT_MS, 'the fourth lease');
    await Promise.all([got3.release(), got4.release()]);
    expect(await nodes(a)).toEqual({ leases: [], locks: [] });
  });

  test("semaphore - a holder's session close frees its lease for a waiter", async ({ env }) => {
    const holder = await env.connect();
    const lease = await sem(holder, 1).acquire();
    const waiting = track(sem(env.zk, 1).acquire());
    await roundTrip(env.zk);
    expect(waiting.settled).toBe(false);
    await holder.close();
    expect(lease.signal.reason).toBeInstanceOf(LockLostError);
    const next = await within(waiting.promise, WAIT_MS, 'the waiter');
    await next.release();
  });

  test('semaphore - tryAcquire takes a free lease and resolves null when none is free', async ({ env }) => {
    const one = await sem(env.zk, 1).tryAcquire();
    expect(one).not.toBeNull();
    expect(await sem(env.zk, 1).tryAcquire()).toBeNull();
    expect(await nodes(env.zk)).toEqual({ leases: [one!.path.slice('/sem/leases/'.length)], locks: [] });
    await one!.release();
  });

  test('semaphore - timeout and abort leave no node, whether queued on the lock or waiting for a lease', async ({ env }) => {
    const other = await env.connect();
    const held = await sem(env.zk, 1).acquire();
    // Waiting for a lease (holding the internal lock).
    expect(await errorOf(sem(other, 1).acquire({ timeout: 150 }))).toBeInstanceOf(AcquireTimeoutError);
    // Queued behind another acquirer on the internal lock, then aborted.
    const waiting = track(sem(env.zk, 1).acquire());
    await roundTrip(env.zk);
    const controller = new AbortController();
    const queued = sem(other, 1).acquire({ signal: controller.signal });
    await roundTrip(other);
    const reason = new Error('enough');
    controller.abort(reason);
    expect(await errorOf(queued)).toBe(reason);
    const state = await nodes(other);
    expect(state.leases).toHaveLength(2); // the holder and the waiter still waiting
    expect(state.locks).toHaveLength(1); // the waiter's
    await held.release();
    const next = await within(waiting.promise, WAIT_MS, 'the waiter');
    await next.release();
    expect(await nodes(env.zk)).toEqual({ leases: [], locks: [] });
  });

  test('semaphore - maxLeases must be a positive integer', () => {
    expect(() => new Semaphore({} as ZooKeeper, '/sem', 0)).toThrow(InvalidArgumentError);
    expect(() => new Semaphore({} as ZooKeeper, '/sem', 1.5)).toThrow(InvalidArgumentError);
  });
});
