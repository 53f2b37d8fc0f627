/**
 * Host names in the connect string (session/hosts.ts, the Java client's StaticHostProvider): `localhost`
 * is resolved by the Node transport and connects; a name that resolves to two loopback addresses
 * (127.0.0.1 and 127.0.0.2, each a forwarder to the shared server on the same port) counts as two hosts:
 * when one address's connection breaks, the client reconnects through the other, and a name resolved
 * again on each attempt follows an address change without a restart.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach } from 'vitest';
import { type Transport, connect, nodeTransport } from '../../../src/entry/node.js';
import { freePorts, scaled, splitConnectString, waitFor } from '../../support/zookeeper/index.js';
import { describe, expect, test, testOptions } from '../../support/client-fixture.js';

/** A TCP forwarder on `address:port` to the server, counting and able to reset its connections. */
interface Forwarder {
  accepted: number;
  reset(): void;
  close(): Promise<void>;
}

const forwarders: Forwarder[] = [];
afterEach(async () => {
  await Promise.all(forwarders.splice(0).map((f) => f.close()));
});

async function forward(address: string, port: number, target: { host: string; port: number }): Promise<Forwarder> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    f.accepted++;
    const upstream = createConnection(target);
    sockets.add(client).add(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, address, resolve));
  const f: Forwarder = {
    accepted: 0,
    reset: () => {
      for (const s of sockets) s.resetAndDestroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  forwarders.push(f);
  return f;
}

/** The Node transport with `zk.test` resolved by the test. */
function resolving(addresses: () => string[]): Transport {
  return {
    connect: (o) => nodeTransport.connect(o),
    resolve: async (host) => (host === 'zk.test' ? addresses() : nodeTransport.resolve(host)),
  };
}

describe('host names', () => {
  test('host names - localhost is resolved and connects', async ({ env }) => {
    const { port } = splitConnectString(env.hosts).hosts[0]!;
    if (splitConnectString(env.hosts).hosts[0]!.host !== '127.0.0.1') return; // an external ensemble (ZK_CONNECT) may not be local
    const zk = await connect(`localhost:${port}${env.chroot.path}`, testOptions());
    try {
      expect(zk.state).toBe('connected');
      expect(await zk.exists('/')).not.toBeNull();
    } finally {
      await zk.close();
    }
  });

  test('host names - a name with two addresses is two hosts: a broken connection moves to the other address', async ({ env }) => {
    const target = splitConnectString(env.hosts).hosts[0]!;
    const [port] = await freePorts(1);
    const one = await forward('127.0.0.1', port!, target);
    const two = await forward('127.0.0.2', port!, target);
    const zk = await connect(`zk.test:${port}${env.chroot.path}`, {
      ...testOptions(),
      transport: resolving(() => ['127.0.0.1', '127.0.0.2']),
    });
    try {
      expect(one.accepted + two.accepted).toBe(1);
      const first = one.accepted === 1 ? one : two;
      const second = first === one ? two : one;
      first.reset();
      // The next address in the rotation is the other one.
      await waitFor(() => (second.accepted > 0 && zk.state === 'connected' ? true : undefined), {
        timeoutMs: scaled(10_000),
        intervalMs: 10,
        what: 'a reconnect through the other address',
      });
      expect(await zk.exists('/')).not.toBeNull();
    } finally {
      await zk.close();
    }
  });

  test('host names - the name is resolved again on every attempt: an address change is followed', async ({ env }) => {
    const target = splitConnectString(env.hosts).hosts[0]!;
    const [port] = await freePorts(1);
    const old = await forward('127.0.0.1', port!, target);
    let addresses = ['127.0.0.1'];
    const zk = await connect(`zk.test:${port}${env.chroot.path}`, { ...testOptions(), transport: resolving(() => addresses) });
    try {
      expect(old.accepted).toBe(1);
      // The server "moves" to 127.0.0.2: the old address stops answering, the name now resolves to the new one.
      const moved = await forward('127.0.0.2', port!, target);
      addresses = ['127.0.0.2'];
      await old.close();
      await waitFor(() => (moved.accepted > 0 && zk.state === 'connected' ? true : undefined), {
        timeoutMs: scaled(10_000),
        intervalMs: 10,
        what: 'a reconnect to the new address',
      });
      expect(await zk.exists('/')).not.toBeNull();
    } finally {
      await zk.close();
    }
  });
});
