/**
 * Real session expiry: a client whose only server sits behind a black-holed FaultProxy for longer than
 * the session timeout. Whether the client declares the expiry itself or hears it from the server on
 * reconnect, the end state is 'expired': everything pending fails, watches end with None/Expired, later
 * calls fail with SessionExpiredError, and no new session is opened behind the application's back.
 * Uses the shared server: only this file's proxies are faulted.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type Clock,
  ConnectionLossError,
  CreateMode,
  SessionExpiredError,
  type WatchedEvent,
  type ZooKeeper,
  connect,
} from '../../../src/entry/node.js';
import { FaultProxy } from '../../support/proxy/index.js';
import { AdminClient, createChroot, scaled, splitConnectString, type TestChroot, waitFor } from '../../support/zookeeper/index.js';
import { closeAll, settleAll } from '../../support/fault-support.js';
import { nextState, recordStates } from '../../support/states.js';
import { track, within } from '../../support/promises.js';

let chroot: TestChroot;
let proxy: FaultProxy;

beforeAll(async () => {
  chroot = await createChroot(inject('zkConnect'), 'faults-expiry', { superUser: inject('zkHarness') });
  const target = splitConnectString(inject('zkConnect')).hosts[0]!;
  proxy = await FaultProxy.start({ target });
});

afterAll(async () => {
  await proxy?.close();
  await chroot?.cleanup();
});

/** The system clock, except that time stands still for the client once stalled: it neither pings nor times anything out. */
function stallableClock(): Clock & { stall(): void } {
  let stalledAt: number | undefined;
  return {
    now: () => stalledAt ?? performance.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle),
    stall: () => {
      stalledAt = performance.now();
    },
  };
}

/** What a test holds on the session: an ephemeral, one-shot watches of each kind and a persistent watch. */
interface Holdings {
  watches: Promise<WatchedEvent>[];
  persistentEvents: Promise<WatchedEvent[]>;
}

async function hold(zk: ZooKeeper, base: string): Promise<Holdings> {
  await zk.create(base);
  await zk.create(`${base}/eph`, 'mine', { mode: CreateMode.EPHEMERAL });
  await zk.create(`${base}/data`, 'v');
  await zk.create(`${base}/other`);
  const data = await zk.getData(`${base}/data`, { watch: true });
  const missing = await zk.exists(`${base}/missing`, { watch: true });
  const children = await zk.getChildren(base, { watch: true });
  // Not on a path with one-shot watches: a 3.8 server keeps one watch mode per path (ZOOKEEPER-4466).
  const persistent = await zk.addWatch(`${base}/other`);
  const persistentEvents = (async () => {
    const events: WatchedEvent[] = [];
    for await (const e of persistent) events.push(e);
    return events;
  })();
  return { watches: [data.watch, missing.watch, children.watch], persistentEvents };
}

/** The ephemeral is gone as seen by an independent session straight to the server: the server expired ours. */
async function expectEphemeralGone(path: string, timeoutMs: number): Promise<void> {
  const admin = await AdminClient.connect(chroot.connectString);
  try {
    await waitFor(async () => ((await admin.exists(path)) ? undefined : true), {
      timeoutMs,
      intervalMs: 25,
      what: `the server to delete ${path}`,
    });
  } finally {
    await admin.close();
  }
}

/** Everything that must hold once the session is expired, whichever side noticed first. */
async function expectEnded(zk: ZooKeeper, sessionId: bigint, holdings: Holdings, base: string): Promise<void> {
  expect(zk.state).toBe('expired');
  expect(zk.sessionId).toBe(sessionId);
  for (const watch of holdings.watches) {
    await expect(within(watch, 1000, 'a watch')).resolves.toEqual({ type: 'None', state: 'Expired', path: '' });
  }
  // The persistent watch's iteration ends after the final event.
  await expect(within(holdings.persistentEvents, 1000, 'the persistent watch')).resolves.toEqual([
    { type: 'None', state: 'Expired', path: '' },
  ]);
  await expect(zk.getData(`${base}/data`)).rejects.toBeInstanceOf(SessionExpiredError);
  await expect(zk.create(`${base}/late`)).rejects.toBeInstanceOf(SessionExpiredError);
  await expect(zk.exists(`${base}/data`, { watch: true })).rejects.toBeInstanceOf(SessionExpiredError);
}

describe('expiry', () => {
  it('expiry - black-holed past the session timeout: expired, pending requests and watches end, no new session', async () => {
    let zk: ZooKeeper | undefined;
    try {
      zk = await connect(proxy.address + chroot.path, { sessionTimeout: 2000 });
      const client = zk;
      const sessionId = zk.sessionId;
      const t = zk.sessionTimeout;
      const holdings = await hold(zk, '/declared');
      const states = recordStates(zk);
      const expired = nextState(zk, ['expired', 'closed'], 3 * t + 5000);
      // Made once the connection is given up: queued for the next connection, which never comes.
      const queued: Promise<unknown>[] = [];
      zk.onStateChange((c) => {
        if (c.state !== 'disconnected') return;
        queued.push(track(client.getData('/declared/data')).promise, track(client.setData('/declared/data', 'q')).promise);
        queued.push(track(client.create('/declared/queued', null, { mode: CreateMode.EPHEMERAL })).promise);
      });
      proxy.blackhole(true);
      // Written into the black hole: in flight when the connection is dropped.
      const inFlight = [track<unknown>(zk.getData('/declared/data')).promise, track<unknown>(zk.setData('/declared/data', 'f')).promise];

      const end = await expired;
      expect(end.state).toBe('expired');
      expect(end.cause).toBeInstanceOf(SessionExpiredError);
      const connectsAtExpiry = proxy.requestCounts().get('connect') ?? 0;
      expect(states.changes.map((c) => c.state)).toEqual(['disconnected', 'connecting', 'expired']);
      const lost = await settleAll(inFlight, 1000);
      expect(lost.every((o) => !o.ok && o.error instanceof ConnectionLossError)).toBe(true);
      const failed = await settleAll(queued, 1000);
      expect(failed.length).toBe(3);
      expect(failed.every((o) => !o.ok && o.error instanceof SessionExpiredError)).toBe(true);
      await expectEnded(zk, sessionId, holdings, '/declared');

      // The way to the server is open again; the client must stay expired rather than open a new session.
      proxy.blackhole(false);
      await expectEphemeralGone('/declared/eph', scaled(3 * t + 5000));
      expect(proxy.requestCounts().get('connect') ?? 0).toBe(connectsAtExpiry);
      expect(zk.state).toBe('expired');
      expect(zk.sessionId).toBe(sessionId);
      states.stop();
    } finally {
      proxy.blackhole(false);
      await closeAll([zk]);
    }
  });

  it('expiry - reported by the server on reconnect: a stalled client held off until the server expired it ends expired', async () => {
    let zk: ZooKeeper | undefined;
    try {
      // A stalled clock means the client can never declare the expiry itself: only the server can tell it.
      const clock = stallableClock();
      zk = await connect(proxy.address + chroot.path, { sessionTimeout: 2000, clock });
      const client = zk;
      const sessionId = zk.sessionId;
      const t = zk.sessionTimeout;
      const holdings = await hold(zk, '/reported');
      const expired = nextState(zk, ['expired', 'closed'], 3 * t + 10_000);
      const queued: Promise<unknown>[] = [];
      zk.onStateChange((c) => {
        if (c.state === 'disconnected') queued.push(track(client.getData('/reported/data')).promise);
      });
      clock.stall();
      proxy.blackhole(true);
      const inFlight = [track<unknown>(zk.getData('/reported/data')).promise];
      // The server hears nothing, expires the session and closes its connection (which the proxy passes on).
      await expectEphemeralGone('/reported/eph', scaled(3 * t + 5000));
      expect(zk.state).not.toBe('expired');
      const connectsBefore = proxy.requestCounts().get('connect') ?? 0;
      proxy.blackhole(false);

      const end = await expired;
      expect(end.state).toBe('expired');
      expect(end.cause).toBeInstanceOf(SessionExpiredError);
      // It reconnected with the old session and the server refused it.
      expect(proxy.requestCounts().get('connect') ?? 0).toBe(connectsBefore + 1);
      const lost = await settleAll(inFlight, 1000);
      expect(lost.every((o) => !o.ok && o.error instanceof ConnectionLossError)).toBe(true);
      const failed = await settleAll(queued, 1000);
      expect(failed.length).toBe(1);
      expect(failed.every((o) => !o.ok && o.error instanceof SessionExpiredError)).toBe(true);
      await expectEnded(zk, sessionId, holdings, '/reported');
      expect(proxy.requestCounts().get('connect') ?? 0).toBe(connectsBefore + 1);
    } finally {
      proxy.blackhole(false);
      await closeAll([zk]);
    }
  });
});
