/**
 * Mutex under connection faults, injected by a proxy in front of the contending client:
 *  - the create's reply lost (the node exists, the client does not know its name): found again by its
 *    protected prefix and ephemeralOwner after reconnecting, no duplicate;
 *  - the create never reaching the server: a fresh attempt, exactly one node;
 *  - the listing's reply lost after the create's arrived;
 *  - a node with our protected prefix but another session's owner (CURATOR-604's stale node) is never
 *    taken for ours;
 *  - connection loss while the waiter arms its watches;
 *  - timeout and abort while disconnected: the acquire gives up on time, and a create that was (or is
 *    later) applied is removed once the client is back.
 *
 * A fresh client's requests get xids 1, 2, 3, ... in order, so the first acquire's create2 is xid 1, its
 * getChildren xid 2, and (when it must wait) its setWatches xid 3.
 */
import { onTestFinished, vi } from 'vitest';
import { AcquireTimeoutError, CreateMode, type LockLostError, type ZooKeeper } from '../../../src/entry/node.js';
import { OpCode } from '../../../src/protocol/index.js';
import { Mutex } from '../../../src/recipes/mutex.js';
import { scaled, waitFor } from '../../support/zookeeper/index.js';
import { describe, expect, test } from '../../support/client-fixture.js';
import { name, seen, SESSION, untilSeen, viaProxy, WAIT_MS } from '../../support/recipes/lock-test-support.js';
import { errorOf, track, within } from '../../support/promises.js';
import { nextState } from '../../support/states.js';

const UUID = '00000000-0000-4000-8000-0000000c0604';

/** Waits until `dir` has exactly `expected` children (sorted compare). */
function untilChildrenAre(zk: ZooKeeper, dir: string, expected: readonly string[]): Promise<true> {
  const want = [...expected].sort();
  let last: string[] = [];
  return waitFor(
    async () => {
      last = (await zk.getChildren(dir)).sort();
      return JSON.stringify(last) === JSON.stringify(want) ? true : undefined;
    },
    {
      timeoutMs: WAIT_MS,
      intervalMs: 20,
      what: `children of ${dir} to be ${JSON.stringify(want)}`,
      detail: () => `last: ${JSON.stringify(last)}`,
    },
  );
}

describe('mutex faults - lost replies', () => {
  test('faults - a lost create reply: the node is found by its prefix and owner after reconnecting, no duplicate', async ({ env }) => {
    await env.zk.create('/lock');
    const { proxy, zk } = await viaProxy(env);
    const dropped = proxy.dropReplyTo(1);
    const acquiring = new Mutex(zk, '/lock').acquire();
    await within(dropped, 10_000, 'the create reply to be dropped');
    const lease = await within(acquiring, 10_000, 'the acquire to recover');
    expect(seen(proxy, 'connect')).toBe(2);
    expect(seen(proxy, OpCode.create2)).toBe(1); // not created twice
    expect(await env.zk.getChildren('/lock')).toEqual([name(lease.path)]);
    const stat = (await env.zk.exists(lease.path))!;
    expect(stat.ephemeralOwner).toBe(zk.sessionId);
    expect(lease.fencingToken).toBe(stat.czxid);
    expect(lease.held).toBe(true);
    await lease.release();
    expect(await env.zk.getChildren('/lock')).toEqual([]);
  });

  test('faults - a create that never reached the server is made again under a fresh prefix', async ({ env }) => {
    await env.zk.create('/lock');
    const { proxy, zk } = await viaProxy(env);
    const before = (await env.zk.exists('/lock'))!.cversion;
    // One byte of the create frame gets through, then the connection is cut: nothing was applied.
    const cut = proxy.cutAfterBytes({ direction: 'toServer', bytes: 1 });
    const acquiring = new Mutex(zk, '/lock').acquire();
    await within(cut, 10_000, 'the cut');
    const lease = await within(acquiring, 10_000, 'the acquire after reconnecting');
    expect(seen(proxy, 'connect')).toBe(2);
    expect(await env.zk.getChildren('/lock')).toEqual([name(lease.path)]);
    // Exactly one child was ever created under the lock (cversion counts creates and deletes).
    expect((await env.zk.exists('/lock'))!.cversion).toBe(before + 1);
    await lease.release();
  });

  test('faults - a lost listing reply after the create reply: the engine lists again and holds', async ({ env }) => {
    await env.zk.create('/lock');
    const { proxy, zk } = await viaProxy(env);
    const cut = proxy.cutAfterReplyTo(1); // the create's reply arrives, the listing's does not
    const acquiring = new Mutex(zk, '/lock').acquire();
    await within(cut, 10_000, 'the cut');
    const lease = await within(acquiring, 10_000, 'the acquire after reconnecting');
    expect(seen(proxy, OpCode.create2)).toBe(1);
    expect(seen(proxy, OpCode.getChildren)).toBe(2);
    expect(await env.zk.getChildren('/lock')).toEqual([name(lease.path)]);
    // The lease still learns of its node's deletion (no listing watch survived: it watches the node).
    await env.zk.delete(lease.path);
    await waitFor(() => (lease.signal.aborted ? true : undefined), { timeoutMs: WAIT_MS, intervalMs: 10, what: 'the lease to notice' });
    expect((lease.signal.reason as LockLostError).reason).toBe('node-deleted');
  });

  test('faults - connection loss while the waiter arms its watches: it re-reads and still gets the lock', async ({ env }) => {
    await env.zk.create('/lock');
    const holder = await env.connect(SESSION);
    const held = await new Mutex(holder, '/lock').acquire();
    const { proxy, zk } = await viaProxy(env);
    const dropped = proxy.dropReplyTo(3); // the SetWatches arming the holder's node and ours
    const waiting = track(new Mutex(zk, '/lock').acquire());
    await within(dropped, 10_000, 'the setWatches reply to be dropped');
    // Reconnected: a re-read, and the watches armed again on the new connection (the session's own
    // SetWatches replays only the listing's child watch: the failed arming was taken back).
    await untilSeen(proxy, OpCode.getChildren, 2);
    await untilSeen(proxy, OpCode.setWatches, 3);
    await zk.getACL('/');
    expect(seen(proxy, 'connect')).toBe(2);
    expect(waiting.settled).toBe(false);
    await held.release();
    const lease = await within(waiting.promise, 10_000, 'the hand-off');
    expect(await env.zk.getChildren('/lock')).toEqual([name(lease.path)]);
    await lease.release();
  });
});

describe('mutex faults - stale nodes (CURATOR-604)', () => {
  test('faults - a node with our prefix owned by another session is never taken for ours', async ({ env }) => {
    await env.zk.create('/lock');
    // The "earlier session": a live node named exactly as our next create attempt will be.
    const earlier = await env.connect(SESSION);
    const stale = await earlier.create(`/lock/_c_${UUID}-lock-`, null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
    const { proxy, zk } = await viaProxy(env);
    const uuid = vi.spyOn(globalThis.crypto, 'randomUUID').mockReturnValueOnce(UUID);
    onTestFinished(() => uuid.mockRestore());
    // Our create under that prefix never reaches the server; recovery lists the children, finds the
    // stale node by prefix, and must reject it on its ephemeralOwner.
    const cut = proxy.cutAfterBytes({ direction: 'toServer', bytes: 1 });
    const err = await errorOf(new Mutex(zk, '/lock').acquire({ timeout: scaled(1500) }));
    await cut;
    expect(err).toBeInstanceOf(AcquireTimeoutError);
    expect(uuid).toHaveBeenCalled();
    // It queued behind the stale node under a fresh prefix, gave up, and removed its own node only.
    await untilChildrenAre(env.zk, '/lock', [name(stale)]);
    expect((await env.zk.exists(stale))!.ephemeralOwner).toBe(earlier.sessionId);

    // Once the earlier session is gone, the lock is ours, on our own node.
    const acquiring = new Mutex(zk, '/lock').acquire();
    await earlier.close();
    const lease = await within(acquiring, 10_000, 'the acquire after the stale node went');
    expect(lease.path).not.toBe(stale);
    expect((await env.zk.exists(lease.path))!.ephemeralOwner).toBe(zk.sessionId);
    await lease.release();
  });

  test('faults - after a lost create reply, of two nodes with our prefix the engine takes the one its session owns', async ({ env }) => {
    await env.zk.create('/lock');
    const earlier = await env.connect(SESSION);
    const stale = await earlier.create(`/lock/_c_${UUID}-lock-`, null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
    const { proxy, zk } = await viaProxy(env);
    const uuid = vi.spyOn(globalThis.crypto, 'randomUUID').mockReturnValueOnce(UUID);
    onTestFinished(() => uuid.mockRestore());
    const dropped = proxy.dropReplyTo(1);
    const acquiring = new Mutex(zk, '/lock').acquire();
    await within(dropped, 10_000, 'the create reply to be dropped');
    // Ours was created behind the stale one, so we wait: first for the reconnect and recovery.
    await untilSeen(proxy, OpCode.setWatches, 1);
    const children = (await env.zk.getChildren('/lock')).sort();
    expect(children).toHaveLength(2);
    expect(children.every((c) => c.startsWith(`_c_${UUID}-lock-`))).toBe(true);
    await earlier.close();
    const lease = await within(acquiring, 10_000, 'the acquire');
    expect(lease.path).not.toBe(stale);
    expect(seen(proxy, OpCode.create2)).toBe(1);
    expect((await env.zk.exists(lease.path))!.ephemeralOwner).toBe(zk.sessionId);
    expect(await env.zk.getChildren('/lock')).toEqual([name(lease.path)]);
    await lease.release();
  });
});

describe('mutex faults - giving up while disconnected', () => {
  test('faults - an acquire timeout passes while disconnected: it rejects on time, and a late create is removed', async ({ env }) => {
    await env.zk.create('/lock');
    const holder = await env.connect(SESSION);
    const held = await new Mutex(holder, '/lock').acquire();
    const { proxy, zk } = await viaProxy(env);
    const down = nextState(zk, ['disconnected', 'connecting'], 15_000);
    proxy.refuse(true);
    proxy.resetAll();
    await down;
    const before = (await env.zk.exists('/lock'))!.cversion;
    const timeout = scaled(500);
    const started = zk.now();
    // The create is queued while disconnected; the timeout must not wait for the connection.
    const err = await within(errorOf(new Mutex(zk, '/lock').acquire({ timeout })), 5000, 'the timeout');
    expect(err).toBeInstanceOf(AcquireTimeoutError);
    expect(zk.now() - started).toBeLessThan(timeout + scaled(1500));
    expect(zk.state).not.toBe('connected');
    const up = nextState(zk, ['connected'], 15_000);
    proxy.refuse(false);
    await up;
    // The queued create went out after the reconnect (cversion + 1), and the engine deleted what it made
    // (cversion + 2): nothing of the given-up acquire is left.
    await waitFor(async () => ((await env.zk.exists('/lock'))!.cversion === before + 2 ? true : undefined), {
      timeoutMs: WAIT_MS,
      intervalMs: 20,
      what: 'the late create and its deletion',
    });
    expect(await env.zk.getChildren('/lock')).toEqual([name(held.path)]);
    await held.release();
  });

  test('faults - an abort while the create outcome is unknown rejects at once and leaves no node after reconnecting', async ({ env }) => {
    await env.zk.create('/lock');
    const { proxy, zk } = await viaProxy(env);
    proxy.refuse(true); // no reconnect until the test allows it
    const dropped = proxy.dropReplyTo(1); // applied on the server, the reply lost
    const controller = new AbortController();
    const acquiring = new Mutex(zk, '/lock').acquire({ signal: controller.signal });
    await within(dropped, 10_000, 'the create reply to be dropped');
    expect(await env.zk.getChildren('/lock')).toHaveLength(1); // applied: only its reply was lost
    const before = (await env.zk.exists('/lock'))!.cversion;
    const reason = new Error('giving up');
    controller.abort(reason);
    expect(await within(errorOf(acquiring), 3000, 'the abort')).toBe(reason);
    const up = nextState(zk, ['connected'], 15_000);
    proxy.refuse(false);
    await up;
    await untilChildrenAre(env.zk, '/lock', []);
    expect((await env.zk.exists('/lock'))!.cversion).toBe(before + 1); // deleted, and nothing created again
  });
});
