/**
 * Failover across ensemble members: kill -9 of the server carrying the connection, kill -9 of the leader
 * under a client on a follower, and a black-holed server detected by the read timeout. One 3-member
 * ensemble for the file, a FaultProxy in front of each member so the test sees (and steers) which
 * member carries the client's connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CREATOR_ALL_ACL,
  ConnectionLossError,
  CreateMode,
  type StateChange,
  type WatchedEvent,
  type ZooKeeper,
  connect,
} from '../../../src/entry/node.js';
import type { FaultProxy } from '../../support/proxy/index.js';
import { AdminClient, createChroot, scaled, startEnsemble, type TestChroot, type ZkEnsemble } from '../../support/zookeeper/index.js';
import {
  carrierIndex,
  closeAll,
  outcomePattern,
  proxiesFor,
  proxyConnectString,
  settleAll,
  unexpectedErrors,
} from '../../support/fault-support.js';
import { nextState, recordStates } from '../../support/states.js';
import { track, within } from '../../support/promises.js';

const REQUESTS = 1000;

let ensemble: ZkEnsemble;
let proxies: FaultProxy[];

beforeAll(async () => {
  ensemble = await startEnsemble(3);
  proxies = await proxiesFor(ensemble.members);
});

afterAll(async () => {
  await closeAll([], proxies ?? []);
  await ensemble?.destroy();
});

/** Connect string of the members still running (bypassing the proxies), with a chroot. */
function liveMembers(chroot: TestChroot): string {
  return (
    ensemble.members
      .filter((m) => m.state === 'running')
      .map((m) => m.connectString)
      .join(',') + chroot.path
  );
}

/**
 * Issues REQUESTS pipelined requests (getData, setData, create in turn) and calls `fault` as soon as
 * `strikeAfter` of them have settled, so some are answered and the rest are in flight when it strikes.
 */
function pipelineThen(zk: ZooKeeper, strikeAfter: number, fault: () => void): Promise<unknown>[] {
  let settled = 0;
  const strike = (): void => {
    if (++settled === strikeAfter) fault();
  };
  const requests: Promise<unknown>[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const p = i % 3 === 0 ? zk.getData('/data') : i % 3 === 1 ? zk.setData('/data', `v${i}`) : zk.create(`/n-${i}`, `${i}`);
    requests.push(p);
    p.then(strike, strike);
  }
  return requests;
}

/**
 * Connects through the proxies with the leader's proxy refusing meanwhile, so the connection lands on a
 * follower; returns the client and the index of the proxy carrying it.
 */
async function connectToFollower(chroot: TestChroot, sessionTimeout: number): Promise<{ zk: ZooKeeper; carrier: number }> {
  const leaderProxy = proxies[ensemble.members.indexOf(await ensemble.leader())]!;
  leaderProxy.refuse(true);
  try {
    const zk = await connect(proxyConnectString(proxies, chroot.path), { sessionTimeout, auth: AUTH });
    return { zk, carrier: await carrierIndex(proxies, 5000) };
  } finally {
    leaderProxy.refuse(false);
  }
}

/** What the client went through, and what the members logged meanwhile: for a failure message. */
function outageReport(changes: readonly (StateChange & { at: number })[]): string {
  const t0 = changes[0]?.at ?? 0;
  const lines = changes.map((c) => `+${Math.round(c.at - t0)} ms ${c.state}${c.cause ? `: ${c.cause.message}` : ''}`);
  const logs = ensemble.members.map((m) => `--- member ${m.id} (${m.state}):\n${m.logTail(40)}`);
  return [...lines, ...logs].join('\n');
}

/** Credentials the clients under test authenticate with; auth belongs to a connection, so it must be replayed. */
const AUTH = [{ scheme: 'digest', auth: 'fault:tolerant' }];

/**
 * Ephemeral node, a watched node, a node only this identity may read, and a data node for the pipeline;
 * returns the data watch (wrapped: an async function would wait for it).
 */
async function prepare(zk: ZooKeeper): Promise<{ watch: Promise<WatchedEvent> }> {
  await zk.create('/eph', 'mine', { mode: CreateMode.EPHEMERAL });
  await zk.create('/secret', 's', { acl: CREATOR_ALL_ACL });
  await zk.create('/watched', 'before');
  await zk.create('/data', 'v');
  const { watch } = await zk.getData('/watched', { watch: true });
  return { watch };
}

/**
 * After the fault: the session is the same one, holds its ephemeral, is still authenticated on the new
 * connection, and its data watch fires on a change by another client.
 */
async function expectSessionSurvived(zk: ZooKeeper, sessionId: bigint, watch: Promise<WatchedEvent>, chroot: TestChroot): Promise<void> {
  expect(zk.state).toBe('connected');
  expect(zk.sessionId).toBe(sessionId);
  const admin = await AdminClient.connect(liveMembers(chroot));
  try {
    expect(await admin.exists('/eph')).toBe(true);
  } finally {
    await admin.close();
  }
  expect(await zk.getEphemerals('/')).toEqual(['/eph']);
  expect(new TextDecoder().decode((await zk.getData('/secret')).data!)).toBe('s');
  const other = await connect(liveMembers(chroot), { sessionTimeout: 4000 });
  try {
    await other.setData('/watched', 'after');
    // Fires only if the watch was re-registered with the new server (SetWatches) or caught up by it.
    await expect(within(watch, 5000, 'the data watch')).resolves.toEqual({
      type: 'NodeDataChanged',
      state: 'SyncConnected',
      path: '/watched',
    });
  } finally {
    await other.close();
  }
}

describe('failover', () => {
  it('failover - kill -9 of the connected server: every request settles, the session moves on with its ephemeral and watch', async () => {
    const chroot = await createChroot(ensemble.connectString, 'failover-kill-connected', { superUser: true });
    let zk: ZooKeeper | undefined;
    try {
      // On a follower, so the crash needs no election: the session only has to move to another member.
      const connected = await connectToFollower(chroot, 4000);
      zk = connected.zk;
      const carrier = connected.carrier;
      const victim = ensemble.members[carrier]!;
      const sessionId = zk.sessionId;
      const { watch } = await prepare(zk);
      const states = recordStates(zk);
      const reconnected = nextState(zk, ['connected', 'expired', 'closed'], 10_000);
      let killed: Promise<void> | undefined;
      const requests = pipelineThen(zk, 100, () => {
        killed = victim.kill();
      });

      const outcomes = await settleAll(requests, 15_000);
      await killed;
      expect(unexpectedErrors(outcomes)).toEqual([]);
      // FIFO matching: answered requests, then the ones in flight at the crash, then any sent after reconnect.
      const pattern = outcomePattern(outcomes);
      expect(pattern).toMatch(/^R+L+R*$/);
      expect((await reconnected).state).toBe('connected');
      expect(states.changes.map((c) => c.state)).toEqual(['disconnected', 'connecting', 'connected']);
      expect(states.changes[0]!.cause).toBeInstanceOf(Error);
      const now = await carrierIndex(proxies, 5000);
      expect(now).not.toBe(carrier);
      await expectSessionSurvived(zk, sessionId, watch, chroot);
      states.stop();
    } finally {
      await closeAll([zk]);
      for (const m of ensemble.members) if (m.state === 'stopped') await m.restart();
      await ensemble.waitForQuorum();
      await chroot.cleanup();
    }
  });

  it('failover - kill -9 of the leader under a client on a follower: every request settles and the session survives the election', async () => {
    const chroot = await createChroot(ensemble.connectString, 'failover-kill-leader', { superUser: true });
    let zk: ZooKeeper | undefined;
    try {
      // The election counts against the client's own expiry clock (T without any server): room for a slow one.
      const connected = await connectToFollower(chroot, scaled(10_000));
      zk = connected.zk;
      const leader = await ensemble.leader();
      expect(ensemble.members[connected.carrier]).not.toBe(leader);
      const sessionId = zk.sessionId;
      const { watch } = await prepare(zk);
      const states = recordStates(zk);
      const reconnected = nextState(zk, ['connected', 'expired', 'closed'], 20_000);
      // Stalled, then killed: with a write proposed but not yet committed when the leader dies, a 3.8.0
      // follower can fail its sync with the new leader ("NEWLEADER ACK ... from a different epoch",
      // ZOOKEEPER-4394) and keep the quorum down for several initLimit rounds (over 20 s seen here), longer
      // than any session. The stalled leader proposes nothing, so the follower holds every write (and, FIFO,
      // every later read of the session) when the crash comes.
      await leader.pause();
      let killed: Promise<void> | undefined;
      const requests = pipelineThen(zk, 1, () => {
        killed = leader.kill();
      });

      const outcomes = await settleAll(requests, 20_000);
      await killed;
      expect(unexpectedErrors(outcomes)).toEqual([]);
      expect(outcomePattern(outcomes)).toMatch(/^R+L+R*$/);
      // The follower drops its clients when it loses the leader; the client comes back once a quorum serves.
      const back = await reconnected;
      expect(back.state, back.state === 'connected' ? '' : outageReport(states.changes)).toBe('connected');
      expect(states.changes.map((c) => c.state).slice(0, 2)).toEqual(['disconnected', 'connecting']);
      await ensemble.waitForQuorum();
      await expectSessionSurvived(zk, sessionId, watch, chroot);
      states.stop();
    } finally {
      await closeAll([zk]);
      for (const m of ensemble.members) if (m.state === 'stopped') await m.restart();
      await ensemble.waitForQuorum();
      await chroot.cleanup();
    }
  });

  it('failover - a black-holed server is left after the read timeout, well before the session timeout', async () => {
    const chroot = await createChroot(ensemble.connectString, 'failover-black-hole', { superUser: true });
    let zk: ZooKeeper | undefined;
    let hole: FaultProxy | undefined;
    try {
      zk = await connect(proxyConnectString(proxies, chroot.path), { sessionTimeout: 3000 });
      const client = zk;
      const sessionId = zk.sessionId;
      await zk.create('/eph', 'mine', { mode: CreateMode.EPHEMERAL });
      await zk.create('/data', 'v');
      const carrier = await carrierIndex(proxies, 5000);
      hole = proxies[carrier]!;
      const states = recordStates(zk);
      const left = nextState(zk, ['disconnected', 'expired', 'closed'], 6000);
      const back = nextState(zk, ['connected', 'expired', 'closed'], 10_000);
      // Made the moment the client gives up on the server: queued, then sent on the next connection.
      const queued: Promise<unknown>[] = [];
      const off = zk.onStateChange((c) => {
        if (c.state !== 'disconnected') return;
        for (let i = 0; i < 20; i++)
          queued.push(track<unknown>(i % 2 === 0 ? client.getData('/data') : client.setData('/data', `q${i}`)).promise);
      });
      const start = zk.now();
      hole.blackhole(true);
      // Sent into the black hole: no reply can come, so they fail when the client drops the connection.
      const swallowed: Promise<unknown>[] = [];
      for (let i = 0; i < 20; i++) swallowed.push(track<unknown>(i % 2 === 0 ? zk.getData('/data') : zk.setData('/data', `s${i}`)).promise);

      const gone = await left;
      expect(gone.state).toBe('disconnected');
      expect(gone.cause?.message).toMatch(/read timeout/);
      // Read timeout 2/3 T after the last frame heard, which is at most a ping interval (T/3) before the black hole.
      expect(states.changes[0]!.at - start).toBeLessThan(zk.sessionTimeout);
      expect((await back).state).toBe('connected');
      off();
      expect(await carrierIndex(proxies, 5000)).not.toBe(carrier);
      const lost = await settleAll(swallowed, 5000);
      expect(lost.every((o) => !o.ok && o.error instanceof ConnectionLossError)).toBe(true);
      const sent = await settleAll(queued, 5000);
      expect(sent.map((o) => o.ok)).toEqual(queued.map(() => true));
      expect(zk.sessionId).toBe(sessionId);
      const admin = await AdminClient.connect(liveMembers(chroot));
      try {
        expect(await admin.exists('/eph')).toBe(true);
      } finally {
        await admin.close();
      }
      states.stop();
    } finally {
      hole?.blackhole(false);
      await closeAll([zk]);
      await chroot.cleanup();
    }
  });
});
