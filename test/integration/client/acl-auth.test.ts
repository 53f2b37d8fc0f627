/**
 * Authentication and ACL enforcement: addAuth and the `auth` connect option (sent at connect and replayed
 * after a reconnect), whoAmI, NoAuthError for sessions without the right identity, InvalidACLError, and
 * an auth failure ending the session.
 */
import {
  AuthFailedError,
  CREATOR_ALL_ACL,
  InvalidACLError,
  NoAuthError,
  OPEN_ACL_UNSAFE,
  Perms,
  digestACL,
} from '../../../src/entry/node.js';
import { FaultProxy } from '../../support/proxy/index.js';
import { splitConnectString } from '../../support/zookeeper/index.js';
import { describe, expect, test, text } from '../../support/client-fixture.js';
import { errorOf, within } from '../../support/promises.js';
import { nextState } from '../../support/states.js';

const ALICE = 'alice:secret';
/** The id DigestAuthenticationProvider.generateDigest makes of alice:secret (user:base64(sha1(user:password))). */
const ALICE_ID = 'alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=';

describe('whoAmI', () => {
  test('whoAmI - the ip identity, then the digest user after addAuth', async ({ env }) => {
    const { zk } = env;
    expect(await zk.whoAmI()).toEqual([{ authScheme: 'ip', user: '127.0.0.1' }]);
    await zk.addAuth('digest', ALICE);
    const ids = await zk.whoAmI();
    expect(ids).toHaveLength(2);
    expect(ids).toEqual(
      expect.arrayContaining([
        { authScheme: 'digest', user: 'alice' },
        { authScheme: 'ip', user: '127.0.0.1' },
      ]),
    );
  });

  test('whoAmI - a user name outside the BMP comes back intact (the server sends it CESU-8 encoded)', async ({ env }) => {
    const { zk } = env;
    await zk.addAuth('digest', '😀-ü:pw');
    expect(await zk.whoAmI()).toEqual(expect.arrayContaining([{ authScheme: 'digest', user: '😀-ü' }]));
    await zk.create('/mine', null, { acl: CREATOR_ALL_ACL });
    const { acl } = await zk.getACL('/mine');
    expect(acl).toHaveLength(1);
    expect(acl[0]?.id.id.startsWith('😀-ü:')).toBe(true);
  });

  test('whoAmI - credentials of the auth option apply from the first request', async ({ env }) => {
    const zk = await env.connect({ auth: [{ scheme: 'digest', auth: ALICE }] });
    expect(await zk.whoAmI()).toEqual(expect.arrayContaining([{ authScheme: 'digest', user: 'alice' }]));
  });
});

describe('ACL', () => {
  test('ACL - CREATOR_ALL_ACL locks out sessions without the creator identity', async ({ env }) => {
    const { zk } = env;
    await zk.addAuth('digest', ALICE);
    await zk.create('/secret', 'classified', { acl: CREATOR_ALL_ACL });
    const { acl } = await zk.getACL('/secret');
    expect(acl).toEqual([{ perms: Perms.ALL, id: { scheme: 'digest', id: ALICE_ID } }]);

    const stranger = await env.connect();
    const read = await errorOf(stranger.getData('/secret'));
    expect(read).toBeInstanceOf(NoAuthError);
    expect(read).toMatchObject({ code: 'NOAUTH', errno: -102, path: '/secret' });
    expect(await errorOf(stranger.setData('/secret', 'overwritten'))).toBeInstanceOf(NoAuthError);
    expect(await errorOf(stranger.getChildren('/secret'))).toBeInstanceOf(NoAuthError);
    expect(await errorOf(stranger.getACL('/secret'))).toBeInstanceOf(NoAuthError);
    expect(await errorOf(stranger.create('/secret/child'))).toBeInstanceOf(NoAuthError);
    // exists checks no ACL.
    expect((await stranger.exists('/secret'))?.version).toBe(0);

    // Wrong password: a different digest identity.
    const impostor = await env.connect({ auth: [{ scheme: 'digest', auth: 'alice:guess' }] });
    expect(await errorOf(impostor.getData('/secret'))).toBeInstanceOf(NoAuthError);

    // The stranger becomes alice; requests sent after the auth packet see it.
    await stranger.addAuth('digest', ALICE);
    expect(text((await stranger.getData('/secret')).data)).toBe('classified');

    const friend = await env.connect({ auth: [{ scheme: 'digest', auth: ALICE }] });
    expect((await friend.setData('/secret', 'updated')).version).toBe(1);
    expect(text((await zk.getData('/secret')).data)).toBe('updated');
  });

  test('ACL - digestACL grants exactly the given permissions', async ({ env }) => {
    const { zk } = env;
    const bobReads = await digestACL('bob', 'pw', Perms.READ);
    await zk.create('/bob', 'for bob', { acl: [bobReads, { perms: Perms.ADMIN, id: { scheme: 'world', id: 'anyone' } }] });
    expect(await errorOf(zk.getData('/bob'))).toBeInstanceOf(NoAuthError);

    const bob = await env.connect({ auth: [{ scheme: 'digest', auth: 'bob:pw' }] });
    expect(text((await bob.getData('/bob')).data)).toBe('for bob');
    expect(await errorOf(bob.setData('/bob', 'mine'))).toBeInstanceOf(NoAuthError);
    // ADMIN lets anyone change the ACL back.
    await zk.setACL('/bob', OPEN_ACL_UNSAFE);
    expect(text((await zk.getData('/bob')).data)).toBe('for bob');
  });

  test('ACL - InvalidACLError for CREATOR_ALL_ACL without an authenticated identity, and for an empty ACL', async ({ env }) => {
    const { zk } = env;
    const creator = await errorOf(zk.create('/c', null, { acl: CREATOR_ALL_ACL }));
    expect(creator).toBeInstanceOf(InvalidACLError);
    expect(creator).toMatchObject({ code: 'INVALIDACL', errno: -114, path: '/c' });
    expect(await errorOf(zk.create('/c', null, { acl: [] }))).toBeInstanceOf(InvalidACLError);
    await zk.create('/c');
    expect(await errorOf(zk.setACL('/c', CREATOR_ALL_ACL))).toBeInstanceOf(InvalidACLError);
    expect(await zk.exists('/c')).not.toBeNull();
  });

  test('auth - credentials from the option and from addAuth are replayed after a reconnect', async ({ env }) => {
    const owner = await env.connect({ auth: [{ scheme: 'digest', auth: ALICE }] });
    await owner.create('/alice', 'a', { acl: CREATOR_ALL_ACL });
    await owner.create('/bob', 'b', { acl: [await digestACL('bob', 'pw')] });

    const proxy = await FaultProxy.start({ target: splitConnectString(env.hosts).hosts[0]! });
    const zk = await env.connectTo(proxy.address + env.chroot.path, { auth: [{ scheme: 'digest', auth: ALICE }] });
    try {
      await zk.addAuth('digest', 'bob:pw');
      const sessionId = zk.sessionId;
      const reconnected = nextState(zk, 'connected');
      proxy.resetAll();
      expect((await reconnected).seen).toEqual(['disconnected', 'connecting', 'connected']);
      expect(zk.sessionId).toBe(sessionId);
      expect(proxy.accepted).toBe(2);
      expect(text((await zk.getData('/alice')).data)).toBe('a');
      expect(text((await zk.getData('/bob')).data)).toBe('b');
    } finally {
      await zk.close();
      await proxy.close();
    }
  });

  test('auth - a rejected scheme ends the session with AuthFailedError', async ({ env }) => {
    const zk = await env.connect();
    await zk.create('/w');
    const { watch } = await zk.getData('/w', { watch: true });
    const failed = nextState(zk, 'authFailed');
    const auth = await errorOf(zk.addAuth('no-such-scheme', 'x'));
    expect(auth).toBeInstanceOf(AuthFailedError);
    expect(auth).toMatchObject({ code: 'AUTHFAILED', errno: -115 });
    await failed;
    expect(zk.state).toBe('authFailed');
    expect(await within(watch, 5000, 'the final watch event')).toEqual({ type: 'None', state: 'AuthFailed', path: '' });
    expect(await errorOf(zk.getData('/w'))).toBeInstanceOf(AuthFailedError);
    await zk.close(); // harmless on an ended session
  });
});
