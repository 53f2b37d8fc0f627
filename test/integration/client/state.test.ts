/**
 * Client state and lifecycle: the session properties, state changes (onStateChange, states()), close()
 * (idempotent, bounded, draining requests made before it, ending ephemerals at once), `await using`,
 * and ClientClosedError afterwards.
 */
import { ClientClosedError, CreateMode, type StateChange, type ZooKeeper, connect, endsSession, op } from '../../../src/entry/node.js';
import { FaultProxy } from '../../support/proxy/index.js';
import { splitConnectString } from '../../support/zookeeper/index.js';
import { describe, expect, test, testOptions } from '../../support/client-fixture.js';
import { errorOf, within } from '../../support/promises.js';
import { nextState } from '../../support/states.js';

/** Collects everything `zk.states()` yields until it ends. */
function collectStates(zk: ZooKeeper): Promise<StateChange[]> {
  return (async () => {
    const seen: StateChange[] = [];
    for await (const change of zk.states()) seen.push(change);
    return seen;
  })();
}

describe('state', () => {
  test('state - a new client is connecting until its session is established', async ({ env }) => {
    const transitions: string[] = [];
    const zk = await env.connect({
      logger: (_level, message) => {
        if (message.startsWith('state ')) transitions.push(message);
      },
    });
    expect(transitions).toEqual(['state connecting -> connected']);
    expect(zk.state).toBe('connected');
    expect(zk.sessionId).toBeGreaterThan(0n);
    // Requested 10 s: inside every server's default bounds (2 and 20 ticks of 2 s).
    expect(zk.sessionTimeout).toBe(10_000);
  });

  test('state - lastZxid follows replies and lastAckedSendTime follows answered requests', async ({ env }) => {
    const { zk } = env;
    const { stat } = await zk.createWithStat('/n');
    expect(zk.lastZxid).toBe(stat.czxid);
    const sent = zk.now();
    await zk.exists('/n');
    expect(zk.lastAckedSendTime).toBeGreaterThanOrEqual(sent);
    expect(zk.lastAckedSendTime).toBeLessThanOrEqual(zk.now());
    const s2 = await zk.setData('/n', 'x');
    expect(zk.lastZxid).toBe(s2.mzxid);
    expect(s2.mzxid).toBeGreaterThan(stat.czxid);
  });

  test('state - states() and onStateChange report a reconnect and the close, then end', async ({ env }) => {
    const proxy = await FaultProxy.start({ target: splitConnectString(env.hosts).hosts[0]! });
    try {
      const zk = await env.connectTo(proxy.address + env.chroot.path);
      const streamed = collectStates(zk);
      const heard: string[] = [];
      const unheard: string[] = [];
      zk.onStateChange((c) => heard.push(c.state));
      const off = zk.onStateChange((c) => unheard.push(c.state));
      off();
      const reconnected = nextState(zk, 'connected');
      proxy.resetAll();
      await reconnected;
      await zk.close();
      const changes = await within(streamed, 5000, 'the end of states()');
      expect(changes.map((c) => [c.previous, c.state])).toEqual([
        ['connected', 'disconnected'],
        ['disconnected', 'connecting'],
        ['connecting', 'connected'],
        ['connected', 'closed'],
      ]);
      expect(changes[0]?.cause).toBeInstanceOf(Error);
      expect(changes[3]?.cause).toBeInstanceOf(ClientClosedError);
      expect(heard).toEqual(['disconnected', 'connecting', 'connected', 'closed']);
      expect(unheard).toEqual([]);
      // A stream opened after the end ends at once.
      expect(await within(collectStates(zk), 5000, 'an empty states()')).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe('close', () => {
  test('close - idempotent: concurrent and repeated calls all resolve, one closed change', async ({ env }) => {
    const zk = await env.connect();
    const changes: string[] = [];
    zk.onStateChange((c) => changes.push(c.state));
    await within(Promise.all([zk.close(), zk.close()]), 10_000, 'close');
    await zk.close();
    await zk[Symbol.asyncDispose]();
    expect(zk.state).toBe('closed');
    expect(changes).toEqual(['closed']);
  });

  test('close - every call afterwards rejects with ClientClosedError', async ({ env }) => {
    const zk = await env.connect();
    await zk.create('/n');
    await zk.close();
    const calls: (() => Promise<unknown>)[] = [
      () => zk.create('/m'),
      () => zk.getData('/n'),
      () => zk.getData('/n', { watch: true }),
      () => zk.exists('/n'),
      () => zk.setData('/n', 'x'),
      () => zk.delete('/n'),
      () => zk.getChildren('/'),
      () => zk.sync('/'),
      () => zk.multi([op.create('/m')]),
      () => zk.multiRead([op.getData('/n')]),
      () => zk.whoAmI(),
      () => zk.addAuth('digest', 'a:b'),
      () => zk.addWatch('/n'),
      () => zk.removeWatches('/n', 'data'),
      () => zk.getEphemerals(),
      () => zk.getAllChildrenNumber('/'),
    ];
    for (const call of calls) {
      const err = await errorOf(call());
      expect(err).toBeInstanceOf(ClientClosedError);
      expect(err).toMatchObject({ code: 'CLIENTCLOSED' });
      expect(endsSession(err)).toBe(true);
    }
  });

  test('close - requests made before close are answered, later ones fail, and the session is gone', async ({ env }) => {
    const zk = await env.connect();
    const observer = await env.connect();
    const writes = Array.from({ length: 50 }, (_, i) => zk.create(`/n${i}`, String(i)));
    const eph = zk.create('/eph', null, { mode: CreateMode.EPHEMERAL });
    const closing = zk.close();
    const late = errorOf(zk.getData('/n0'));
    expect(await Promise.all(writes)).toEqual(Array.from({ length: 50 }, (_, i) => `/n${i}`));
    expect(await eph).toBe('/eph');
    expect(await late).toBeInstanceOf(ClientClosedError);
    await closing;
    expect(zk.state).toBe('closed');
    expect(await observer.getAllChildrenNumber('/')).toBe(50);
    // closeSession deleted the ephemeral before its reply: no waiting for a session timeout.
    expect(await observer.exists('/eph')).toBeNull();
  });

  test('close - ephemerals of a closed session are gone at once for other clients, and their watches fire', async ({ env }) => {
    const zk = await env.connect();
    const observer = await env.connect();
    await zk.create('/e', null, { mode: CreateMode.EPHEMERAL });
    await zk.create('/s-', null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
    const { watch } = await observer.exists('/e', { watch: true });
    await zk.close();
    expect(await within(watch, 5000, 'NodeDeleted')).toEqual({ type: 'NodeDeleted', state: 'SyncConnected', path: '/e' });
    expect(await observer.getChildren('/')).toEqual([]);
  });

  test('close - await using closes the client at the end of the block', async ({ env }) => {
    const observer = await env.connect();
    let escaped: ZooKeeper | undefined;
    {
      await using zk = await connect(env.chroot.connectString, testOptions());
      escaped = zk;
      await zk.create('/e', null, { mode: CreateMode.EPHEMERAL });
      expect(zk.state).toBe('connected');
    }
    expect(escaped.state).toBe('closed');
    expect(await observer.exists('/e')).toBeNull();
  });
});
