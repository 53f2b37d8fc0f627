/**
 * Read-only mode on a real ensemble, as the Java client does it (session.ts, rw-search.ts): members run
 * with readonlymode.enabled, so a member without a quorum serves reads after a grace of 2 s. A client
 * with allowReadOnly that can reach only such a member connects (asking for session id 0), reports
 * connectedReadOnly, reads, and gets NotReadOnlyError for writes; it then moves to a read-write server by
 * itself, with a proper session and never through 'expired':
 *  - when the two stopped members come back (the read-only member rejoins and drops its clients);
 *  - when a read-write member becomes reachable while the read-only one stays cut off (link proxies):
 *    only the background `isro` probe can find it then.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateMode, NotReadOnlyError, type SessionState, type ZooKeeper, connect } from '../../../src/entry/node.js';
import { FaultProxy } from '../../support/proxy/index.js';
import { scaled, startEnsemble, waitFor, type ZkEnsemble, type ZkServer } from '../../support/zookeeper/index.js';

const T = 6000;

let ensemble: ZkEnsemble;
const clients: ZooKeeper[] = [];
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  // Since ZOOKEEPER-3864 (3.7) a read-only server creates only local sessions: operators who enable
  // read-only mode enable local sessions too (and their upgrade, for ephemeral nodes).
  ensemble = await startEnsemble(3, {
    linkProxies: true,
    jvmFlags: ['-Dreadonlymode.enabled=true'],
    config: { localSessionsEnabled: true, localSessionsUpgradingEnabled: true },
  });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled(proxies.map((p) => p.close()));
  await ensemble?.destroy();
});

function readOnly(member: ZkServer): Promise<true> {
  return waitFor(async () => ((await member.mode(scaled(500))) === 'read-only' ? true : undefined), {
    timeoutMs: scaled(20_000),
    intervalMs: 100,
    what: `member ${member.id} to serve read-only`,
    detail: () => member.logTail(20),
  });
}

function statesOf(zk: ZooKeeper): SessionState[] {
  const states: SessionState[] = [];
  zk.onStateChange((c) => states.push(c.state));
  return states;
}

function reaches(zk: ZooKeeper, state: SessionState, timeoutMs: number): Promise<true> {
  return waitFor(() => (zk.state === state ? true : undefined), { timeoutMs, intervalMs: 20, what: `state ${state} (is ${zk.state})` });
}

describe('read-only mode', () => {
  it('read-only - two members stopped: reads work, writes fail with NotReadOnlyError; they return: the client is connected again by itself', async () => {
    const { leader } = await ensemble.waitForQuorum(scaled(30_000), { requireAll: true });
    const writer = await connect(leader.connectString, { sessionTimeout: T });
    clients.push(writer);
    await writer.create('/ro-1', 'before');
    await writer.close();
    const [survivor, ...stopped] = ensemble.members as [ZkServer, ...ZkServer[]];
    await Promise.all(stopped.map((m) => m.stop()));
    await readOnly(survivor);

    const zk = await connect(ensemble.connectString, { sessionTimeout: T, allowReadOnly: true });
    clients.push(zk);
    const states = statesOf(zk);
    expect(zk.state).toBe('connectedReadOnly');
    const roSession = zk.sessionId;
    expect(new TextDecoder().decode((await zk.getData('/ro-1')).data!)).toBe('before');
    await expect(zk.setData('/ro-1', 'nope')).rejects.toBeInstanceOf(NotReadOnlyError);
    await expect(zk.create('/ro-1-eph', '', { mode: CreateMode.EPHEMERAL })).rejects.toBeInstanceOf(NotReadOnlyError);

    await Promise.all(stopped.map((m) => m.restart()));
    await reaches(zk, 'connected', scaled(30_000));
    expect(states).not.toContain('expired');
    expect(zk.sessionId).not.toBe(roSession); // a proper session, made by a read-write server
    await zk.setData('/ro-1', 'after');
    await zk.create('/ro-1-eph', '', { mode: CreateMode.EPHEMERAL });
    expect(new TextDecoder().decode((await zk.getData('/ro-1')).data!)).toBe('after');
  });

  it('read-only - the background isro probe finds a read-write member while the read-only one stays cut off', async () => {
    const { followers } = await ensemble.waitForQuorum(scaled(30_000), { requireAll: true });
    const cutOff = followers[0]!;
    const others = ensemble.members.filter((m) => m !== cutOff);
    // The client reaches the two healthy members only through proxies that refuse it at first.
    const gates = await Promise.all(others.map((m) => FaultProxy.start({ target: { host: m.host, port: m.clientPort } })));
    proxies.push(...gates);
    for (const g of gates) g.refuse(true);
    ensemble.isolate(cutOff.id);
    try {
      await readOnly(cutOff);
      const zk = await connect([cutOff.connectString, ...gates.map((g) => g.address)].join(','), {
        sessionTimeout: T,
        allowReadOnly: true,
        connectTimeout: scaled(20_000),
      });
      clients.push(zk);
      const states = statesOf(zk);
      expect(zk.state).toBe('connectedReadOnly');
      const roSession = zk.sessionId;
      // Stays read-only while nothing read-write is reachable (the probes keep getting refused).
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(zk.state).toBe('connectedReadOnly');
      for (const g of gates) g.refuse(false);
      await reaches(zk, 'connected', scaled(20_000));
      expect(states).not.toContain('expired');
      expect(zk.sessionId).not.toBe(roSession);
      expect(await cutOff.mode()).toBe('read-only'); // the move was the probe's doing, not the member's
      await zk.create('/ro-2', 'rw');
    } finally {
      ensemble.heal(cutOff.id);
    }
  });
});
