/**
 * A Mutex create whose reply is lost, recovered on a follower that has not applied it yet (contention.ts,
 * "Lost create reply"). 3-member ensemble with link proxies; both followers' quorum links get 1 s of
 * latency each way, so a write needs 2 s to commit. Client X reaches the leader and follower F1 through
 * FaultProxies. X's create reaches the leader, which proposes it; X's connection is cut right then and the
 * leader's proxy refuses it, so X reconnects to F1. F1's REVALIDATE overtakes the create's COMMIT (it is
 * queued by the leader before the commit), so X is connected to F1 a second before F1 applies the create.
 *
 * Listing the children there without a sync finds no node of ours: X would create a second node, the
 * first (older, same session) would block it and everyone else until the session ends. With the sync
 * (the leader answers it only after that commit) X finds its node and holds the lock with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpCode } from '../../../src/protocol/constants.js';
import { type ZooKeeper, connect } from '../../../src/entry/node.js';
import { Mutex } from '../../../src/recipes/mutex.js';
import { FaultProxy } from '../../support/proxy/index.js';
import { scaled, startEnsemble, waitFor, type ZkEnsemble } from '../../support/zookeeper/index.js';

let ensemble: ZkEnsemble;
const proxies: FaultProxy[] = [];
const clients: ZooKeeper[] = [];

beforeAll(async () => {
  ensemble = await startEnsemble(3, { linkProxies: true });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled(proxies.map((p) => p.close()));
  await ensemble?.destroy();
});

describe('lost create reply on a lagging follower', () => {
  it('lost create - recovered through a follower that has not applied it: one contender node, and the lock is handed on after release', async () => {
    const { leader, followers } = await ensemble.waitForQuorum(scaled(30_000), { requireAll: true });
    const f1 = followers[0]!;
    const toLeader = await FaultProxy.start({ target: { host: leader.host, port: leader.clientPort } });
    const toF1 = await FaultProxy.start({ target: { host: f1.host, port: f1.clientPort } });
    proxies.push(toLeader, toF1);
    const admin = await connect(leader.connectString, { sessionTimeout: 10_000 });
    clients.push(admin);
    await admin.create('/lagging-lock');

    // X reaches the leader first: F1's proxy refuses until the cut.
    toF1.refuse(true);
    const x = await connect(`${toLeader.address},${toF1.address}`, { sessionTimeout: 20_000 });
    clients.push(x);
    expect(toLeader.connections).toBe(1);
    toF1.refuse(false);

    for (const f of followers) ensemble.delayLinks(f.id, 1000);
    toLeader.resetCounts();
    const acquiring = new Mutex(x, '/lagging-lock').acquire({ timeout: scaled(20_000) });
    acquiring.catch(() => undefined);
    try {
      await waitFor(() => ((toLeader.requestCounts().get(OpCode.create2) ?? 0) > 0 ? true : undefined), {
        timeoutMs: scaled(5000),
        intervalMs: 1,
        what: 'the create to reach the leader',
      });
      // The create is proposed; its commit needs a follower's ack, 2 s away. Cut X off the leader now.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const onF1 = new Promise<void>((resolve) => {
        const off = x.onStateChange((c) => {
          if (c.state === 'connected') {
            off();
            resolve();
          }
        });
      });
      toLeader.refuse(true);
      toLeader.resetAll();
      await onF1;
      expect(toF1.connections).toBe(1);
      // Long enough for the recovery's sync to come back (2 s under the delay); then writes are fast again.
      await new Promise((resolve) => setTimeout(resolve, 2500));
    } finally {
      for (const f of followers) ensemble.delayLinks(f.id, 0);
    }
    const acquired = await acquiring;
    const children = await admin.getChildren('/lagging-lock');
    expect(children).toHaveLength(1);
    expect(`/lagging-lock/${children[0]}`).toBe(acquired.path);
    expect(acquired.held).toBe(true);

    const y = await connect(leader.connectString, { sessionTimeout: 10_000 });
    clients.push(y);
    const next = new Mutex(y, '/lagging-lock').acquire({ timeout: scaled(10_000) });
    await acquired.release();
    const handedOn = await next;
    expect(handedOn.fencingToken > acquired.fencingToken).toBe(true);
    await handedOn.release();
  });
});
