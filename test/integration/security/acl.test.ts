/**
 * ACLs as a user meets them, on the shared server: the world, auth, digest and ip schemes (x509 is in
 * tls.test.ts, sasl in sasl.test.ts, each on a server configured for it); what ZooKeeper refuses as
 * INVALIDACL, and the permission bits the client refuses itself (ZooKeeper 3.8 stores them); setACL's
 * version; NOAUTH for every kind of operation that checks an ACL (and the ones that do not); getACL
 * returning exactly what was set; addAuth with a scheme the server does not know; and a Mutex under a
 * creator-only parent.
 */
import {
  AuthFailedError,
  BadVersionError,
  CREATOR_ALL_ACL,
  InvalidACLError,
  NoAuthError,
  OPEN_ACL_UNSAFE,
  Perms,
  READ_ACL_UNSAFE,
  digestACL,
  digestId,
  op,
} from '../../../src/entry/node.js';
import { Mutex } from '../../../src/recipes/mutex.js';
import { describe, expect, test, text } from '../../support/client-fixture.js';
import { errorOf } from '../../support/promises.js';

const ALICE = 'alice:alice-pw';
const ANYONE = { scheme: 'world', id: 'anyone' };

describe('ACL schemes', () => {
  test('world - OPEN_ACL_UNSAFE lets anyone write; READ_ACL_UNSAFE lets anyone read and nobody write', async ({ env }) => {
    const { zk } = env;
    const stranger = await env.connect();
    await zk.create('/open', 'o', { acl: OPEN_ACL_UNSAFE });
    expect((await stranger.setData('/open', 'changed')).version).toBe(1);
    await zk.create('/read-only', 'r', { acl: READ_ACL_UNSAFE });
    expect(text((await stranger.getData('/read-only')).data)).toBe('r');
    expect(await errorOf(stranger.setData('/read-only', 'x'))).toBeInstanceOf(NoAuthError);
    expect(await errorOf(stranger.create('/read-only/child'))).toBeInstanceOf(NoAuthError);
  });

  test('auth - CREATOR_ALL_ACL becomes every identity the creating session holds', async ({ env }) => {
    const zk = await env.connect({ auth: [{ scheme: 'digest', auth: ALICE }] });
    await zk.addAuth('digest', 'bob:bob-pw');
    await zk.create('/both', 'b', { acl: CREATOR_ALL_ACL });
    const { acl } = await zk.getACL('/both');
    expect(acl).toEqual(
      expect.arrayContaining([
        { perms: Perms.ALL, id: { scheme: 'digest', id: await digestId('alice', 'alice-pw') } },
        { perms: Perms.ALL, id: { scheme: 'digest', id: await digestId('bob', 'bob-pw') } },
      ]),
    );
    expect(acl).toHaveLength(2);
    const bob = await env.connect({ auth: [{ scheme: 'digest', auth: 'bob:bob-pw' }] });
    expect(text((await bob.getData('/both')).data)).toBe('b');
  });

  test('digest - digestACL entries grant each user exactly its permissions', async ({ env }) => {
    const { zk } = env;
    const acl = [
      await digestACL('alice', 'alice-pw', Perms.READ | Perms.WRITE),
      await digestACL('bob', 'bob-pw', Perms.READ),
      { perms: Perms.ADMIN, id: ANYONE },
    ];
    await zk.create('/digest', 'd', { acl });
    const alice = await env.connect({ auth: [{ scheme: 'digest', auth: ALICE }] });
    const bob = await env.connect({ auth: [{ scheme: 'digest', auth: 'bob:bob-pw' }] });
    const wrong = await env.connect({ auth: [{ scheme: 'digest', auth: 'alice:guess' }] });
    expect((await alice.setData('/digest', 'by alice')).version).toBe(1);
    expect(text((await bob.getData('/digest')).data)).toBe('by alice');
    expect(await errorOf(bob.setData('/digest', 'by bob'))).toBeInstanceOf(NoAuthError);
    expect(await errorOf(wrong.getData('/digest'))).toBeInstanceOf(NoAuthError);
    expect(await errorOf(zk.getData('/digest'))).toBeInstanceOf(NoAuthError);
  });

  test('ip - ip:127.0.0.1 and 127.0.0.0/8 admit this loopback client; another address does not', async ({ env }) => {
    const { zk } = env;
    await zk.create('/ip-exact', 'e', { acl: [{ perms: Perms.ALL, id: { scheme: 'ip', id: '127.0.0.1' } }] });
    await zk.create('/ip-range', 'r', { acl: [{ perms: Perms.READ, id: { scheme: 'ip', id: '127.0.0.0/8' } }] });
    await zk.create('/ip-other', 'o', { acl: [{ perms: Perms.ALL, id: { scheme: 'ip', id: '10.1.2.3' } }] });
    const other = await env.connect();
    expect(text((await other.getData('/ip-exact')).data)).toBe('e');
    expect(text((await other.getData('/ip-range')).data)).toBe('r');
    expect(await errorOf(other.setData('/ip-range', 'x'))).toBeInstanceOf(NoAuthError);
    expect(await errorOf(other.getData('/ip-other'))).toBeInstanceOf(NoAuthError);
  });
});

describe('ACL validation and versions', () => {
  test('INVALIDACL from the server: unknown scheme, malformed digest and ip ids, world:someone, an empty list; nothing created', async ({
    env,
  }) => {
    const { zk } = env;
    const bad = [
      [{ perms: Perms.ALL, id: { scheme: 'no-such-scheme', id: 'x' } }],
      [{ perms: Perms.ALL, id: { scheme: 'digest', id: 'no-colon' } }],
      [{ perms: Perms.ALL, id: { scheme: 'ip', id: 'not-an-address' } }],
      [{ perms: Perms.ALL, id: { scheme: 'world', id: 'someone' } }],
      [],
    ];
    for (const [i, acl] of bad.entries()) {
      const error = await errorOf(zk.create(`/bad-${i}`, null, { acl }));
      expect(error).toBeInstanceOf(InvalidACLError);
      expect(error).toMatchObject({ code: 'INVALIDACL', errno: -114, path: `/bad-${i}` });
      expect(await zk.exists(`/bad-${i}`)).toBeNull();
    }
    // In a multi too: the whole transaction is refused.
    const multi = await errorOf(zk.multi([op.create('/m-ok', null), op.create('/m-bad', null, { acl: bad[0]! })]));
    expect(multi).toBeInstanceOf(InvalidACLError);
    expect(await zk.exists('/m-ok')).toBeNull();
  });

  test('INVALIDACL from the client: permission bits outside Perms.ALL, refused before sending (ZooKeeper 3.8 would store them)', async ({
    env,
  }) => {
    const { zk } = env;
    await zk.create('/target', 't');
    for (const perms of [64, -1, 1.5, Perms.ALL | 32]) {
      const acl = [{ perms, id: ANYONE }];
      expect(await errorOf(zk.create('/bits', null, { acl }))).toBeInstanceOf(InvalidACLError);
      expect(await errorOf(zk.setACL('/target', acl))).toBeInstanceOf(InvalidACLError);
    }
    expect(await zk.exists('/bits')).toBeNull();
    expect((await zk.getACL('/target')).acl).toEqual(OPEN_ACL_UNSAFE);
  });

  test('setACL with a version: BADVERSION for a stale aversion, and getACL returns exactly what was set', async ({ env }) => {
    const { zk } = env;
    await zk.create('/versioned', 'v');
    const acl = [
      await digestACL('alice', 'alice-pw', Perms.ALL),
      { perms: Perms.READ | Perms.ADMIN, id: { scheme: 'ip', id: '127.0.0.1' } },
      { perms: Perms.READ, id: ANYONE },
    ];
    const stat = await zk.setACL('/versioned', acl, { version: 0 });
    expect(stat.aversion).toBe(1);
    const got = await zk.getACL('/versioned');
    expect(got.acl).toEqual(acl);
    expect(got.stat.aversion).toBe(1);
    const stale = await errorOf(zk.setACL('/versioned', OPEN_ACL_UNSAFE, { version: 0 }));
    expect(stale).toBeInstanceOf(BadVersionError);
    expect(stale).toMatchObject({ code: 'BADVERSION', path: '/versioned' });
    expect((await zk.getACL('/versioned')).acl).toEqual(acl);
    expect((await zk.setACL('/versioned', OPEN_ACL_UNSAFE, { version: 1 })).aversion).toBe(2);
  });
});

describe('NOAUTH', () => {
  test('NOAUTH on every operation kind that checks the ACL; exists and sync check none', async ({ env }) => {
    const owner = await env.connect({ auth: [{ scheme: 'digest', auth: ALICE }] });
    await owner.create('/guarded', 'g', { acl: CREATOR_ALL_ACL });
    await owner.create('/guarded/child', 'c', { acl: OPEN_ACL_UNSAFE });
    const s = await env.connect();
    const refusals: [string, Promise<unknown>][] = [
      ['getData (READ)', s.getData('/guarded')],
      ['getChildren (READ)', s.getChildren('/guarded')],
      ['getChildrenWithStat (READ)', s.getChildrenWithStat('/guarded')],
      ['getAllChildrenNumber (READ)', s.getAllChildrenNumber('/guarded')],
      ['getACL (READ or ADMIN)', s.getACL('/guarded')],
      ['setData (WRITE)', s.setData('/guarded', 'x')],
      ['create (CREATE on the parent)', s.create('/guarded/new')],
      ['delete (DELETE on the parent)', s.delete('/guarded/child')],
      ['setACL (ADMIN)', s.setACL('/guarded', OPEN_ACL_UNSAFE)],
      ['multi create', s.multi([op.create('/guarded/m', null)])],
      ['multi check', s.multi([op.check('/guarded', 0)])],
    ];
    for (const [what, call] of refusals) {
      const error = await errorOf(call);
      expect(error, what).toBeInstanceOf(NoAuthError);
      expect(error, what).toMatchObject({ code: 'NOAUTH', errno: -102 });
    }
    // multiRead reports the refusal per read.
    const [read] = await s.multiRead([op.getData('/guarded')]);
    expect(read).toMatchObject({ type: 'error', error: expect.any(NoAuthError) });
    // Not ACL-checked by ZooKeeper: exists and sync.
    expect((await s.exists('/guarded'))?.numChildren).toBe(1);
    expect(await s.sync('/guarded')).toBe('/guarded');
    // Nothing changed.
    expect(text((await owner.getData('/guarded')).data)).toBe('g');
    expect(await owner.getChildren('/guarded')).toEqual(['child']);
    expect((await owner.getACL('/guarded')).stat.aversion).toBe(0);
  });

  test('addAuth with a scheme the server does not know: AuthFailedError, and the session ends', async ({ env }) => {
    const zk = await env.connect();
    const error = await errorOf(zk.addAuth('kerberos-please', 'x'));
    expect(error).toBeInstanceOf(AuthFailedError);
    expect(zk.state).toBe('authFailed');
  });
});

describe('recipes on a secured tree', () => {
  test('Mutex under a creator-only parent: works for its creator, fails fast with NOAUTH for another client, leaves no node', async ({
    env,
  }) => {
    const owner = await env.connect({ auth: [{ scheme: 'digest', auth: ALICE }] });
    await owner.create('/locks', null, { acl: CREATOR_ALL_ACL });
    const lease = await new Mutex(owner, '/locks').acquire({ timeout: 10_000 });
    expect(await owner.getChildren('/locks')).toHaveLength(1);
    await lease.release();
    expect(await owner.getChildren('/locks')).toEqual([]);

    const stranger = await env.connect();
    const t0 = Date.now();
    const error = await errorOf(new Mutex(stranger, '/locks').acquire({ timeout: 10_000 }));
    expect(error).toBeInstanceOf(NoAuthError);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await owner.getChildren('/locks')).toEqual([]);
    // The owner still locks after the refusal.
    const again = await new Mutex(owner, '/locks').acquire({ timeout: 10_000 });
    await again.release();
    expect(await owner.getChildren('/locks')).toEqual([]);
  });
});
