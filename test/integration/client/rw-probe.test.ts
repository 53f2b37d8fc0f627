/**
 * The read-write probe against a real server, over the Node transport: the shared standalone server
 * answers `isro` with "rw" (harness servers whitelist every four-letter word), a closed port and a
 * silent listener give undefined, and host rotation's endpoints can be probed as they are.
 */
import { createServer, type Socket } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { HostProvider } from '../../../src/session/hosts.js';
import { probeReadWrite } from '../../../src/session/rw-probe.js';
import { nodeTransport } from '../../../src/transport/node.js';
import { fourLetter, freePorts, scaled, splitConnectString } from '../../support/zookeeper/index.js';

const server = (): { host: string; port: number } => splitConnectString(inject('zkConnect')).hosts[0]!;

/** What the probe should say: 'rw' from harness servers; for ZK_CONNECT, whatever isro answers raw. */
async function expectedMode(host: string, port: number): Promise<string | undefined> {
  if (inject('zkHarness')) return 'rw';
  const raw = await fourLetter(host, port, 'isro', scaled(5000));
  return raw === 'rw' || raw === 'ro' ? raw : undefined; // "not in the whitelist" unless readonlymode.enabled
}

describe('read-write probe', () => {
  it('isro - the shared standalone server answers rw', async () => {
    const { host, port } = server();
    const mode = await probeReadWrite(nodeTransport, { host, port }, { timeoutMs: scaled(5000) });
    expect(mode).toBe(await expectedMode(host, port));
  });

  it('isro - every endpoint of a resolved pass can be probed', async () => {
    const hosts = splitConnectString(inject('zkConnect')).hosts;
    const provider = new HostProvider(hosts, { random: Math.random, resolve: (h) => nodeTransport.resolve(h) });
    const first = await provider.next();
    const endpoints = [first];
    while (endpoints.length < provider.size) endpoints.push(await provider.next());
    const modes = await Promise.all(endpoints.map((e) => probeReadWrite(nodeTransport, e, { timeoutMs: scaled(5000) })));
    expect(modes).toContain(await expectedMode(hosts[0]!.host, hosts[0]!.port));
  });

  it('isro - a closed port gives undefined', async () => {
    const [port] = await freePorts(1);
    const started = Date.now();
    expect(await probeReadWrite(nodeTransport, { host: '127.0.0.1', port: port! }, { timeoutMs: scaled(5000) })).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(scaled(5000)); // refused, not timed out
  });

  it('isro - a listener that never answers gives undefined at the timeout, and the probe hangs up', async () => {
    const sockets: Socket[] = [];
    const closed: Promise<void>[] = [];
    const silent = createServer((socket) => {
      sockets.push(socket);
      closed.push(new Promise((resolve) => socket.on('close', () => resolve())));
      socket.on('error', () => {});
      socket.resume(); // read "isro" and drop it, so the client's close is seen
    });
    await new Promise<void>((resolve) => silent.listen({ host: '127.0.0.1', port: 0 }, resolve));
    try {
      const address = silent.address();
      if (address === null || typeof address === 'string') throw new Error('unexpected listen address');
      const started = Date.now();
      const mode = await probeReadWrite(nodeTransport, { host: '127.0.0.1', port: address.port }, { timeoutMs: 300 });
      expect(mode).toBeUndefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(sockets).toHaveLength(1);
      await Promise.all(closed); // the probe closed its end
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
