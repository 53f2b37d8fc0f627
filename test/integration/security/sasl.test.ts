/**
 * SASL DIGEST-MD5 against ZooKeeper 3.8 configured as operators do it: JAAS `Server` section with
 * DigestLoginModule users, authProvider.sasl, and (second server) enforce.auth.enabled with the sasl
 * scheme. Right and wrong credentials, a SASL ACL, SASL over TLS, SASL replayed first on a reconnect,
 * and a client without SASL refused by the enforcing server. Two servers for the file.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthFailedError,
  type ConnectOptions,
  NoAuthError,
  Perms,
  SessionClosedRequireSaslAuthError,
  type Transport,
  type ZooKeeper,
  connect,
  nodeTransport,
} from '../../../src/entry/node.js';
import { FaultProxy } from '../../support/proxy/index.js';
import { errorOf, within } from '../../support/promises.js';
import { nextState } from '../../support/states.js';
import { type TestCertificates, makeTestCertificates } from '../../support/tls/certs.js';
import { clientTls, secureServerOptions } from '../../support/tls/secure-server.js';
import { type ZkServer, delay, scaled, startStandalone } from '../../support/zookeeper/index.js';

const USERS = { alice: 'alice-secret', bob: 'bob-secret' };
const ALICE = { username: 'alice', password: USERS.alice };
const BOB = { username: 'bob', password: USERS.bob };

let certs: TestCertificates;
/** SASL users, TLS port too (ssl.clientAuth=none); authentication optional. */
let server: ZkServer;
/** SASL users and enforce.auth.enabled=true with the sasl scheme; plain port only. */
let enforced: ZkServer;
const clients: ZooKeeper[] = [];
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  certs = makeTestCertificates();
  [server, enforced] = await Promise.all([
    startStandalone(secureServerOptions({ certs, clientAuth: 'none', saslUsers: USERS }, 'sasl')),
    startStandalone(secureServerOptions({ certs, tls: false, saslUsers: USERS, enforceSasl: true }, 'enforced')),
  ]);
});

afterAll(async () => {
  await Promise.all([server, enforced].map((s) => s?.destroy()));
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((zk) => zk.close()));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

/** The node transport, counting connection attempts: a refused client must not retry. */
function counting(): { transport: Transport; connects: () => number } {
  let n = 0;
  const transport: Transport = {
    connect(options) {
      n++;
      return nodeTransport.connect(options);
    },
  };
  return { transport, connects: () => n };
}

async function open(connectString: string, options: ConnectOptions = {}): Promise<ZooKeeper> {
  const zk = await connect(connectString, {
    sessionTimeout: 6000,
    connectTimeout: scaled(10_000),
    requestTimeout: scaled(15_000),
    ...options,
  });
  clients.push(zk);
  return zk;
}

const text = (data: Uint8Array | null): string | null => (data === null ? null : new TextDecoder().decode(data));

describe('SASL DIGEST-MD5', () => {
  it('SASL - the right credentials connect, and whoAmI shows the sasl identity', async () => {
    const zk = await open(server.connectString, { sasl: ALICE });
    expect(await zk.whoAmI()).toEqual(expect.arrayContaining([{ authScheme: 'sasl', user: 'alice' }]));
  });

  it('SASL - a wrong password: AuthFailedError from connect(), state authFailed, one connection and no retry', async () => {
    const { transport, connects } = counting();
    const states: string[] = [];
    const t0 = Date.now();
    const error = await errorOf(
      open(server.connectString, { sasl: { username: 'alice', password: 'guess' }, transport, logger: (_l, m) => states.push(m) }),
    );
    expect(error).toBeInstanceOf(AuthFailedError);
    expect(error).toMatchObject({ code: 'AUTHFAILED', errno: -115 });
    expect((error as Error).message).toMatch(/alice.*wrong password/);
    expect(Date.now() - t0).toBeLessThan(scaled(5000));
    expect(states.filter((m) => /-> authFailed$/.test(m))).toHaveLength(1);
    await delay(scaled(1000));
    expect(connects()).toBe(1);
  });

  it('SASL - an ACL on the sasl identity (sasl:alice:cdrwa) allows alice and denies bob and anonymous clients', async () => {
    const alice = await open(server.connectString, { sasl: ALICE });
    const acl = [{ perms: Perms.ALL, id: { scheme: 'sasl', id: 'alice' } }];
    await alice.create('/sasl-only', 'alice', { acl });
    try {
      expect((await alice.getACL('/sasl-only')).acl).toEqual(acl);
      const again = await open(server.connectString, { sasl: ALICE });
      expect(text((await again.getData('/sasl-only')).data)).toBe('alice');
      const bob = await open(server.connectString, { sasl: BOB });
      expect(await errorOf(bob.getData('/sasl-only'))).toBeInstanceOf(NoAuthError);
      expect(await errorOf(bob.setData('/sasl-only', 'bob'))).toBeInstanceOf(NoAuthError);
      const anonymous = await open(server.connectString);
      expect(await errorOf(anonymous.getData('/sasl-only'))).toBeInstanceOf(NoAuthError);
    } finally {
      await alice.delete('/sasl-only');
    }
  });

  it('SASL over TLS - DIGEST-MD5 on the secureClientPort', async () => {
    const zk = await open(server.secureConnectString!, { sasl: BOB, tls: clientTls(certs) });
    expect(await zk.whoAmI()).toEqual(expect.arrayContaining([{ authScheme: 'sasl', user: 'bob' }]));
    await zk.create('/over-tls', 'yes');
    expect(text((await zk.getData('/over-tls')).data)).toBe('yes');
    await zk.delete('/over-tls');
  });
});

describe('SASL enforced (enforce.auth.enabled, scheme sasl)', () => {
  it('enforced - SASL credentials are accepted and requests work', async () => {
    const zk = await open(enforced.connectString, { sasl: ALICE });
    await zk.create('/enforced', 'ok');
    expect(text((await zk.getData('/enforced')).data)).toBe('ok');
    await zk.delete('/enforced');
  });

  it('enforced - a client without SASL: its first request fails with SessionClosedRequireSaslAuthError, state authFailed, no reconnect', async () => {
    const { transport, connects } = counting();
    const zk = await open(enforced.connectString, { transport });
    const failed = nextState(zk, 'authFailed');
    const error = await errorOf(zk.getData('/'));
    expect(error).toBeInstanceOf(SessionClosedRequireSaslAuthError);
    expect(error).toMatchObject({ code: 'SESSIONCLOSEDREQUIRESASLAUTH', errno: -124 });
    expect((error as Error).message).toMatch(/requires SASL.*sasl option/);
    await failed;
    expect(await errorOf(zk.exists('/'))).toBeInstanceOf(SessionClosedRequireSaslAuthError);
    await delay(scaled(1000));
    expect(connects()).toBe(1);
  });

  it('enforced - a wrong password ends connect() with SessionClosedRequireSaslAuthError', async () => {
    const error = await errorOf(open(enforced.connectString, { sasl: { username: 'bob', password: 'guess' } }));
    expect(error).toBeInstanceOf(SessionClosedRequireSaslAuthError);
    expect((error as Error).message).toMatch(/bob/);
  });

  it('enforced - SASL is replayed first on a reconnect: the watch replay and queued requests pass the enforcement', async () => {
    const proxy = await FaultProxy.start({ target: { host: enforced.host, port: enforced.clientPort } });
    proxies.push(proxy);
    const zk = await open(proxy.address, { sasl: ALICE });
    const writer = await open(enforced.connectString, { sasl: ALICE });
    await zk.create('/replayed', 'v1');
    const { watch } = await zk.getData('/replayed', { watch: true });
    const sessionId = zk.sessionId;
    const back = nextState(zk, 'connected');
    proxy.resetAll();
    expect((await back).seen).toEqual(['disconnected', 'connecting', 'connected']);
    expect(zk.sessionId).toBe(sessionId);
    expect(proxy.accepted).toBe(2);
    expect(await zk.whoAmI()).toEqual(expect.arrayContaining([{ authScheme: 'sasl', user: 'alice' }]));
    await writer.setData('/replayed', 'v2');
    expect(await within(watch, scaled(5000), 'the replayed watch')).toMatchObject({ type: 'NodeDataChanged', path: '/replayed' });
    await zk.delete('/replayed');
    expect(zk.state).toBe('connected');
  });
});
