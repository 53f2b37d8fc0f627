/**
 * LeaderElection: exactly one leader, leadership passing in join order on resign and on the leader's
 * session close, each candidate watching only its predecessor, Curator LeaderLatch node names,
 * fencing tokens, and an abandoned candidacy leaving no node.
 */
import { AcquireTimeoutError, LockLostError, type ZooKeeper } from '../../../src/entry/node.js';
import { LeaderElection, type Leadership } from '../../../src/recipes/index.js';
import { describe, expect, test } from '../../support/client-fixture.js';
import { recording, roundTrip } from '../../support/recipes/recording-client.js';
import { errorOf, track, within } from '../../support/promises.js';

const WAIT_MS = 10_000;
const LATCH = /^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-latch-\d{10}$/;

/** Candidate nodes, oldest first. */
async function candidates(zk: ZooKeeper): Promise<string[]> {
  return (await zk.getChildren('/election')).sort((a, b) => Number(a.slice(-10)) - Number(b.slice(-10)));
}

describe('leader election', () => {
  test('leader election - exactly one leader; leadership passes on resign in join order', async ({ env }) => {
    const clients = [env.zk, await env.connect(), await env.connect()];
    const elections = clients.map((zk) => new LeaderElection(zk, '/election'));
    const first = await elections[0]!.join();
    const second = track(elections[1]!.join());
    await roundTrip(clients[1]!);
    const third = track(elections[2]!.join());
    await roundTrip(...clients);
    expect(second.settled || third.settled).toBe(false);
    expect(elections.map((e) => e.isLeader)).toEqual([true, false, false]);
    expect(first.isLeader).toBe(true);
    for (const name of await candidates(env.zk)) expect(name).toMatch(LATCH);

    await first.resign();
    expect(first.isLeader).toBe(false);
    expect((first.signal.reason as LockLostError).reason).toBe('released');
    const lead2 = await within(second.promise, WAIT_MS, 'the second candidate');
    await roundTrip(clients[2]!);
    expect(third.settled).toBe(false);
    expect(elections.map((e) => e.isLeader)).toEqual([false, true, false]);

    await lead2.resign();
    const lead3 = await within(third.promise, WAIT_MS, 'the third candidate');
    expect(elections.map((e) => e.isLeader)).toEqual([false, false, true]);
    expect(first.fencingToken < lead2.fencingToken && lead2.fencingToken < lead3.fencingToken).toBe(true);
    await lead3.resign();
    expect(await candidates(env.zk)).toEqual([]);
  });

  test("leader election - leadership passes when the leader's session closes", async ({ env }) => {
    const leaderClient = await env.connect();
    const leader = await new LeaderElection(leaderClient, '/election').join();
    const election = new LeaderElection(env.zk, '/election');
    const next = track(election.join());
    await roundTrip(env.zk);
    expect(next.settled).toBe(false);
    await leaderClient.close();
    expect(leader.signal.reason).toBeInstanceOf(LockLostError);
    expect(leader.isLeader).toBe(false);
    const lead = await within(next.promise, WAIT_MS, 'the successor');
    expect(election.isLeader).toBe(true);
    expect(lead.fencingToken > leader.fencingToken).toBe(true);
    await lead.resign();
    expect(election.isLeader).toBe(false);
  });

  test('leader election - each candidate watches only its predecessor and, looking ahead, the one before it', async ({ env }) => {
    const clients = [env.zk, await env.connect(), await env.connect(), await env.connect()];
    const recorded = clients.map((zk) => recording(zk));
    const leader = await new LeaderElection(recorded[0]!.zk, '/election').join();
    const waiting: { settled: boolean; promise: Promise<Leadership> }[] = [];
    for (let i = 1; i < clients.length; i++) {
      waiting.push(track(new LeaderElection(recorded[i]!.zk, '/election').join()));
      await roundTrip(clients[i]!);
    }
    const names = await candidates(env.zk);
    expect(names).toHaveLength(4);
    // One request each: its own node (where a hand-off without a re-read can follow), its predecessor, and
    // the one before that (the look-ahead).
    const armed = (i: number): string[] => [i, i - 1, i - 2].filter((j) => j >= 0).map((j) => `/election/${names[j]}`);
    for (let i = 1; i < clients.length; i++) expect(recorded[i]!.watched('watchData')).toEqual(armed(i));
    // The leader's resignation makes candidate 1 the leader; candidate 2 (looking ahead) re-reads, and
    // candidate 3 hears nothing.
    await leader.resign();
    const lead1 = await within(waiting[0]!.promise, WAIT_MS, 'candidate 1');
    await roundTrip(...clients);
    expect(waiting[1]!.settled || waiting[2]!.settled).toBe(false);
    expect(recorded[2]!.calls.filter((c) => c.method === 'getChildren')).toHaveLength(2);
    expect(recorded[3]!.calls.filter((c) => c.method === 'getChildren')).toHaveLength(1);
    await lead1.resign();
    const lead2 = await within(waiting[1]!.promise, WAIT_MS, 'candidate 2');
    await lead2.resign();
    const lead3 = await within(waiting[2]!.promise, WAIT_MS, 'candidate 3');
    // Nothing more was ever armed: each re-read found its new blocker watched already.
    for (let i = 1; i < clients.length; i++) expect(recorded[i]!.watched('watchData')).toEqual(armed(i));
    await lead3.resign();
  });

  test('leader election - a candidate that skips the queue when its predecessor gives up still waits for the leader', async ({ env }) => {
    const [a, b, c] = [env.zk, await env.connect(), await env.connect()];
    const leader = await new LeaderElection(a, '/election').join();
    const controller = new AbortController();
    const quitter = new LeaderElection(b, '/election').join({ signal: controller.signal });
    await roundTrip(b);
    const recC = recording(c);
    const patient = track(new LeaderElection(recC.zk, '/election').join());
    await roundTrip(c);
    const [, quitterName, patientName] = await candidates(a);
    controller.abort(new Error('bored'));
    expect(((await errorOf(quitter)) as Error).message).toBe('bored');
    // C re-reads and now waits for the leader, which it watched already (the look-ahead); it does not take
    // leadership.
    await roundTrip(b);
    await roundTrip(c);
    expect(patient.settled).toBe(false);
    expect(recC.watched('watchData')).toEqual([`/election/${patientName}`, `/election/${quitterName}`, leader.path]);
    expect(recC.calls.filter((call) => call.method === 'getChildren')).toHaveLength(2);
    expect(await candidates(a)).toHaveLength(2);
    await leader.resign();
    const lead = await within(patient.promise, WAIT_MS, 'the patient candidate');
    await lead.resign();
  });

  test('leader election - timeout and abort leave no candidate node', async ({ env }) => {
    const other = await env.connect();
    const leader = await new LeaderElection(env.zk, '/election').join();
    expect(await errorOf(new LeaderElection(other, '/election').join({ timeout: 100 }))).toBeInstanceOf(AcquireTimeoutError);
    const controller = new AbortController();
    controller.abort(new Error('never mind'));
    expect(((await errorOf(new LeaderElection(other, '/election').join({ signal: controller.signal }))) as Error).message).toBe(
      'never mind',
    );
    expect(await candidates(other)).toEqual([leader.path.slice('/election/'.length)]);
    await leader.resign();
  });
});
