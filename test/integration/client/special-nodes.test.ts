/**
 * TTL and container nodes. The harness server runs with extendedTypesEnabled and reaps every ~1 s
 * (znode.container.checkIntervalMs), so the reaper's work is observable within a few seconds.
 * "Not reaped" is shown against a sibling that was reaped in the same pass, never with a sleep. The
 * tests mostly wait for the reaper, so they run concurrently (each in its own chroot).
 */
import { CreateMode, InvalidArgumentError, NoNodeError, op } from '../../../src/entry/node.js';
import { countingTransport, describe, expect, test } from '../../support/client-fixture.js';
import { errorOf, eventually } from '../../support/promises.js';

/** Bound on the reaper: TTL plus a couple of check intervals, with room for a loaded machine. */
const REAP_MS = 10_000;

describe.concurrent('TTL nodes', () => {
  test('TTL - a TTL node and a sequential TTL node are removed once the TTL has passed', async ({ env }) => {
    const { zk } = env;
    const plain = await zk.createWithStat('/ttl', 'x', { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 300 });
    expect(plain.path).toBe('/ttl');
    // The server hides its TTL marker: clients see 0.
    expect(plain.stat.ephemeralOwner).toBe(0n);
    const seq = await zk.create('/seq-', null, { mode: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, ttl: 300n });
    expect(seq).toBe('/seq-0000000001');
    expect(await zk.exists('/ttl')).not.toBeNull();
    await eventually(async () => (await zk.exists('/ttl')) === null && (await zk.exists(seq)) === null, REAP_MS, 'TTL nodes reaped');
  });

  test('TTL - a TTL node with children stays until they are gone', async ({ env }) => {
    const { zk } = env;
    // Parent first: the bare node's TTL then never ends before the parent's.
    await zk.create('/parent', null, { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 300 });
    await zk.create('/bare', null, { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 300 });
    await zk.create('/parent/child');
    await eventually(async () => (await zk.exists('/bare')) === null, REAP_MS, '/bare reaped');
    expect(await zk.exists('/parent')).not.toBeNull();
    await zk.delete('/parent/child');
    await eventually(async () => (await zk.exists('/parent')) === null, REAP_MS, '/parent reaped');
  });

  test('TTL - the largest TTL is accepted, and a TTL create works inside multi', async ({ env }) => {
    const { zk } = env;
    expect(await zk.create('/max', null, { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: (1n << 40n) - 1n })).toBe('/max');
    const [result] = await zk.multi([op.create('/in-multi', 'm', { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 60_000 })]);
    expect(result).toMatchObject({ type: 'create', path: '/in-multi' });
    // createTTL answers with a Create2Response inside multi too: the result carries the Stat.
    const stat = result?.type === 'create' ? result.stat : undefined;
    expect(stat).toMatchObject({ version: 0, dataLength: 1, ephemeralOwner: 0n });
    expect(await zk.exists('/in-multi')).toEqual(stat);
  });

  test('TTL - a bad or missing TTL is rejected locally with InvalidArgumentError', async ({ env }) => {
    const counter = countingTransport();
    const zk = await env.connect({ transport: counter.transport });
    const before = counter.written();
    const ttlMode = { mode: CreateMode.PERSISTENT_WITH_TTL };
    const cases: (() => Promise<unknown>)[] = [
      () => zk.create('/t', null, { ...ttlMode, ttl: 0 }),
      () => zk.create('/t', null, { ...ttlMode, ttl: -1 }),
      () => zk.create('/t', null, { ...ttlMode, ttl: 1.5 }),
      () => zk.create('/t', null, { ...ttlMode, ttl: 1n << 40n }),
      () => zk.create('/t', null, { mode: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL }),
      () => zk.create('/t', null, ttlMode),
      () => zk.create('/t', null, { mode: CreateMode.PERSISTENT, ttl: 1000 }),
      () => zk.create('/t', null, { mode: CreateMode.EPHEMERAL, ttl: 1000 }),
      () => zk.multi([op.create('/t', null, { ...ttlMode, ttl: 0 })]),
    ];
    for (const call of cases) {
      const err = await errorOf(call());
      expect(err).toBeInstanceOf(InvalidArgumentError);
      // The caller's path, not the server path under the chroot.
      expect(err).toMatchObject({ code: 'INVALIDARGUMENT', path: '/t' });
    }
    expect(counter.written()).toBe(before);
    expect(await zk.exists('/t')).toBeNull();
  });
});

describe.concurrent('container nodes', () => {
  test('container - removed by the server after its last child is deleted; a never-used one stays', async ({ env }) => {
    const { zk } = env;
    const created = await zk.createWithStat('/used', null, { mode: CreateMode.CONTAINER });
    expect(created.path).toBe('/used');
    expect(created.stat.ephemeralOwner).toBe(0n);
    await zk.create('/unused', null, { mode: CreateMode.CONTAINER });
    await zk.create('/used/a');
    await zk.create('/used/b');
    await zk.delete('/used/a');
    await zk.delete('/used/b');
    await eventually(async () => (await zk.exists('/used')) === null, REAP_MS, 'the emptied container reaped');
    // The same pass saw /unused: a container that never had children is kept.
    expect(await zk.exists('/unused')).not.toBeNull();
    expect(await errorOf(zk.create('/used/c'))).toBeInstanceOf(NoNodeError);
  });

  test('container - created inside multi, and a container with a child is kept', async ({ env }) => {
    const { zk } = env;
    const results = await zk.multi([
      op.create('/keep', null, { mode: CreateMode.CONTAINER }),
      op.create('/keep/child'),
      op.create('/drop', null, { mode: CreateMode.CONTAINER }),
      op.create('/drop/child'),
    ]);
    expect(results.map((r) => (r.type === 'create' ? r.path : r.type))).toEqual(['/keep', '/keep/child', '/drop', '/drop/child']);
    await zk.delete('/drop/child');
    await eventually(async () => (await zk.exists('/drop')) === null, REAP_MS, 'the emptied container reaped');
    expect(await zk.getChildren('/keep')).toEqual(['child']);
  });
});
