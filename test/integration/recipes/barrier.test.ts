/**
 * Barrier: waiters on several clients are held while the node exists and all released by remove();
 * wait() passes at once when no barrier is set; set/remove are idempotent and set creates missing
 * parents; timeout and abort reject and leave nothing behind.
 */
import { AcquireTimeoutError, ClientClosedError } from '../../../src/entry/node.js';
import { Barrier } from '../../../src/recipes/index.js';
import { describe, expect, test } from '../../support/client-fixture.js';
import { roundTrip } from '../../support/recipes/recording-client.js';
import { errorOf, track, within } from '../../support/promises.js';

const WAIT_MS = 10_000;

describe('barrier', () => {
  test('barrier - wait passes at once when no barrier is set', async ({ env }) => {
    await within(new Barrier(env.zk, '/b').wait(), WAIT_MS, 'wait');
    expect(await env.zk.exists('/b')).toBeNull();
  });

  test('barrier - waiters on several clients are released together when the barrier is removed', async ({ env }) => {
    const clients = [await env.connect(), await env.connect(), await env.connect()];
    const barrier = new Barrier(env.zk, '/app/b');
    await barrier.set();
    await barrier.set(); // already set: fine
    expect((await env.zk.exists('/app/b'))?.ephemeralOwner).toBe(0n);
    const waiters = clients.map((zk) => track(new Barrier(zk, '/app/b').wait()));
    // A write to the barrier node is not its removal.
    await env.zk.setData('/app/b', 'still up');
    await roundTrip(...clients);
    expect(waiters.some((w) => w.settled)).toBe(false);
    await barrier.remove();
    await within(Promise.all(waiters.map((w) => w.promise)), WAIT_MS, 'all waiters');
    await barrier.remove(); // already removed: fine
    expect(await env.zk.exists('/app/b')).toBeNull();
  });

  test('barrier - timeout and abort reject; the barrier stays up', async ({ env }) => {
    const other = await env.connect();
    await new Barrier(env.zk, '/b').set();
    const barrier = new Barrier(other, '/b');
    expect(await errorOf(barrier.wait({ timeout: 100 }))).toBeInstanceOf(AcquireTimeoutError);
    const controller = new AbortController();
    const waiting = barrier.wait({ signal: controller.signal });
    const reason = new Error('stop waiting');
    controller.abort(reason);
    expect(await errorOf(waiting)).toBe(reason);
    expect(await other.exists('/b')).not.toBeNull();
    expect(await other.getChildren('/b')).toEqual([]);
  });

  test("barrier - a waiter's client closing rejects the wait", async ({ env }) => {
    const other = await env.connect();
    await new Barrier(env.zk, '/b').set();
    const waiting = new Barrier(other, '/b').wait();
    await roundTrip(other);
    await other.close();
    expect(await within(errorOf(waiting), WAIT_MS, 'the rejection')).toBeInstanceOf(ClientClosedError);
  });
});
