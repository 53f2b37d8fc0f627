/**
 * The lease on a real 3-member ensemble whose quorum and election links run through LinkProxies
 * (harness: startEnsemble(3, { linkProxies: true }); tickTime 200, syncLimit 25, so a member gives up on
 * a silent leader after 5 s), with the library's default lease options and T = 4 s.
 *
 * The seeds' question on an ensemble: holder A is connected only to follower F, which gets cut off from
 * the other two while A stays connected to it. F keeps answering A's pings for 5 s, longer than the
 * leader takes to expire A's session (T) and hand the lock to B. A's signal must abort, and `held` be
 * false, strictly before B's acquire resolves, however the cut falls relative to A's own traffic. Holders
 * on the leader and on the follower left in the majority, with the widest margin (T/4), must keep their
 * locks all the while. Then the same with the holder on the leader, and the leader cut off. Last, on a
 * healthy ensemble, no lease lapses at any supported margin, on the leader or on a follower.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockLostError, type ZooKeeper, connect } from '../../../src/entry/node.js';
import type { Lease } from '../../../src/recipes/lease.js';
import { Mutex } from '../../../src/recipes/mutex.js';
import { delay, scaled, startEnsemble, waitFor, type ZkEnsemble, type ZkServer } from '../../support/zookeeper/index.js';

const T = 4000;
/** π: the bound on the leader's PING period the client assumes (0.3 T); A's renewals come about this often. */
const PI = 0.3 * T;

let ensemble: ZkEnsemble;
const clients: ZooKeeper[] = [];

beforeAll(async () => {
  ensemble = await startEnsemble(3, { linkProxies: true });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await ensemble?.destroy();
});

async function client(...members: ZkServer[]): Promise<ZooKeeper> {
  return clientWith(T, ...members);
}

async function clientWith(sessionTimeout: number, ...members: ZkServer[]): Promise<ZooKeeper> {
  const zk = await connect(members.map((m) => m.connectString).join(','), { sessionTimeout });
  clients.push(zk);
  return zk;
}

/** Records when a lease's signal aborted (performance.now()), and why. */
function watchLoss(lease: Lease): { at: number | undefined; reason: unknown } {
  const seen: { at: number | undefined; reason: unknown } = { at: undefined, reason: undefined };
  lease.signal.addEventListener(
    'abort',
    () => {
      seen.at = performance.now();
      seen.reason = lease.signal.reason;
    },
    { once: true },
  );
  return seen;
}

/** Resolves just after `zk` gets an answer to a request it sent later than any answered so far (a ping, a renewal). */
async function afterAnswer(zk: ZooKeeper): Promise<void> {
  const before = zk.lastAckedSendTime;
  await waitFor(() => (zk.lastAckedSendTime > before ? true : undefined), { timeoutMs: scaled(T), intervalMs: 5, what: 'an answer' });
}

/** B acquires `path`; returns the time it resolved and whether A still claimed to hold the lock then. */
async function acquireAfter(b: ZooKeeper, path: string, a: Lease): Promise<{ lease: Lease; at: number; aHeld: boolean }> {
  const lease = await new Mutex(b, path).acquire({ timeout: scaled(30_000) });
  return { lease, at: performance.now(), aHeld: a.held };
}

let run = 0;

describe('lease on an ensemble under partitions', () => {
  // Where the cut falls: right after an answer to A (a ping or a renewal), and at three points before the next.
  for (const offset of [0, 0.25, 0.5, 0.8]) {
    it(`lease partition - holder on a follower cut off ${offset} π after an answer: A loses before B acquires; holders in the majority keep theirs`, async () => {
      const { leader, followers } = await ensemble.waitForQuorum(scaled(30_000), { requireAll: true });
      const [f, f2] = followers as [ZkServer, ZkServer];
      const path = `/lock-${++run}`;
      const a = await client(f);
      const b = await client(leader);
      const onLeader = await client(leader);
      const onMajority = await client(f2);
      const held = await new Mutex(a, path).acquire();
      const keepL = await new Mutex(onLeader, `${path}-l`, { leaseMargin: T / 4 }).acquire();
      const keepF = await new Mutex(onMajority, `${path}-f`, { leaseMargin: T / 4 }).acquire();
      const lostA = watchLoss(held);
      const lostL = watchLoss(keepL);
      const lostF = watchLoss(keepF);
      await afterAnswer(a);
      await delay(offset * PI);
      const cutAt = performance.now();
      ensemble.isolate(f.id);
      try {
        const next = await acquireAfter(b, path, held);
        expect(lostA.at).toBeDefined();
        expect(lostA.at!).toBeLessThan(next.at);
        expect(next.aHeld).toBe(false);
        expect(lostA.reason).toBeInstanceOf(LockLostError);
        expect(['lease-expired', 'session-ended']).toContain((lostA.reason as LockLostError).reason);
        // B needed the leader to expire A's session: about T after the cut, never sooner than A's loss.
        expect(next.at - cutAt).toBeGreaterThan(T / 2);
        expect(next.lease.fencingToken > held.fencingToken).toBe(true);
        // No false loss in the majority, at the widest margin, through the whole episode.
        expect([lostL.at, lostF.at]).toEqual([undefined, undefined]);
        expect([keepL.held, keepF.held]).toEqual([true, true]);
        await next.lease.release();
      } finally {
        ensemble.heal(f.id);
      }
      await keepL.release();
      await keepF.release();
      expect([lostL.reason, lostF.reason].map((r) => (r as LockLostError).reason)).toEqual(['released', 'released']);
    });
  }

  it('lease partition - holder on the leader, the leader cut off: A loses before anyone in the new majority acquires', async () => {
    const { leader, followers } = await ensemble.waitForQuorum(scaled(30_000), { requireAll: true });
    const path = `/lock-${++run}`;
    const a = await client(leader);
    // B sits on the other two: it can act once they have elected a leader among themselves (about 5.4 s
    // after the cut; a longer session than A's outlives that wait).
    const b = await clientWith(2.5 * T, ...followers);
    const held = await new Mutex(a, path).acquire();
    const lostA = watchLoss(held);
    await afterAnswer(a);
    ensemble.isolate(leader.id);
    try {
      const next = await acquireAfter(b, path, held);
      expect(lostA.at).toBeDefined();
      expect(lostA.at!).toBeLessThan(next.at);
      expect(next.aHeld).toBe(false);
      expect(next.lease.fencingToken > held.fencingToken).toBe(true);
      await next.lease.release();
    } finally {
      ensemble.heal(leader.id);
    }
  });

  it('lease partition - on a healthy ensemble no lease lapses, at margin 0, the default and T/4, on the leader or a follower', async () => {
    const { leader, followers } = await ensemble.waitForQuorum(scaled(30_000), { requireAll: true });
    const leases: Lease[] = [];
    for (const member of [leader, followers[0]!]) {
      for (const leaseMargin of [0, undefined, T / 4]) {
        const zk = await client(member);
        leases.push(await new Mutex(zk, `/healthy-${++run}`, { leaseMargin }).acquire());
      }
    }
    // Idle for 3 T: only renewals keep the leases valid (without them each would lapse within T).
    const end = performance.now() + 3 * T;
    while (performance.now() < end) {
      expect(leases.map((l) => l.held)).toEqual(leases.map(() => true));
      await delay(50);
    }
    expect(leases.map((l) => l.signal.aborted)).toEqual(leases.map(() => false));
    await Promise.all(leases.map((l) => l.release()));
  });
});
