/**
 * DoubleBarrier: nobody gets through enter() until `count` members are in, nobody through leave() until
 * all have left; the watch on `ready` is set before our node is created; the barrier can be reused; a
 * member whose session ends does not block leave; timeout and abort delete our node.
 */
import { AcquireTimeoutError, InvalidArgumentError, NoNodeError, type ZooKeeper } from '../../../src/entry/node.js';
import { DoubleBarrier } from '../../../src/recipes/index.js';
import { describe, expect, test } from '../../support/client-fixture.js';
import { recording, roundTrip } from '../../support/recipes/recording-client.js';
import { errorOf, track, within } from '../../support/promises.js';

const WAIT_MS = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function children(zk: ZooKeeper): Promise<string[]> {
  // The barrier's node is a container: the server may reap it once empty, also between two reads.
  try {
    return (await zk.getChildren('/db')).sort();
  } catch (err) {
    if (err instanceof NoNodeError) return [];
    throw err;
  }
}

/** One full round for `members`: enter (the last one completes the count), then leave. */
async function round(members: DoubleBarrier[], clients: ZooKeeper[]): Promise<void> {
  const entering = members.slice(0, -1).map((m) => track(m.enter()));
  await roundTrip(...clients);
  expect(entering.some((e) => e.settled)).toBe(false);
  await within(Promise.all([members.at(-1)!.enter(), ...entering.map((e) => e.promise)]), WAIT_MS, 'everyone entering');
  const names = await children(clients[0]!);
  expect(names).toContain('ready');
  expect(names.filter((n) => n !== 'ready')).toEqual(members.map((m) => m.memberPath.slice('/db/'.length)).sort());

  const leaving = members.slice(0, -1).map((m) => track(m.leave()));
  await roundTrip(...clients);
  expect(leaving.some((l) => l.settled)).toBe(false);
  await within(Promise.all([members.at(-1)!.leave(), ...leaving.map((l) => l.promise)]), WAIT_MS, 'everyone leaving');
  expect(await children(clients[0]!)).toEqual([]);
}

describe('double barrier', () => {
  test('double barrier - enter waits for count members, leave for all of them; the barrier is reusable', async ({ env }) => {
    const clients = [env.zk, await env.connect(), await env.connect()];
    const members = clients.map((zk) => new DoubleBarrier(zk, '/db', 3));
    for (const m of members) expect(m.memberPath.slice('/db/'.length)).toMatch(UUID);
    await round(members, clients);
    // Again, in another order: `ready` was removed by the last one out.
    await round([members[2]!, members[0]!, members[1]!], clients);
  });

  test('double barrier - the watch on ready is set before our node is created', async ({ env }) => {
    const rec = recording(env.zk);
    const other = await env.connect();
    const entering = new DoubleBarrier(rec.zk, '/db', 2).enter();
    await roundTrip(env.zk);
    await new DoubleBarrier(other, '/db', 2).enter();
    await within(entering, WAIT_MS, 'the first member');
    const firstCreate = rec.calls.findIndex((c) => c.method === 'create' && c.path !== '/db');
    const firstReady = rec.calls.findIndex((c) => c.method === 'exists' && c.path === '/db/ready' && c.watch);
    expect(firstReady).toBeGreaterThanOrEqual(0);
    expect(firstReady).toBeLessThan(firstCreate);
  });

  test('double barrier - the last member in creates ready; members arriving later pass at once', async ({ env }) => {
    const other = await env.connect();
    await within(
      Promise.all([new DoubleBarrier(env.zk, '/db', 2).enter(), new DoubleBarrier(other, '/db', 2).enter()]),
      WAIT_MS,
      'two members',
    );
    expect(await children(env.zk)).toContain('ready');
    const late = new DoubleBarrier(other, '/db', 2);
    await within(late.enter(), WAIT_MS, 'a late member');
    expect(await children(env.zk)).toHaveLength(4);
  });

  test("double barrier - a member whose session ends does not block the others' leave", async ({ env }) => {
    const [a, b] = [await env.connect(), await env.connect()];
    const members = [new DoubleBarrier(env.zk, '/db', 3), new DoubleBarrier(a, '/db', 3), new DoubleBarrier(b, '/db', 3)];
    await within(Promise.all(members.map((m) => m.enter())), WAIT_MS, 'everyone entering');
    const leaving = [track(members[0]!.leave()), track(members[1]!.leave())];
    await roundTrip(env.zk, a);
    expect(leaving.some((l) => l.settled)).toBe(false);
    await b.close();
    await within(Promise.all(leaving.map((l) => l.promise)), WAIT_MS, 'the others leaving');
    expect(await children(env.zk)).toEqual([]);
  });

  test('double barrier - timeout and abort on enter delete our node', async ({ env }) => {
    const other = await env.connect();
    const member = new DoubleBarrier(other, '/db', 2);
    expect(await errorOf(member.enter({ timeout: 150 }))).toBeInstanceOf(AcquireTimeoutError);
    expect(await children(other)).toEqual([]);
    const controller = new AbortController();
    const entering = new DoubleBarrier(other, '/db', 2).enter({ signal: controller.signal });
    await roundTrip(other);
    expect((await children(other)).length).toBe(1);
    const reason = new Error('no');
    controller.abort(reason);
    expect(await errorOf(entering)).toBe(reason);
    expect(await children(other)).toEqual([]);
  });

  test('double barrier - abort on leave deletes our node and gives up waiting', async ({ env }) => {
    const other = await env.connect();
    const [m1, m2] = [new DoubleBarrier(env.zk, '/db', 2), new DoubleBarrier(other, '/db', 2)];
    await within(Promise.all([m1.enter(), m2.enter()]), WAIT_MS, 'both entering');
    // The lowest name waits for the highest without deleting its node first: abort that one.
    const [low, high] = m1.memberPath < m2.memberPath ? [m1, m2] : [m2, m1];
    const controller = new AbortController();
    const leaving = low.leave({ signal: controller.signal });
    await roundTrip(env.zk, other);
    const reason = new Error('in a hurry');
    controller.abort(reason);
    expect(await errorOf(leaving)).toBe(reason);
    await roundTrip(low.zk);
    expect(await children(other)).toEqual(['ready', high.memberPath.slice('/db/'.length)].sort());
    await within(high.leave(), WAIT_MS, 'the other member');
    expect(await children(other)).toEqual([]);
  });

  test('double barrier - count must be a positive integer', () => {
    expect(() => new DoubleBarrier({} as ZooKeeper, '/db', 0)).toThrow(InvalidArgumentError);
  });
});
