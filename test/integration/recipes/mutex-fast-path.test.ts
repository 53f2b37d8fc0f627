/**
 * The contention engine's round trips and its fast hand-off (src/recipes/internal/contention.ts).
 *
 * Round trips are read from the wire, not from a clock: a transport tap records every frame the client
 * writes and every reply it reads, in order, so "getChildren was sent before the create's reply arrived"
 * is a fact about the frame sequence. One test also checks the elapsed time against latency injected by a
 * proxy, with a bound (2 RTT) that a non-pipelined acquire cannot meet whatever the machine's speed.
 *
 * The fast-path conditions of the engine's header each get a test; a proxy in front of the waiter counts
 * its getChildren (re-read) and setWatches (arming) requests:
 *  1. sole blocker: its NodeDeleted grants with no request at all; with several blockers, a re-read;
 *     behind several, the look-ahead's deletion brings the re-read forward, into the blocker's hold;
 *  2. a NodeDataChanged on the predecessor is no grant;
 *  3. the session: events reach a waiter only on its own session (a partitioned waiter whose session
 *     ends rejects, it never holds); a reconnect on the same session keeps the fast path;
 *  4. our own node deleted while waiting: acquire rejects with LockLostError('node-deleted');
 *  5. the sole blocker already gone when the watches are armed: hold at once, no re-read (several
 *     blockers: re-read).
 */
import { LockLostError, type ZooKeeper } from '../../../src/entry/node.js';
import { OpCode, type RequestBodies, decodeRequest } from '../../../src/protocol/index.js';
import type { Lease } from '../../../src/recipes/lease.js';
import { Mutex } from '../../../src/recipes/mutex.js';
import { FaultProxy } from '../../support/proxy/index.js';
import { AdminClient, scaled, waitFor } from '../../support/zookeeper/index.js';
import { type ClientEnv, describe, expect, test } from '../../support/client-fixture.js';
import { replied, sent, tapTransport } from '../../support/recipes/wire-tap.js';
import { name, seen, SESSION, untilSeen, viaProxy, WAIT_MS } from '../../support/recipes/lock-test-support.js';
import { errorOf, eventually, track, within } from '../../support/promises.js';

// ---------------------------------------------------------------- helpers

/** Every request the proxy has seen except pings and the ConnectRequest, by opcode. */
function requests(proxy: FaultProxy): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [op, n] of proxy.requestCounts()) if (op !== OpCode.ping && op !== 'connect') out[String(op)] = n;
  return out;
}

/**
 * Waits until a waiter behind `proxy` has armed its watches (one SetWatches: its own node, the predecessor
 * and, behind several blockers, the look-ahead) and the reply is in: a later request on the same session
 * (getACL, opcode 6, which the engine never sends) is answered after it.
 */
async function untilArmed(proxy: FaultProxy, zk: ZooKeeper): Promise<void> {
  await untilSeen(proxy, OpCode.setWatches, 1);
  await zk.getACL('/');
}

/**
 * A holder of /lock (a persistent node: the server's container reaper must not remove it while a test
 * reads it) and a middle waiter queued behind it, which `giveUp` aborts (timeout, cancel, crash).
 */
async function holderAndMiddle(
  env: ClientEnv,
): Promise<{ holder: ZooKeeper; lease: Lease; giveUp: AbortController; middleWaiting: Promise<Lease> }> {
  await env.zk.create('/lock');
  const holder = await env.connect(SESSION);
  const lease = await new Mutex(holder, '/lock').acquire();
  const middle = await env.connect(SESSION);
  const giveUp = new AbortController();
  const middleWaiting = new Mutex(middle, '/lock').acquire({ signal: giveUp.signal });
  await untilChildren(holder, '/lock', 2);
  return { holder, lease, giveUp, middleWaiting };
}

function untilChildren(zk: ZooKeeper, dir: string, n: number): Promise<true> {
  return waitFor(async () => ((await zk.getChildren(dir)).length === n ? true : undefined), {
    timeoutMs: WAIT_MS,
    intervalMs: 10,
    what: `${n} children under ${dir}`,
  });
}

// ---------------------------------------------------------------- round trips

describe('mutex round trips', () => {
  test('round trips - an uncontended acquire sends create2 and getChildren before the create reply arrives', async ({ env }) => {
    await env.zk.create('/lock');
    const tap = tapTransport();
    const { zk } = await viaProxy(env, { ...SESSION, transport: tap.transport });
    const from = tap.events.length;
    const lease = await new Mutex(zk, '/lock').acquire();
    const create = sent(tap.events, OpCode.create2, from);
    const list = sent(tap.events, OpCode.getChildren, from);
    expect(list).toBeGreaterThan(create);
    expect(replied(tap.events, tap.events[create]!.xid)).toBeGreaterThan(list);
    // Nothing else was needed: two requests, two replies.
    expect(
      tap.events
        .slice(from)
        .filter((e) => e.dir === 'out' && e.op !== OpCode.ping)
        .map((e) => e.op),
    ).toEqual([OpCode.create2, OpCode.getChildren]);
    await lease.release();
  });

  test('round trips - with injected latency an uncontended acquire takes one round trip, not two', async ({ env }) => {
    await env.zk.create('/lock');
    const { proxy, zk } = await viaProxy(env);
    const oneWay = scaled(150);
    const rtt = 2 * oneWay;
    proxy.setLatency({ toServer: oneWay, toClient: oneWay });
    const started = zk.now();
    const lease = await new Mutex(zk, '/lock').acquire();
    const elapsed = zk.now() - started;
    // At least the one round trip; a create-then-list acquire needs two (>= 2 RTT) on any machine.
    expect(elapsed).toBeGreaterThanOrEqual(rtt - 1);
    expect(elapsed).toBeLessThan(2 * rtt);
    proxy.setLatency({});
    await lease.release();
  });

  test('round trips - release is a single delete request', async ({ env }) => {
    await env.zk.create('/lock');
    const { proxy, zk } = await viaProxy(env);
    const lease = await new Mutex(zk, '/lock').acquire();
    // A second contender arriving while we hold changes the lock's children (the holder's monitor re-arms).
    const other = await env.connect(SESSION);
    const waiting = new Mutex(other, '/lock').acquire();
    await untilChildren(other, '/lock', 2);
    await waitFor(() => (seen(proxy, OpCode.exists) >= 1 ? true : undefined), {
      timeoutMs: WAIT_MS,
      intervalMs: 5,
      what: 'monitor re-armed',
    });
    proxy.resetCounts();
    await lease.release();
    expect(requests(proxy)).toEqual({ [OpCode.delete]: 1 });
    await (await within(waiting, 10_000, 'the waiter')).release();
  });

  test('round trips - a wait arms our own node and the predecessor with one SetWatches request', async ({ env }) => {
    // A persistent lock node: the server's container reaper must not remove it while a test reads it.
    await env.zk.create('/lock');
    const holder = await env.connect(SESSION);
    const lease = await new Mutex(holder, '/lock').acquire();
    const tap = tapTransport();
    const { zk } = await viaProxy(env, { ...SESSION, transport: tap.transport });
    const from = tap.events.length;
    const waiting = track(new Mutex(zk, '/lock').acquire());
    await waitFor(() => (tap.events.some((e, i) => i >= from && e.op === OpCode.setWatches) ? true : undefined), {
      timeoutMs: WAIT_MS,
      intervalMs: 5,
      what: 'the waiter to arm its watches',
    });
    const arm = tap.events[sent(tap.events, OpCode.setWatches, from)]!;
    const request = decodeRequest(arm.frame!).request as { op: 'setWatches' } & RequestBodies['setWatches'];
    const ours = (await holder.getChildren('/lock')).find((c) => c !== name(lease.path))!;
    // Server paths (chroot included); our node first, so its deletion is reported before any other.
    expect(request.dataWatches).toEqual([`${env.chroot.path}/lock/${ours}`, `${env.chroot.path}${lease.path}`]);
    expect(request.existWatches).toEqual([]);
    expect(request.childWatches).toEqual([]);
    // create2, getChildren, setWatches: nothing else was sent to start waiting.
    expect(
      tap.events
        .slice(from)
        .filter((e) => e.dir === 'out' && e.op !== OpCode.ping)
        .map((e) => e.op),
    ).toEqual([OpCode.create2, OpCode.getChildren, OpCode.setWatches]);
    await zk.getACL('/');
    expect(waiting.settled).toBe(false);
    await lease.release();
    await (await within(waiting.promise, 10_000, 'the waiter')).release();
  });
});

// ---------------------------------------------------------------- fast-path conditions

describe('mutex fast path', () => {
  test("fast path 1 - the sole blocker's release hands over with no request at all", async ({ env }) => {
    // A persistent lock node: the server's container reaper must not remove it while a test reads it.
    await env.zk.create('/lock');
    const holder = await env.connect(SESSION);
    const lease = await new Mutex(holder, '/lock').acquire();
    const { proxy, zk } = await viaProxy(env);
    const waiting = track(new Mutex(zk, '/lock').acquire());
    await untilArmed(proxy, zk);
    expect(requests(proxy)).toEqual({ [OpCode.create2]: 1, [OpCode.getChildren]: 1, [OpCode.setWatches]: 1, [OpCode.getACL]: 1 });
    proxy.resetCounts();
    await lease.release();
    const next = await within(waiting.promise, 10_000, 'the hand-off');
    expect(requests(proxy)).toEqual({});
    expect(next.held).toBe(true);
    expect(next.fencingToken > lease.fencingToken).toBe(true);
    await next.release();
  });

  test('fast path 1 - with several blockers, a deleted predecessor means a re-read, and the older holder still holds', async ({ env }) => {
    // A middle waiter that gives up while the holder keeps the lock.
    const { lease, giveUp, middleWaiting } = await holderAndMiddle(env);
    const { proxy, zk } = await viaProxy(env);
    const waiting = track(new Mutex(zk, '/lock').acquire());
    await untilArmed(proxy, zk);
    expect(seen(proxy, OpCode.getChildren)).toBe(1);
    giveUp.abort(new Error('gave up'));
    await expect(middleWaiting).rejects.toThrow('gave up');
    // The waiter re-reads and finds the holder older than itself: it watches it already (the look-ahead).
    await untilSeen(proxy, OpCode.getChildren, 2);
    await zk.getACL('/'); // answered after the re-read: the engine has decided
    expect(seen(proxy, OpCode.setWatches)).toBe(1);
    expect(waiting.settled).toBe(false);
    expect(lease.held).toBe(true);
    // Now the holder is the sole blocker: its release hands over without another listing.
    await lease.release();
    const next = await within(waiting.promise, 10_000, 'the hand-off');
    expect(seen(proxy, OpCode.getChildren)).toBe(2);
    await next.release();
  });

  test("fast path 1 - behind several blockers, the look-ahead's deletion brings the re-read into the blocker's hold", async ({ env }) => {
    const { lease, middleWaiting } = await holderAndMiddle(env);
    const { proxy, zk } = await viaProxy(env);
    const waiting = track(new Mutex(zk, '/lock').acquire());
    await untilArmed(proxy, zk);
    expect(requests(proxy)).toEqual({ [OpCode.create2]: 1, [OpCode.getChildren]: 1, [OpCode.setWatches]: 1, [OpCode.getACL]: 1 });
    // The holder releases: the middle waiter holds, and our waiter re-reads while it does.
    await lease.release();
    const middleLease = await within(middleWaiting, 10_000, 'the middle waiter');
    await untilSeen(proxy, OpCode.getChildren, 2);
    await zk.getACL('/');
    expect(waiting.settled).toBe(false);
    expect(middleLease.held).toBe(true);
    // Now second in line: the middle one's release hands over with no request at all.
    proxy.resetCounts();
    await middleLease.release();
    const next = await within(waiting.promise, 10_000, 'the hand-off');
    expect(requests(proxy)).toEqual({});
    expect(next.fencingToken > middleLease.fencingToken).toBe(true);
    await next.release();
  });

  test('fast path 1 - a look-ahead that gives up means a re-read: the waiter looks further ahead and still waits', async ({ env }) => {
    // Holder H, then M1 (gives up), M2, and our waiter W: W waits for M2 and looks ahead to M1.
    const { holder, lease, giveUp, middleWaiting } = await holderAndMiddle(env);
    const m2 = await env.connect(SESSION);
    const m2Waiting = new Mutex(m2, '/lock').acquire();
    await untilChildren(holder, '/lock', 3);
    const { proxy, zk } = await viaProxy(env);
    const waiting = track(new Mutex(zk, '/lock').acquire());
    await untilArmed(proxy, zk);
    giveUp.abort(new Error('gave up'));
    await expect(middleWaiting).rejects.toThrow('gave up');
    // W re-reads, still waits for M2 (armed already), and now looks ahead to the holder.
    await untilSeen(proxy, OpCode.setWatches, 2);
    await zk.getACL('/');
    expect(seen(proxy, OpCode.getChildren)).toBe(2);
    expect(waiting.settled).toBe(false);
    expect(lease.held).toBe(true);
    // The holder releases: M2 holds; W re-reads during that hold and becomes second in line.
    await lease.release();
    const m2Lease = await within(m2Waiting, 10_000, 'M2');
    await untilSeen(proxy, OpCode.getChildren, 3);
    await zk.getACL('/');
    expect(waiting.settled).toBe(false);
    proxy.resetCounts();
    await m2Lease.release();
    const next = await within(waiting.promise, 10_000, 'the hand-off');
    expect(requests(proxy)).toEqual({});
    expect(next.fencingToken > m2Lease.fencingToken).toBe(true);
    await next.release();
  });

  test('fast path 2 - a data change on the predecessor is no grant: the waiter re-reads and keeps waiting', async ({ env }) => {
    // A persistent lock node: the server's container reaper must not remove it while a test reads it.
    await env.zk.create('/lock');
    const holder = await env.connect(SESSION);
    const lease = await new Mutex(holder, '/lock').acquire();
    const { proxy, zk } = await viaProxy(env);
    const waiting = track(new Mutex(zk, '/lock').acquire());
    await untilArmed(proxy, zk);
    // A revoker-style write to the holder's node by a third client.
    const revoker = await env.connect(SESSION);
    await revoker.setData(lease.path, 'revoke?');
    // The change used up the watch: a re-read, then the predecessor is watched again.
    await untilSeen(proxy, OpCode.setWatches, 2);
    expect(seen(proxy, OpCode.getChildren)).toBe(2);
    await zk.getACL('/');
    expect(waiting.settled).toBe(false);
    expect(lease.held).toBe(true);
    await lease.release();
    const next = await within(waiting.promise, 10_000, 'the hand-off');
    expect(seen(proxy, OpCode.getChildren)).toBe(2);
    await next.release();
  });

  test('fast path 3 - a partitioned waiter whose session ends rejects with session-ended, never holding', async ({ env }) => {
    // A persistent lock node: the server's container reaper must not remove it while a test reads it.
    await env.zk.create('/lock');
    const holder = await env.connect(SESSION);
    const lease = await new Mutex(holder, '/lock').acquire();
    const { proxy, zk } = await viaProxy(env, { sessionTimeout: 2000 });
    const waiting = track(new Mutex(zk, '/lock').acquire());
    await untilArmed(proxy, zk);
    proxy.blackhole(true);
    // The release the waiter never hears of: the notification is lost with the partition.
    await lease.release();
    const err = await within(errorOf(waiting.promise), 15_000, 'the waiter to give up');
    expect(err).toBeInstanceOf(LockLostError);
    expect((err as LockLostError).reason).toBe('session-ended');
    expect(zk.state).toBe('expired');
    // The server expires the session too, and its contender node goes with it.
    await eventually(async () => (await holder.getChildren('/lock')).length === 0, 15_000, "the expired waiter's node to go");
  });

  test('fast path 3 - a release heard after a reconnect on the same session hands over without a re-read', async ({ env }) => {
    // A persistent lock node: the server's container reaper must not remove it while a test reads it.
    await env.zk.create('/lock');
    const holder = await env.connect(SESSION);
    const lease = await new Mutex(holder, '/lock').acquire();
    const { proxy, zk } = await viaProxy(env);
    const sessionId = zk.sessionId;
    const waiting = track(new Mutex(zk, '/lock').acquire());
    await untilArmed(proxy, zk);
    const down = new Promise<void>((resolve) => {
      const off = zk.onStateChange((c) => {
        if (c.state !== 'connected') {
          off();
          resolve();
        }
      });
    });
    proxy.refuse(true);
    proxy.resetAll();
    await within(down, 10_000, 'the waiter to notice the disconnect');
    await lease.release();
    proxy.refuse(false);
    const next = await within(waiting.promise, 15_000, 'the hand-off after reconnecting');
    expect(zk.sessionId).toBe(sessionId);
    expect(next.sessionId).toBe(sessionId);
    // The watches were re-registered (the session's SetWatches after reconnecting, the second one the proxy
    // saw) and fired for the deletion made while disconnected: no re-read.
    expect(seen(proxy, OpCode.getChildren)).toBe(1);
    expect(seen(proxy, OpCode.setWatches)).toBe(2);
    await next.release();
  });

  test('fast path 4 - our own node deleted while waiting rejects with node-deleted, even if the holder releases next', async ({ env }) => {
    // A persistent lock node: the server's container reaper must not remove it while a test reads it.
    await env.zk.create('/lock');
    const holder = await env.connect(SESSION);
    const lease = await new Mutex(holder, '/lock').acquire();
    const { proxy, zk } = await viaProxy(env);
    const waiting = track(new Mutex(zk, '/lock').acquire());
    await untilArmed(proxy, zk);
    const ours = (await holder.getChildren('/lock')).find((c) => c !== name(lease.path))!;
    const admin = await AdminClient.connect(env.chroot.connectString);
    try {
      // Our node goes first, then the holder's: the waiter hears of both, in that order.
      await admin.delete(`/lock/${ours}`);
      const released = lease.release();
      const err = await within(errorOf(waiting.promise), 10_000, 'the waiter to give up');
      expect(err).toBeInstanceOf(LockLostError);
      expect((err as LockLostError).reason).toBe('node-deleted');
      await released;
      expect(await admin.getChildren('/lock')).toEqual([]);
      expect(seen(proxy, OpCode.getChildren)).toBe(1);
    } finally {
      await admin.close();
    }
  });

  test('fast path 4 - our own node deleted while waiting, holder still holding: acquire rejects, the holder keeps it', async ({ env }) => {
    // A persistent lock node: the server's container reaper must not remove it while a test reads it.
    await env.zk.create('/lock');
    const holder = await env.connect(SESSION);
    const lease = await new Mutex(holder, '/lock').acquire();
    const { proxy, zk } = await viaProxy(env);
    const waiting = track(new Mutex(zk, '/lock').acquire());
    await untilArmed(proxy, zk);
    const ours = (await holder.getChildren('/lock')).find((c) => c !== name(lease.path))!;
    await holder.delete(`/lock/${ours}`);
    const err = await within(errorOf(waiting.promise), 10_000, 'the waiter to give up');
    expect((err as LockLostError).reason).toBe('node-deleted');
    expect(lease.held).toBe(true);
    expect(await holder.getChildren('/lock')).toEqual([name(lease.path)]);
    await lease.release();
  });

  test('fast path 4 - a write to our own node while waiting does not blind the waiter to its later deletion', async ({ env }) => {
    await env.zk.create('/lock');
    const holder = await env.connect(SESSION);
    const lease = await new Mutex(holder, '/lock').acquire();
    const { proxy, zk } = await viaProxy(env);
    const waiting = track(new Mutex(zk, '/lock').acquire());
    await untilArmed(proxy, zk);
    const ours = `/lock/${(await holder.getChildren('/lock')).find((c) => c !== name(lease.path))!}`;
    // A revoker-style write consumes the one-shot watch on our node: the engine must watch it again.
    await holder.setData(ours, 'revoke?');
    await untilSeen(proxy, OpCode.setWatches, 2);
    await zk.getACL('/');
    expect(waiting.settled).toBe(false);
    await holder.delete(ours);
    const err = await within(errorOf(waiting.promise), 10_000, 'the waiter to notice its node is gone');
    expect((err as LockLostError).reason).toBe('node-deleted');
    expect(lease.held).toBe(true);
    await lease.release();
  });

  test('fast path 5 - the sole blocker gone by the time the watches are armed: hold at once, no re-read', async ({ env }) => {
    // A persistent lock node: the server's container reaper must not remove it while a test reads it.
    await env.zk.create('/lock');
    const holder = await env.connect(SESSION);
    const lease = await new Mutex(holder, '/lock').acquire();
    const { proxy, zk } = await viaProxy(env);
    // Requests reach the server this long after the proxy sees them: room to release in between.
    proxy.setLatency({ toServer: scaled(300) });
    const waiting = track(new Mutex(zk, '/lock').acquire());
    await untilSeen(proxy, OpCode.setWatches, 1);
    await lease.release();
    const next = await within(waiting.promise, 10_000, 'the waiter');
    proxy.setLatency({});
    // SetWatches on a node already gone fires NodeDeleted at once.
    expect(seen(proxy, OpCode.getChildren)).toBe(1);
    expect(seen(proxy, OpCode.setWatches)).toBe(1);
    expect(next.held).toBe(true);
    expect(await zk.getChildren('/lock')).toEqual([name(next.path)]);
    await next.release();
  });

  test('fast path 5 - with several blockers, a predecessor gone when armed means a re-read, and the wait goes on', async ({ env }) => {
    const { holder, lease, giveUp, middleWaiting } = await holderAndMiddle(env);
    const { proxy, zk } = await viaProxy(env);
    proxy.setLatency({ toServer: scaled(300) });
    const waiting = track(new Mutex(zk, '/lock').acquire());
    await untilSeen(proxy, OpCode.setWatches, 1);
    giveUp.abort(new Error('gave up'));
    await expect(middleWaiting).rejects.toThrow('gave up');
    await untilChildren(holder, '/lock', 2); // the middle node is gone: holder and our waiter remain
    await untilSeen(proxy, OpCode.getChildren, 2);
    proxy.setLatency({});
    await zk.getACL('/');
    // The holder was armed already (the look-ahead): nothing more to watch.
    expect(seen(proxy, OpCode.setWatches)).toBe(1);
    expect(waiting.settled).toBe(false);
    await lease.release();
    const next = await within(waiting.promise, 10_000, 'the hand-off');
    expect(seen(proxy, OpCode.getChildren)).toBe(2);
    await next.release();
  });
});
