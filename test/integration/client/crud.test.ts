/**
 * The basic verbs against a real server: create (every plain mode), createWithStat, delete, exists,
 * getData/setData, getChildren(WithStat), getACL/setACL, sync, getEphemerals, getAllChildrenNumber, and
 * the errors they reject with.
 */
import {
  BadVersionError,
  CreateMode,
  NoAuthError,
  NoChildrenForEphemeralsError,
  NoNodeError,
  NodeExistsError,
  NotEmptyError,
  OPEN_ACL_UNSAFE,
  Perms,
  READ_ACL_UNSAFE,
  ZooKeeperError,
} from '../../../src/entry/node.js';
import { describe, expect, test, text } from '../../support/client-fixture.js';
import { errorOf, within } from '../../support/promises.js';

describe('create', () => {
  test('create - data as string, Uint8Array, empty, null and absent', async ({ env }) => {
    const { zk } = env;
    expect(await zk.create('/s', 'héllo')).toBe('/s');
    expect(await zk.create('/u', new Uint8Array([0, 1, 255]))).toBe('/u');
    expect(await zk.create('/e', '')).toBe('/e');
    expect(await zk.create('/n', null)).toBe('/n');
    expect(await zk.create('/a')).toBe('/a');
    expect(text((await zk.getData('/s')).data)).toBe('héllo');
    expect((await zk.getData('/u')).data).toEqual(new Uint8Array([0, 1, 255]));
    const empty = await zk.getData('/e');
    expect(empty.data).toEqual(new Uint8Array(0));
    expect(empty.stat.dataLength).toBe(0);
    // The server keeps null data as null, and "absent" means null.
    expect((await zk.getData('/n')).data).toBeNull();
    expect((await zk.getData('/a')).data).toBeNull();
  });

  test('create - sequential names count every child created under the parent', async ({ env }) => {
    const { zk } = env;
    await zk.create('/q');
    expect(await zk.create('/q/n-', 'a', { mode: CreateMode.PERSISTENT_SEQUENTIAL })).toBe('/q/n-0000000000');
    expect(await zk.create('/q/n-', 'b', { mode: CreateMode.EPHEMERAL_SEQUENTIAL })).toBe('/q/n-0000000001');
    await zk.create('/q/plain');
    await zk.delete('/q/plain');
    // The counter counts creates of any kind, and deletes do not lower it.
    expect(await zk.create('/q/n-', null, { mode: CreateMode.PERSISTENT_SEQUENTIAL })).toBe('/q/n-0000000003');
    // A sequential create may end in "/": the name is the counter alone.
    expect(await zk.create('/q/', null, { mode: CreateMode.PERSISTENT_SEQUENTIAL })).toBe('/q/0000000004');
    expect((await zk.getChildren('/q')).sort()).toEqual(['0000000004', 'n-0000000000', 'n-0000000001', 'n-0000000003']);
  });

  test('create - ephemeral modes are owned by the session', async ({ env }) => {
    const { zk } = env;
    const eph = await zk.createWithStat('/eph', 'x', { mode: CreateMode.EPHEMERAL });
    expect(eph.stat.ephemeralOwner).toBe(zk.sessionId);
    const seq = await zk.createWithStat('/eseq-', null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
    expect(seq.path).toBe('/eseq-0000000001');
    expect(seq.stat.ephemeralOwner).toBe(zk.sessionId);
    const persistent = await zk.createWithStat('/p');
    expect(persistent.stat.ephemeralOwner).toBe(0n);
  });

  test('create - NodeExistsError, NoNodeError and NoChildrenForEphemeralsError carry code, errno and client path', async ({ env }) => {
    const { zk } = env;
    await zk.create('/a');
    const exists = await errorOf(zk.create('/a'));
    expect(exists).toBeInstanceOf(NodeExistsError);
    expect(exists).toBeInstanceOf(ZooKeeperError);
    expect(exists).toMatchObject({ name: 'NodeExistsError', code: 'NODEEXISTS', errno: -110, path: '/a' });

    const noParent = await errorOf(zk.create('/missing/child'));
    expect(noParent).toBeInstanceOf(NoNodeError);
    expect(noParent).toMatchObject({ code: 'NONODE', errno: -101, path: '/missing/child' });

    await zk.create('/eph', null, { mode: CreateMode.EPHEMERAL });
    const underEphemeral = await errorOf(zk.create('/eph/child'));
    expect(underEphemeral).toBeInstanceOf(NoChildrenForEphemeralsError);
    expect(underEphemeral).toMatchObject({ code: 'NOCHILDRENFOREPHEMERALS', errno: -108, path: '/eph/child' });
    const seqUnderEphemeral = await errorOf(zk.create('/eph/s-', null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL }));
    expect(seqUnderEphemeral).toBeInstanceOf(NoChildrenForEphemeralsError);
  });

  test('createWithStat - the Stat of a new node', async ({ env }) => {
    const { zk } = env;
    const { path, stat } = await zk.createWithStat('/n', 'four');
    expect(path).toBe('/n');
    expect(stat.czxid).toBe(stat.mzxid);
    expect(stat.pzxid).toBe(stat.czxid);
    // The reply that carried it is the write's own zxid.
    expect(stat.czxid).toBe(zk.lastZxid);
    expect(stat.ctime).toBe(stat.mtime);
    expect(stat).toMatchObject({ version: 0, cversion: 0, aversion: 0, dataLength: 4, numChildren: 0, ephemeralOwner: 0n });
    expect(await zk.exists('/n')).toEqual(stat);
  });
});

describe('delete', () => {
  test('delete - version checks, NotEmptyError and NoNodeError', async ({ env }) => {
    const { zk } = env;
    await zk.create('/a', 'v0');
    await zk.setData('/a', 'v1');
    const bad = await errorOf(zk.delete('/a', { version: 0 }));
    expect(bad).toBeInstanceOf(BadVersionError);
    expect(bad).toMatchObject({ code: 'BADVERSION', errno: -103, path: '/a' });
    await zk.delete('/a', { version: 1 });
    expect(await zk.exists('/a')).toBeNull();

    await zk.create('/p');
    await zk.create('/p/c');
    const notEmpty = await errorOf(zk.delete('/p'));
    expect(notEmpty).toBeInstanceOf(NotEmptyError);
    expect(notEmpty).toMatchObject({ code: 'NOTEMPTY', errno: -111, path: '/p' });
    await zk.delete('/p/c');
    await zk.delete('/p'); // version -1 (the default) matches any

    const gone = await errorOf(zk.delete('/p'));
    expect(gone).toBeInstanceOf(NoNodeError);
    expect(gone).toMatchObject({ path: '/p' });
  });
});

describe('reads and writes', () => {
  test('exists - null for a missing node, the Stat otherwise', async ({ env }) => {
    const { zk } = env;
    expect(await zk.exists('/nope')).toBeNull();
    expect(await zk.exists('/nope/deeper')).toBeNull();
    const { stat } = await zk.createWithStat('/yes', 'abc');
    expect(await zk.exists('/yes')).toEqual(stat);
    // The chroot itself is "/".
    expect((await zk.exists('/'))?.numChildren).toBe(1);
  });

  test('getData/setData - versions advance and guard writes', async ({ env }) => {
    const { zk } = env;
    await zk.create('/d', 'one');
    const first = await zk.getData('/d');
    expect(text(first.data)).toBe('one');
    expect(first.stat.version).toBe(0);

    const s1 = await zk.setData('/d', 'two', { version: 0 });
    expect(s1.version).toBe(1);
    expect(s1.mzxid).toBeGreaterThan(first.stat.mzxid);
    expect(s1.czxid).toBe(first.stat.czxid);
    expect(s1.dataLength).toBe(3);

    const stale = await errorOf(zk.setData('/d', 'three', { version: 0 }));
    expect(stale).toBeInstanceOf(BadVersionError);
    expect(stale).toMatchObject({ code: 'BADVERSION', path: '/d' });
    expect(text((await zk.getData('/d')).data)).toBe('two');

    const s2 = await zk.setData('/d', new Uint8Array([7]));
    expect(s2.version).toBe(2);
    const s3 = await zk.setData('/d', null);
    expect(s3).toMatchObject({ version: 3, dataLength: 0 });
    const last = await zk.getData('/d');
    expect(last.data).toBeNull();
    expect(last.stat).toEqual(s3);

    expect(await errorOf(zk.getData('/missing'))).toBeInstanceOf(NoNodeError);
    expect(await errorOf(zk.setData('/missing', 'x'))).toMatchObject({ code: 'NONODE', path: '/missing' });
  });

  test('getChildren/getChildrenWithStat - names and the parent Stat', async ({ env }) => {
    const { zk } = env;
    await zk.create('/p');
    expect(await zk.getChildren('/p')).toEqual([]);
    for (const name of ['b', 'a', 'c']) await zk.create(`/p/${name}`);
    await zk.create('/p/a/grandchild');
    expect((await zk.getChildren('/p')).sort()).toEqual(['a', 'b', 'c']);
    const { children, stat } = await zk.getChildrenWithStat('/p');
    expect(children.sort()).toEqual(['a', 'b', 'c']);
    expect(stat.numChildren).toBe(3);
    expect(stat.cversion).toBe(3);
    expect(stat).toEqual(await zk.exists('/p'));
    expect((await zk.getChildren('/')).sort()).toEqual(['p']);
    expect(await errorOf(zk.getChildren('/missing'))).toMatchObject({ code: 'NONODE', path: '/missing' });
    expect(await errorOf(zk.getChildrenWithStat('/missing'))).toBeInstanceOf(NoNodeError);
  });

  test('getACL/setACL - the aversion guards ACL changes, and the ACL is enforced', async ({ env }) => {
    const { zk } = env;
    await zk.create('/n', 'x');
    const initial = await zk.getACL('/n');
    expect(initial.acl).toEqual(OPEN_ACL_UNSAFE);
    expect(initial.stat.aversion).toBe(0);

    const acl = [{ perms: Perms.READ | Perms.WRITE | Perms.ADMIN, id: { scheme: 'world', id: 'anyone' } }];
    const stat = await zk.setACL('/n', acl, { version: 0 });
    expect(stat.aversion).toBe(1);
    expect(stat.version).toBe(0); // data version untouched
    expect(await errorOf(zk.setACL('/n', OPEN_ACL_UNSAFE, { version: 0 }))).toBeInstanceOf(BadVersionError);
    expect((await zk.getACL('/n')).acl).toEqual(acl);

    // No CREATE permission any more.
    expect(await errorOf(zk.create('/n/child'))).toMatchObject({ code: 'NOAUTH', errno: -102, path: '/n/child' });
    await zk.setACL('/n', READ_ACL_UNSAFE, { version: 1 });
    expect(await errorOf(zk.setData('/n', 'y'))).toBeInstanceOf(NoAuthError);
    expect(text((await zk.getData('/n')).data)).toBe('x');
    expect(await errorOf(zk.getACL('/missing'))).toBeInstanceOf(NoNodeError);
  });

  test('sync - returns the client path, also for "/" and for a node that does not exist', async ({ env }) => {
    const { zk } = env;
    await zk.create('/s');
    expect(await zk.sync('/s')).toBe('/s');
    expect(await zk.sync()).toBe('/');
    expect(await zk.sync('/not/there')).toBe('/not/there');
  });

  test('sync - a read pipelined after it sees a write made by another session', async ({ env }) => {
    const other = await env.connect();
    await env.zk.create('/x', 'old');
    await other.setData('/x', 'new');
    const [, data] = await Promise.all([env.zk.sync('/x'), env.zk.getData('/x')]);
    expect(text(data.data)).toBe('new');
  });

  test('getEphemerals - this session only, chroot-relative, matched as a plain string prefix', async ({ env }) => {
    const { zk } = env;
    const other = await env.connect();
    await zk.create('/dir');
    await zk.create('/e1', null, { mode: CreateMode.EPHEMERAL });
    await zk.create('/eph', null, { mode: CreateMode.EPHEMERAL });
    await zk.create('/dir/e2', null, { mode: CreateMode.EPHEMERAL });
    const seq = await zk.create('/dir/s-', null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
    await other.create('/e-other', null, { mode: CreateMode.EPHEMERAL });

    expect((await zk.getEphemerals()).sort()).toEqual(['/dir/e2', seq, '/e1', '/eph'].sort());
    expect((await zk.getEphemerals('/')).sort()).toEqual(['/dir/e2', seq, '/e1', '/eph'].sort());
    // "/e" is a string prefix: it matches /eph and /e1, not just children of a node /e.
    expect((await zk.getEphemerals('/e')).sort()).toEqual(['/e1', '/eph']);
    expect((await zk.getEphemerals('/dir')).sort()).toEqual(['/dir/e2', seq].sort());
    expect(await zk.getEphemerals('/none')).toEqual([]);
    expect(await other.getEphemerals()).toEqual(['/e-other']);
  });

  test('getAllChildrenNumber - every descendant, not the node itself', async ({ env }) => {
    const { zk } = env;
    await zk.create('/a');
    await zk.create('/a/b');
    await zk.create('/a/b/c');
    await zk.create('/a/d');
    await zk.create('/z');
    expect(await zk.getAllChildrenNumber('/a')).toBe(3);
    expect(await zk.getAllChildrenNumber('/a/b')).toBe(1);
    expect(await zk.getAllChildrenNumber('/a/d')).toBe(0);
    // Through the chroot, "/" is the chroot node.
    expect(await zk.getAllChildrenNumber('/')).toBe(5);
    expect(await errorOf(zk.getAllChildrenNumber('/missing'))).toMatchObject({ code: 'NONODE', path: '/missing' });
  });

  test('names - non-ASCII names round-trip through create, getChildren, sequential names and events', async ({ env }) => {
    const { zk } = env;
    const names = ['héllo wörld', 'дерево', '木', 'a'.repeat(40), 'ascii-but-longer-than-sixteen', 'ключ-ключ-ключ-ключ', '\u00e9'];
    await zk.create('/p');
    const { watch } = await zk.getChildren('/p', { watch: true });
    for (const name of names) expect(await zk.create(`/p/${name}`, name)).toBe(`/p/${name}`);
    expect(await within(watch, 5000, 'child watch')).toMatchObject({ type: 'NodeChildrenChanged', path: '/p' });
    expect((await zk.getChildren('/p')).sort()).toEqual([...names].sort());
    expect(await zk.create('/p/序列-', null, { mode: CreateMode.PERSISTENT_SEQUENTIAL })).toBe(`/p/序列-${'0'.repeat(9)}7`);
    for (const name of names) expect(text((await zk.getData(`/p/${name}`)).data)).toBe(name);
    const { watch: deleted } = await zk.exists('/p/木', { watch: true });
    await zk.delete('/p/木');
    expect(await within(deleted, 5000, 'exists watch')).toMatchObject({ type: 'NodeDeleted', path: '/p/木' });
  });
});
