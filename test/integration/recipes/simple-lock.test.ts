/**
 * SimpleLock, the naive one-node lock: exclusion under contention (several clients, and several
 * acquirers on one client), the lease it hands out, tryAcquire, timeout and abort, hand-off on the
 * holder's session close, and a release that must not delete the next holder's node.
 */
import { AcquireTimeoutError, LockLostError, type ZooKeeper } from '../../../src/entry/node.js';
import { type Lease, SimpleLock } from '../../../src/recipes/index.js';
import { describe, expect, test } from '../../support/client-fixture.js';
import { recording, roundTrip } from '../../support/recipes/recording-client.js';
import { errorOf, track, within } from '../../support/promises.js';

const WAIT_MS = 10_000;

/** Runs `rounds` acquire/work/release cycles per lock, checking that no two bodies overlap. */
async function contend(locks: SimpleLock[], rounds: number, zk: ZooKeeper): Promise<Lease[]> {
  let inside = 0;
  let overlaps = 0;
  const order: Lease[] = [];
  await Promise.all(
    locks.map(async (lock) => {
      for (let i = 0; i < rounds; i++) {
        const lease = await within(lock.acquire(), WAIT_MS, 'acquire');
        if (++inside > 1) overlaps++;
        order.push(lease);
        // A server round trip inside the critical section, so an overlap would have time to happen.
        await zk.exists('/');
        expect(lease.held).toBe(true);
        inside--;
        await lease.release();
      }
    }),
  );
  expect(overlaps).toBe(0);
  return order;
}

describe('simple lock', () => {
  test('simple lock - acquire creates the ephemeral node (parents as containers), release deletes it', async ({ env }) => {
    const { zk } = env;
    const lock = new SimpleLock(zk, '/app/locks/a', { data: 'me' });
    const lease = await lock.acquire();
    const stat = await zk.exists('/app/locks/a');
    expect(stat?.ephemeralOwner).toBe(zk.sessionId);
    expect(lease.fencingToken).toBe(stat?.czxid);
    expect(lease.path).toBe('/app/locks/a');
    expect(lease.held).toBe(true);
    expect((await zk.exists('/app'))?.ephemeralOwner).toBe(0n);
    await lease.release();
    expect(lease.signal.aborted).toBe(true);
    expect((lease.signal.reason as LockLostError).reason).toBe('released');
    expect(await zk.exists('/app/locks/a')).toBeNull();
  });

  test('simple lock - clients exclude each other under contention; fencing tokens increase', async ({ env }) => {
    const clients = [env.zk, await env.connect(), await env.connect()];
    const locks = clients.map((zk) => new SimpleLock(zk, '/lock'));
    const order = await contend(locks, 4, env.zk);
    expect(order).toHaveLength(12);
    for (let i = 1; i < order.length; i++) expect(order[i]!.fencingToken > order[i - 1]!.fencingToken).toBe(true);
    expect(await env.zk.exists('/lock')).toBeNull();
  });

  test('simple lock - acquirers sharing one client exclude each other', async ({ env }) => {
    const locks = [0, 1, 2].map(() => new SimpleLock(env.zk, '/lock'));
    const order = await contend(locks, 3, env.zk);
    expect(new Set(order.map((l) => l.fencingToken)).size).toBe(9);
  });

  test('simple lock - every waiter watches the holder node (the herd)', async ({ env }) => {
    const holder = await new SimpleLock(env.zk, '/lock').acquire();
    const waiters = await Promise.all([env.connect(), env.connect(), env.connect()]);
    const recorded = waiters.map((zk) => recording(zk));
    const pending = recorded.map((r) => track(new SimpleLock(r.zk, '/lock').acquire()));
    await roundTrip(...waiters);
    expect(pending.some((p) => p.settled)).toBe(false);
    for (const r of recorded) expect(r.watched()).toEqual(['/lock']);
    // Each release lets exactly one of them win; the others go on watching the winner's node.
    const waiting = new Set(pending.map((p) => p.promise));
    let previous: Lease = holder;
    for (let won = 1; won <= 3; won++) {
      await previous.release();
      const next = await within(Promise.race([...waiting].map((p) => p.then((lease) => ({ p, lease })))), WAIT_MS, `winner ${won}`);
      waiting.delete(next.p);
      await roundTrip(...waiters);
      expect(pending.filter((p) => p.settled)).toHaveLength(won);
      // The herd: the first release woke every waiter, and each tried to create the node again.
      if (won === 1) for (const r of recorded) expect(r.calls.filter((c) => c.method === 'createWithStat')).toHaveLength(2);
      previous = next.lease;
    }
    await previous.release();
  });

  test('simple lock - tryAcquire resolves null while held, leaving no watch, and takes a free lock', async ({ env }) => {
    const other = await env.connect();
    const lease = await new SimpleLock(env.zk, '/lock').acquire();
    const r = recording(other);
    expect(await new SimpleLock(r.zk, '/lock').tryAcquire()).toBeNull();
    expect(r.watched()).toEqual([]);
    expect((await other.exists('/lock'))?.czxid).toBe(lease.fencingToken);
    await lease.release();
    const second = await new SimpleLock(other, '/lock').tryAcquire();
    expect(second).not.toBeNull();
    expect((await env.zk.exists('/lock'))?.ephemeralOwner).toBe(other.sessionId);
    expect(second!.fencingToken > lease.fencingToken).toBe(true);
    await second!.release();
  });

  test('simple lock - timeout rejects with AcquireTimeoutError and abort with the reason; the holder keeps its node', async ({ env }) => {
    const other = await env.connect();
    const lease = await new SimpleLock(env.zk, '/lock').acquire();
    const lock = new SimpleLock(other, '/lock');
    expect(await errorOf(lock.acquire({ timeout: 100 }))).toBeInstanceOf(AcquireTimeoutError);
    const controller = new AbortController();
    const aborted = lock.acquire({ signal: controller.signal });
    const reason = new Error('stop');
    controller.abort(reason);
    expect(await errorOf(aborted)).toBe(reason);
    expect((await other.exists('/lock'))?.ephemeralOwner).toBe(env.zk.sessionId);
    expect(lease.held).toBe(true);
    await lease.release();
    expect(await other.exists('/lock')).toBeNull();
  });

  test("simple lock - the holder's session close hands the lock to a waiter", async ({ env }) => {
    const holderClient = await env.connect();
    const lease = await new SimpleLock(holderClient, '/lock').acquire();
    const waiting = new SimpleLock(env.zk, '/lock').acquire();
    await holderClient.close();
    // Closing deletes the node first: whichever the lease saw first is its reason.
    expect(lease.signal.reason).toBeInstanceOf(LockLostError);
    expect(['session-ended', 'node-deleted']).toContain((lease.signal.reason as LockLostError).reason);
    const next = await within(waiting, WAIT_MS, 'the waiter');
    expect(next.fencingToken > lease.fencingToken).toBe(true);
    await next.release();
  });

  test("simple lock - a release landing between a waiter's create and its exists does not strand the waiter", async ({ env }) => {
    const holderClient = await env.connect();
    // The waiter's create and exists go out together; the release races them from another session, so
    // some rounds see NODEEXISTS and then no node (exists sets a creation watch that never fires).
    for (let i = 0; i < 10; i++) {
      const lease = await new SimpleLock(holderClient, '/lock').acquire();
      const waiting = new SimpleLock(env.zk, '/lock').acquire();
      await lease.release();
      const next = await within(waiting, WAIT_MS, `the waiter, round ${i}`);
      await next.release();
    }
  });

  test("simple lock - a lease that saw its node deleted does not delete the next holder's on release", async ({ env }) => {
    const other = await env.connect();
    const lease = await new SimpleLock(env.zk, '/lock').acquire();
    const lost = new Promise((resolve) => lease.signal.addEventListener('abort', resolve));
    await other.delete('/lock');
    await within(lost, WAIT_MS, 'the lease to notice');
    expect((lease.signal.reason as LockLostError).reason).toBe('node-deleted');
    const next = await new SimpleLock(other, '/lock').acquire();
    await lease.release();
    expect((await other.exists('/lock'))?.czxid).toBe(next.fencingToken);
    await next.release();
  });
});
