/**
 * TLS against a real ZooKeeper 3.8 secureClientPort (Netty, PEM stores, ssl.clientAuth=need, the x509
 * provider): the client API's core over TLS, the x509 identity (whoAmI, an x509 ACL), hostname
 * verification, and each certificate failure ending connect() at once with a TlsError naming the cause.
 * Three servers for the file, started together: the good one, one presenting an expired certificate,
 * one presenting a certificate for another name (both with ssl.clientAuth=none).
 *
 * Also run by `npm run test:bun` and `test:deno`, so every adapter's TLS is proven.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConnectOptions,
  CreateMode,
  NoAuthError,
  Perms,
  TlsError,
  UnsupportedError,
  type ZooKeeper,
  connect,
  op,
} from '../../../src/entry/node.js';
import { errorOf, within } from '../../support/promises.js';
import { ALICE_DN, MALLORY_DN, type TestCertificates, makeTestCertificates } from '../../support/tls/certs.js';
import { clientTls, secureServerOptions } from '../../support/tls/secure-server.js';
import { type ZkServer, scaled, startStandalone } from '../../support/zookeeper/index.js';

let certs: TestCertificates;
let server: ZkServer;
let expired: ZkServer;
let wrongName: ZkServer;
const clients: ZooKeeper[] = [];
const runtime = process.env['ZKTS_RUNTIME'] ?? 'node';

beforeAll(async () => {
  certs = makeTestCertificates();
  [server, expired, wrongName] = await Promise.all([
    startStandalone(secureServerOptions({ certs, clientAuth: 'need' }, 'need')),
    startStandalone(secureServerOptions({ certs, tls: certs.expiredServer, clientAuth: 'none' }, 'expired')),
    startStandalone(secureServerOptions({ certs, tls: certs.wrongNameServer, clientAuth: 'none' }, 'wrong-name')),
  ]);
});

afterAll(async () => {
  await Promise.all([server, expired, wrongName].map((s) => s?.destroy()));
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((zk) => zk.close()));
});

async function open(connectString: string, options: ConnectOptions): Promise<ZooKeeper> {
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

/** connect() that must fail: its error, and how long it took. */
async function refused(connectString: string, options: ConnectOptions): Promise<{ error: unknown; ms: number }> {
  const t0 = Date.now();
  // A connect timeout far above the bound checked below: a failure must come from TLS, not from it.
  const error = await errorOf(open(connectString, { connectTimeout: scaled(20_000), ...options }));
  return { error, ms: Date.now() - t0 };
}

describe('TLS: the client API over a secureClientPort', () => {
  it('TLS - create, getData, a watch, multi and getChildren over TLS with a client certificate', async () => {
    const zk = await open(server.secureConnectString!, { tls: clientTls(certs, certs.alice) });
    expect(zk.state).toBe('connected');
    await zk.create('/tls', 'v1');
    const { data, stat, watch } = await zk.getData('/tls', { watch: true });
    expect(text(data)).toBe('v1');
    await zk.setData('/tls', 'v2', { version: stat.version });
    expect(await within(watch, scaled(5000), 'the data watch')).toEqual({ type: 'NodeDataChanged', state: 'SyncConnected', path: '/tls' });
    const results = await zk.multi([
      op.check('/tls', 1),
      op.create('/tls/a', 'a', { mode: CreateMode.EPHEMERAL }),
      op.setData('/tls', 'v3'),
    ]);
    expect(results.map((r) => r.type)).toEqual(['check', 'create', 'setData']);
    expect(await zk.getChildren('/tls')).toEqual(['a']);
    expect(text((await zk.getData('/tls')).data)).toBe('v3');
  });

  it('TLS - the name dialled is checked: localhost matches the DNS SAN, and a servername the certificate lists is accepted', async () => {
    const port = server.secureClientPort!;
    const byName = await open(`localhost:${port}`, { tls: clientTls(certs, certs.alice) });
    expect((await byName.exists('/'))?.version).toBeGreaterThanOrEqual(0);
    const viaServername = await open(`127.0.0.1:${port}`, { tls: clientTls(certs, certs.alice, { servername: 'localhost' }) });
    expect((await viaServername.exists('/'))?.version).toBeGreaterThanOrEqual(0);
  });
});

describe('TLS: x509 identity', () => {
  it('x509 - whoAmI shows the client certificate subject', async () => {
    const alice = await open(server.secureConnectString!, { tls: clientTls(certs, certs.alice) });
    expect(await alice.whoAmI()).toEqual(expect.arrayContaining([{ authScheme: 'x509', user: ALICE_DN }]));
    const mallory = await open(server.secureConnectString!, { tls: clientTls(certs, certs.mallory) });
    expect(await mallory.whoAmI()).toEqual(expect.arrayContaining([{ authScheme: 'x509', user: MALLORY_DN }]));
  });

  it('x509 - an ACL on the x509 identity allows that client and denies another certificate of the same CA', async () => {
    const alice = await open(server.secureConnectString!, { tls: clientTls(certs, certs.alice) });
    const acl = [{ perms: Perms.ALL, id: { scheme: 'x509', id: ALICE_DN } }];
    await alice.create('/x509-only', 'alice', { acl });
    expect((await alice.getACL('/x509-only')).acl).toEqual(acl);
    expect(text((await alice.getData('/x509-only')).data)).toBe('alice');
    const mallory = await open(server.secureConnectString!, { tls: clientTls(certs, certs.mallory) });
    expect(await errorOf(mallory.getData('/x509-only'))).toBeInstanceOf(NoAuthError);
    expect(await errorOf(mallory.setData('/x509-only', 'mallory'))).toBeInstanceOf(NoAuthError);
    await alice.delete('/x509-only');
  });
});

describe('TLS: certificate failures end connect() at once with a TlsError naming the cause', () => {
  /** Well inside the 20 s connect timeout of refused(): the failure is TLS's, not the timeout's. */
  const PROMPT = scaled(5000);

  async function expectTls(connectString: string, options: ConnectOptions, reason: TlsError['reason'], hint: RegExp): Promise<void> {
    const { error, ms } = await refused(connectString, options);
    expect(error).toBeInstanceOf(TlsError);
    expect(error).toMatchObject({ code: 'TLS', reason });
    expect((error as Error).message).toMatch(hint);
    expect(ms).toBeLessThan(PROMPT);
  }

  it('TLS failure - ssl.clientAuth=need without a client certificate: client-certificate-required', async () => {
    await expectTls(server.secureConnectString!, { tls: clientTls(certs) }, 'client-certificate-required', /tls\.cert/);
  });

  it('TLS failure - a server certificate from an untrusted CA: untrusted-certificate', async () => {
    const tls = { ca: certs.untrustedCa.cert, cert: certs.alice.cert, key: certs.alice.key };
    await expectTls(server.secureConnectString!, { tls }, 'untrusted-certificate', /tls\.ca/);
  });

  it('TLS failure - an expired server certificate: certificate-expired', async () => {
    await expectTls(expired.secureConnectString!, { tls: clientTls(certs) }, 'certificate-expired', /expired/);
  });

  it('TLS failure - a server certificate for another name: hostname-mismatch', async () => {
    await expectTls(wrongName.secureConnectString!, { tls: clientTls(certs) }, 'hostname-mismatch', /servername/);
  });

  it('TLS failure - the session ends in authFailed after one try per host, not a retry loop', async () => {
    // Two hosts, both failing (on different certificates): each tried once, then the end.
    const logged: string[] = [];
    const { error } = await refused(`${expired.secureConnectString!},${wrongName.secureConnectString!}`, {
      tls: clientTls(certs),
      logger: (_level, message) => logged.push(message),
    });
    expect(error).toBeInstanceOf(TlsError);
    expect(logged.filter((m) => m === 'connect attempt failed')).toHaveLength(2);
    expect(logged.filter((m) => /-> authFailed$/.test(m))).toHaveLength(1);
  });

  it('TLS - verifyHostname: false accepts a certificate issued for another name (chain still checked); Deno refuses it', async () => {
    if (runtime === 'deno') {
      // Deno.connectTls has no switch for the name check: the option is refused, never ignored.
      const { error, ms } = await refused(wrongName.secureConnectString!, { tls: clientTls(certs, undefined, { verifyHostname: false }) });
      expect(error).toBeInstanceOf(UnsupportedError);
      expect(ms).toBeLessThan(scaled(5000));
      return;
    }
    const zk = await open(wrongName.secureConnectString!, { tls: clientTls(certs, undefined, { verifyHostname: false }) });
    expect((await zk.exists('/'))?.version).toBeGreaterThanOrEqual(0);
    // The chain is still verified: an untrusted CA fails as before.
    const { error } = await refused(wrongName.secureConnectString!, { tls: { ca: certs.untrustedCa.cert, verifyHostname: false } });
    expect(error).toMatchObject({ reason: 'untrusted-certificate' });
  });
});
