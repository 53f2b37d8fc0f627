/**
 * A session over TLS survives losing its server: a 3-member ensemble with quorum TLS and a
 * secureClientPort on each member (ssl.clientAuth=need, x509), kill -9 of the member carrying the
 * client's connection; the client reconnects over TLS to another member with the same session, its
 * ephemeral node and watch intact, and its x509 identity set again by the new connection's handshake.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateMode, connect } from '../../../src/entry/node.js';
import { within } from '../../support/promises.js';
import { nextState } from '../../support/states.js';
import { ALICE_DN, type TestCertificates, makeTestCertificates } from '../../support/tls/certs.js';
import { clientTls, secureServerOptions } from '../../support/tls/secure-server.js';
import { type ZkEnsemble, type ZkServer, fourLetter, scaled, startEnsemble, waitFor } from '../../support/zookeeper/index.js';

let certs: TestCertificates;
let ensemble: ZkEnsemble;

beforeAll(async () => {
  certs = makeTestCertificates();
  ensemble = await startEnsemble(3, secureServerOptions({ certs, clientAuth: 'need', quorumTls: true }));
});

afterAll(async () => {
  await ensemble?.destroy();
});

/** The member whose watch table lists the session (4lw wchc on its plain port): the one carrying it. */
async function carrier(sessionId: bigint): Promise<ZkServer> {
  const hex = `0x${sessionId.toString(16)}`;
  return waitFor(
    async () => {
      for (const m of ensemble.members.filter((s) => s.state === 'running')) {
        const table = await fourLetter(m.host, m.clientPort, 'wchc', scaled(1000)).catch(() => '');
        if (table.includes(hex)) return m;
      }
      return undefined;
    },
    { timeoutMs: scaled(10_000), what: `the member carrying session ${hex}` },
  );
}

it('TLS ensemble - the session survives kill -9 of its member: same session, ephemeral and watch kept, x509 identity back', async () => {
  const tls = clientTls(certs, certs.alice);
  const zk = await connect(ensemble.secureConnectString, {
    tls,
    sessionTimeout: 8000,
    connectTimeout: scaled(15_000),
    requestTimeout: scaled(20_000),
  });
  const other = await connect(ensemble.secureConnectString, { tls, sessionTimeout: 8000, connectTimeout: scaled(15_000) });
  try {
    await zk.create('/eph', 'mine', { mode: CreateMode.EPHEMERAL });
    await zk.create('/watched', 'v1');
    const { watch } = await zk.getData('/watched', { watch: true });
    const sessionId = zk.sessionId;
    const member = await carrier(sessionId);

    const back = nextState(zk, 'connected', 20_000);
    await member.kill();
    expect((await back).seen).toEqual(['disconnected', 'connecting', 'connected']);
    expect(zk.sessionId).toBe(sessionId);
    expect(await carrier(sessionId)).not.toBe(member);

    // The ephemeral is still the session's, the watch was replayed, and the identity is the certificate's.
    expect((await zk.exists('/eph'))?.ephemeralOwner).toBe(sessionId);
    await other.setData('/watched', 'v2');
    expect(await within(watch, scaled(10_000), 'the replayed watch')).toMatchObject({ type: 'NodeDataChanged', path: '/watched' });
    expect(await zk.whoAmI()).toEqual(expect.arrayContaining([{ authScheme: 'x509', user: ALICE_DN }]));
  } finally {
    await Promise.all([zk.close(), other.close()]);
  }
});
