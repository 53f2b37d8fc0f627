/**
 * Watches across a reconnect: the client re-registers them with SetWatches relative to its lastZxid (as
 * ClientCnxn.SendThread.primeConnection does), and the server answers with catch-up events for what
 * changed while it was away (DataTree.setWatches fires them while handling the request), so they come
 * before the SetWatches reply and any later one. Uses the shared server behind this file's FaultProxy;
 * the changes are made by a second session connected straight to the server.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type PersistentWatch, type WatchedEvent, type ZooKeeper, connect } from '../../../src/entry/node.js';
import { OpCode } from '../../../src/protocol/index.js';
import { FaultProxy } from '../../support/proxy/index.js';
import { createChroot, scaled, splitConnectString, type TestChroot, waitFor } from '../../support/zookeeper/index.js';
import { closeAll } from '../../support/fault-support.js';
import { nextState, recordStates } from '../../support/states.js';
import { within } from '../../support/promises.js';

let chroot: TestChroot;
let proxy: FaultProxy;

beforeAll(async () => {
  chroot = await createChroot(inject('zkConnect'), 'faults-watch-replay', { superUser: inject('zkHarness') });
  proxy = await FaultProxy.start({ target: splitConnectString(inject('zkConnect')).hosts[0]! });
});

afterAll(async () => {
  await proxy?.close();
  await chroot?.cleanup();
});

/** Collects a persistent watch's events as they arrive. */
function collect(watch: PersistentWatch): WatchedEvent[] {
  const events: WatchedEvent[] = [];
  void (async () => {
    for await (const e of watch) events.push(e);
  })();
  return events;
}

/** Waits (bounded) until `events` holds one equal to `event`. */
function waitForEvent(events: readonly WatchedEvent[], event: WatchedEvent): Promise<true> {
  return waitFor(() => (events.some((e) => e.type === event.type && e.path === event.path && e.state === event.state) ? true : undefined), {
    timeoutMs: scaled(5000),
    intervalMs: 10,
    what: `${event.type} for ${event.path}`,
    detail: () => `events so far: ${JSON.stringify(events)}`,
  });
}

describe('watch replay', () => {
  it('watch replay - changes made while disconnected arrive as catch-up events after reconnect, before later replies', async () => {
    let zk: ZooKeeper | undefined;
    let other: ZooKeeper | undefined;
    try {
      other = await connect(chroot.connectString, { sessionTimeout: 4000 });
      zk = await connect(proxy.address + chroot.path, { sessionTimeout: 4000 });
      const client = zk;
      for (const path of ['/changed', '/deleted', '/parent', '/untouched', '/persist', '/tree']) await zk.create(path, 'v0');
      const changed = (await zk.getData('/changed', { watch: true })).watch;
      const deleted = (await zk.getData('/deleted', { watch: true })).watch;
      const appears = await zk.exists('/appears', { watch: true });
      expect(appears.stat).toBeNull();
      const children = (await zk.getChildren('/parent', { watch: true })).watch;
      const untouched = (await zk.getData('/untouched', { watch: true })).watch;
      const persist = collect(await zk.addWatch('/persist'));
      const tree = collect(await zk.addWatch('/tree', { recursive: true }));
      const sessionId = zk.sessionId;

      // Order of deliveries after the reconnect, and a read made the moment the client is back.
      const order: string[] = [];
      for (const [name, watch] of [
        ['changed', changed],
        ['deleted', deleted],
        ['appears', appears.watch],
        ['children', children],
      ] as const) {
        void watch.then(() => order.push(name));
      }
      let readBack: Promise<string> | undefined;
      const back = nextState(zk, ['connected', 'expired', 'closed'], 10_000);
      const off = zk.onStateChange((c) => {
        if (c.state !== 'connected') return;
        readBack = client.getData('/changed').then((r) => {
          order.push('reply');
          return new TextDecoder().decode(r.data!);
        });
      });

      // Down and kept down: every reconnect attempt is refused until the changes are made.
      const down = nextState(zk, ['disconnected'], 5000);
      proxy.refuse(true);
      proxy.resetAll();
      await down;
      await other.setData('/changed', 'v1');
      await other.delete('/deleted');
      await other.create('/appears', 'new');
      await other.create('/parent/kid');
      await other.setData('/persist', 'v1');
      proxy.refuse(false);

      expect((await back).state).toBe('connected');
      off();
      expect(zk.sessionId).toBe(sessionId);
      const bound = 5000;
      await expect(within(changed, bound, '/changed')).resolves.toEqual({
        type: 'NodeDataChanged',
        state: 'SyncConnected',
        path: '/changed',
      });
      await expect(within(deleted, bound, '/deleted')).resolves.toEqual({ type: 'NodeDeleted', state: 'SyncConnected', path: '/deleted' });
      await expect(within(appears.watch, bound, '/appears')).resolves.toEqual({
        type: 'NodeCreated',
        state: 'SyncConnected',
        path: '/appears',
      });
      await expect(within(children, bound, '/parent')).resolves.toEqual({
        type: 'NodeChildrenChanged',
        state: 'SyncConnected',
        path: '/parent',
      });
      // The read made on reconnect sees the new value, and only after every catch-up event was delivered.
      await expect(within(readBack!, bound, 'the read after reconnect')).resolves.toBe('v1');
      expect(order.at(-1)).toBe('reply');
      expect([...order].sort()).toEqual(['appears', 'changed', 'children', 'deleted', 'reply']);

      // Re-armed, not fired: watches on nodes that did not change still fire on the next change.
      await other.setData('/untouched', 'v1');
      await expect(within(untouched, bound, '/untouched')).resolves.toEqual({
        type: 'NodeDataChanged',
        state: 'SyncConnected',
        path: '/untouched',
      });
      await other.create('/persist/kid');
      await other.create('/tree/a');
      await other.setData('/tree/a', 'v1');
      // No catch-up for persistent watches (DataTree.setWatches re-adds them without comparing zxids), so
      // look for the post-reconnect changes.
      await waitForEvent(persist, { type: 'NodeChildrenChanged', state: 'SyncConnected', path: '/persist' });
      expect(persist.every((e) => e.path === '/persist')).toBe(true);
      await waitForEvent(tree, { type: 'NodeCreated', state: 'SyncConnected', path: '/tree/a' });
      await waitForEvent(tree, { type: 'NodeDataChanged', state: 'SyncConnected', path: '/tree/a' });
    } finally {
      proxy.refuse(false);
      await closeAll([zk, other]);
    }
  });

  it('watch replay - more watches than one SetWatches frame holds are all re-registered and caught up', async () => {
    let zk: ZooKeeper | undefined;
    let other: ZooKeeper | undefined;
    try {
      other = await connect(chroot.connectString, { sessionTimeout: 4000 });
      zk = await connect(proxy.address + chroot.path, { sessionTimeout: 4000 });
      await zk.create('/many');
      // 600 paths of about 250 bytes: well over the 128 KiB a SetWatches batch carries, so two or more frames.
      const paths = Array.from({ length: 600 }, (_, i) => `/many/${String(i).padStart(4, '0')}-${'w'.repeat(240)}`);
      await Promise.all(paths.map((p) => zk!.create(p, 'v0')));
      const watches = (await Promise.all(paths.map((p) => zk!.getData(p, { watch: true })))).map((r) => r.watch);
      const events = new Map<string, WatchedEvent>();
      for (const w of watches) void w.then((e) => events.set(e.path, e));
      const sessionId = zk.sessionId;

      const down = nextState(zk, ['disconnected'], 5000);
      proxy.resetCounts();
      proxy.refuse(true);
      proxy.resetAll();
      await down;
      // Even-numbered nodes change while the client is away (caught up on reconnect), odd ones after.
      await Promise.all(paths.filter((_, i) => i % 2 === 0).map((p) => other!.setData(p, 'v1')));
      const back = nextState(zk, ['connected', 'expired', 'closed'], 10_000);
      proxy.refuse(false);
      expect((await back).state).toBe('connected');
      expect(zk.sessionId).toBe(sessionId);
      await waitFor(() => (events.size >= paths.length / 2 ? true : undefined), {
        timeoutMs: scaled(5000),
        intervalMs: 10,
        what: 'catch-up events for the nodes changed while disconnected',
        detail: () => `${events.size} events`,
      });
      expect([...events.keys()].sort()).toEqual(paths.filter((_, i) => i % 2 === 0));
      // SetWatches frames on the new connection, one per batch; they preceded the catch-up events.
      expect(proxy.requestCounts().get(OpCode.setWatches) ?? 0).toBeGreaterThanOrEqual(2);
      await Promise.all(paths.filter((_, i) => i % 2 === 1).map((p) => other!.setData(p, 'v1')));
      await within(Promise.all(watches), 5000, 'every watch');
      expect(events.size).toBe(paths.length);
      expect([...events.values()].every((e) => e.type === 'NodeDataChanged')).toBe(true);
    } finally {
      proxy.refuse(false);
      await closeAll([zk, other]);
    }
  });

  it('watch replay - a connection lost right after its handshake replays the watches again on the next one', async () => {
    let zk: ZooKeeper | undefined;
    let other: ZooKeeper | undefined;
    try {
      other = await connect(chroot.connectString, { sessionTimeout: 4000 });
      zk = await connect(proxy.address + chroot.path, { sessionTimeout: 4000 });
      await zk.create('/primed', 'v0');
      const { watch } = await zk.getData('/primed', { watch: true });
      const sessionId = zk.sessionId;
      const states = recordStates(zk);
      // The next connection delivers its ConnectResponse (41 bytes with the length prefix) and is cut:
      // the SetWatches sent in priming never gets its reply.
      const cut = proxy.cutAfterBytes({ direction: 'toClient', bytes: 41 });
      proxy.resetCounts();
      proxy.resetAll();
      await within(cut, 5000, 'the cut after the handshake');
      await waitFor(() => (states.changes.filter((c) => c.state === 'connected').length >= 2 ? true : undefined), {
        timeoutMs: scaled(5000),
        intervalMs: 10,
        what: 'a second reconnect',
        detail: () => states.changes.map((c) => c.state).join(' '),
      });
      expect(zk.sessionId).toBe(sessionId);
      // The watch stayed registered here and went out again with the second connection.
      await other.setData('/primed', 'v1');
      await expect(within(watch, 5000, '/primed')).resolves.toEqual({
        type: 'NodeDataChanged',
        state: 'SyncConnected',
        path: '/primed',
      });
      // Only the second connection's SetWatches reached the server: the proxy drops what a cut connection sends.
      expect(proxy.requestCounts().get(OpCode.setWatches) ?? 0).toBe(1);
      states.stop();
    } finally {
      proxy.clearRules();
      await closeAll([zk, other]);
    }
  });
});
