/**
 * Chroot: every path sent gets the prefix, every path returned (create results, multi results, sync,
 * watch events, getEphemerals) loses it, and a client without chroot sees the same nodes under it.
 */
import { CreateMode, NoNodeError, op } from '../../../src/entry/node.js';
import { describe, expect, test, text } from '../../support/client-fixture.js';
import { errorOf, within } from '../../support/promises.js';

describe('chroot', () => {
  test('chroot - created nodes live under the chroot for a client without one', async ({ env }) => {
    const { zk, chroot } = env;
    const root = await env.connectRoot();
    expect(zk.chroot).toBe(chroot.path);
    expect(root.chroot).toBe('');

    expect(await zk.create('/a', 'A')).toBe('/a');
    const seq = await zk.createWithStat('/a/s-', null, { mode: CreateMode.PERSISTENT_SEQUENTIAL });
    expect(seq.path).toBe('/a/s-0000000000');
    expect(await zk.create('/a/e-', null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL })).toBe('/a/e-0000000001');

    expect((await root.getChildren(chroot.path)).sort()).toEqual(['a']);
    expect((await root.getChildren(`${chroot.path}/a`)).sort()).toEqual(['e-0000000001', 's-0000000000']);
    expect(text((await root.getData(`${chroot.path}/a`)).data)).toBe('A');
    expect(await root.exists(`${chroot.path}/a/s-0000000000`)).toEqual(seq.stat);

    // And the other way round: the root client writes, the chrooted one reads.
    expect(await root.create(`${chroot.path}/b`, 'B')).toBe(`${chroot.path}/b`);
    expect(text((await zk.getData('/b')).data)).toBe('B');
    expect((await zk.getChildren('/')).sort()).toEqual(['a', 'b']);
    expect(await zk.exists('/')).toEqual(await root.exists(chroot.path));
  });

  test('chroot - multi results, sync and errors name client paths', async ({ env }) => {
    const { zk, chroot } = env;
    const root = await env.connectRoot();
    await zk.create('/q');
    const results = await zk.multi([
      op.create('/m', 'm'),
      op.create('/q/n-', null, { mode: CreateMode.PERSISTENT_SEQUENTIAL }),
      op.create('/c', null, { mode: CreateMode.CONTAINER }),
      op.create('/t', null, { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 60_000 }),
    ]);
    expect(results.map((r) => (r.type === 'create' ? r.path : r.type))).toEqual(['/m', '/q/n-0000000000', '/c', '/t']);
    expect(await root.exists(`${chroot.path}/q/n-0000000000`)).not.toBeNull();

    expect(await zk.sync('/m')).toBe('/m');
    expect(await zk.sync('/')).toBe('/');
    expect(await root.sync(`${chroot.path}/m`)).toBe(`${chroot.path}/m`);

    const err = await errorOf(zk.getData('/nope'));
    expect(err).toBeInstanceOf(NoNodeError);
    expect(err).toMatchObject({ path: '/nope' });
    expect((err as Error).message).not.toContain(chroot.path);
  });

  test('chroot - watch events carry client paths, "/" for the chroot node itself', async ({ env }) => {
    const { zk, chroot } = env;
    const root = await env.connectRoot();
    const created = await zk.exists('/w', { watch: true });
    const children = await zk.getChildren('/', { watch: true });
    const self = await zk.getData('/', { watch: true });
    // Another session: a 3.8 server keeps one watch mode per session and path (ZOOKEEPER-4466).
    const watcher = await env.connect();
    const recursive = await watcher.addWatch('/', { recursive: true });
    const events = recursive[Symbol.asyncIterator]();

    await root.create(`${chroot.path}/w`);
    expect(await within(created.watch, 5000, 'exists watch')).toEqual({ type: 'NodeCreated', state: 'SyncConnected', path: '/w' });
    expect(await within(children.watch, 5000, 'child watch')).toEqual({
      type: 'NodeChildrenChanged',
      state: 'SyncConnected',
      path: '/',
    });
    await root.setData(chroot.path, 'x');
    expect(await within(self.watch, 5000, 'data watch')).toEqual({ type: 'NodeDataChanged', state: 'SyncConnected', path: '/' });
    await root.create(`${chroot.path}/w/deep`);
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push((await within(events.next(), 5000, 'recursive event')).value);
    expect(seen).toEqual([
      { type: 'NodeCreated', state: 'SyncConnected', path: '/w' },
      { type: 'NodeDataChanged', state: 'SyncConnected', path: '/' },
      { type: 'NodeCreated', state: 'SyncConnected', path: '/w/deep' },
    ]);
    await recursive.remove();
  });

  test('chroot - getEphemerals sends the prefix under the chroot and strips it from the results', async ({ env }) => {
    const { zk, chroot } = env;
    const root = await env.connectRoot();
    await zk.create('/dir');
    await zk.create('/dir/e', null, { mode: CreateMode.EPHEMERAL });
    await zk.create('/e2', null, { mode: CreateMode.EPHEMERAL });
    await root.create(`${chroot.path}/re`, null, { mode: CreateMode.EPHEMERAL });
    expect((await zk.getEphemerals()).sort()).toEqual(['/dir/e', '/e2']);
    expect(await zk.getEphemerals('/dir')).toEqual(['/dir/e']);
    // The root client has its own session, and sees server paths.
    expect(await root.getEphemerals(chroot.path)).toEqual([`${chroot.path}/re`]);
  });

  test('chroot - the chroot node may be missing, and can be created as "/"', async ({ env }) => {
    const { chroot } = env;
    const zk = await env.connectTo(`${env.hosts}${chroot.path}/fresh`);
    const root = await env.connectRoot();
    expect(await zk.exists('/')).toBeNull();
    expect(await errorOf(zk.create('/a'))).toBeInstanceOf(NoNodeError);
    expect(await zk.create('/', 'r')).toBe('/');
    expect(await zk.create('/a')).toBe('/a');
    expect(text((await root.getData(`${chroot.path}/fresh`)).data)).toBe('r');
    expect(await root.getChildren(`${chroot.path}/fresh`)).toEqual(['a']);
    expect(await zk.getAllChildrenNumber('/')).toBe(1);
  });
});
