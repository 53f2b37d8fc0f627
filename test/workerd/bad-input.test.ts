/**
 * The workerd transport against bad input, inside workerd (the servers run in Node: fault-control.ts):
 * a refused port, a host that never answers, a server that closes in the middle of a frame, TLS options
 * workerd cannot apply, and a 16 MiB pipelined write that must arrive whole and in order. Every failure
 * is typed and comes within the connect timeout; nothing hangs or escapes as an unhandled rejection
 * (vitest fails the run on one).
 */
import { describe, expect, inject, it } from 'vitest';
import {
  ConnectionLossError,
  NoHostsError,
  UnsupportedError,
  connect,
  workerdTransport,
  type TransportSink,
} from '../../src/entry/workers.js';
import { scaled, splitConnectString } from '../support/zookeeper/index.js';
import { control, errorOf, freePort, within } from './support/control.js';
import { controlApplied, FaultProxy } from './support/remote-fault-proxy.js';

const CONNECT_TIMEOUT = scaled(1500);

/** connect() must give up with NoHostsError after about `CONNECT_TIMEOUT`, not hang. */
async function expectNoHosts(connectString: string): Promise<void> {
  const started = Date.now();
  const err = await within(
    errorOf(connect(connectString, { connectTimeout: CONNECT_TIMEOUT, sessionTimeout: 10_000 })),
    10_000,
    'connect to give up',
  );
  expect(err).toBeInstanceOf(NoHostsError);
  expect(Date.now() - started).toBeLessThan(CONNECT_TIMEOUT + scaled(2000));
}

describe('workerd - bad input', () => {
  it('workerd - runs inside workerd, with src/entry/node.js bound to the Workers entry', async () => {
    expect(navigator.userAgent).toBe('Cloudflare-Workers');
    const node = await import('../../src/entry/node.js');
    expect('workerdTransport' in node).toBe(true);
  });

  it('workerd - a refused port: the transport rejects with ConnectionLossError, connect() with NoHostsError', async () => {
    const port = await freePort();
    const err = await within(errorOf(workerdTransport.connect({ host: '127.0.0.1', port })), 5000, 'the refused connect');
    expect(err).toBeInstanceOf(ConnectionLossError);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    await expectNoHosts(`127.0.0.1:${port}`);
  });

  it('workerd - a host that never answers: NoHostsError within the connect timeout', async () => {
    const proxy = await FaultProxy.start({ target: splitConnectString(inject('zkConnect')).hosts[0]! });
    try {
      proxy.blackhole(true);
      await controlApplied(); // this file's clients use the plain workerd transport, which does not wait for it
      await expectNoHosts(proxy.address);
    } finally {
      await proxy.close();
    }
  });

  it('workerd - a server that closes in the middle of the ConnectResponse: NoHostsError, no hang', async () => {
    const port = Number((await control('/hostile/mid-frame')).port);
    await expectNoHosts(`127.0.0.1:${port}`);
  });

  it('workerd - a close mid-frame is one closed() call at the transport, after the bytes that came', async () => {
    const port = Number((await control('/hostile/mid-frame')).port);
    const conn = await workerdTransport.connect({ host: '127.0.0.1', port });
    let received = 0;
    const closes: (Error | undefined)[] = [];
    const closed = new Promise<void>((resolve) => {
      conn.start({
        data: (chunk) => void (received += chunk.length),
        closed: (error) => {
          closes.push(error);
          resolve();
        },
      });
    });
    conn.write(new Uint8Array(48));
    await within(closed, 5000, 'the server to close');
    expect(received).toBe(14);
    conn.close();
    conn.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closes).toHaveLength(1);
  });

  it('workerd - TLS options workerd cannot apply are refused at once with UnsupportedError', async () => {
    const hosts = inject('zkConnect');
    for (const tls of [{ ca: 'PEM' }, { cert: 'PEM', key: 'PEM' }, { rejectUnauthorized: false }, { servername: 'zk.example' }]) {
      expect(await within(errorOf(connect(hosts, { tls })), 1000, 'the refusal')).toBeInstanceOf(UnsupportedError);
      const { host, port } = splitConnectString(hosts).hosts[0]!;
      expect(await errorOf(workerdTransport.connect({ host, port, tls }))).toBeInstanceOf(UnsupportedError);
    }
  });

  it('workerd - a 16 MiB pipelined write arrives whole and in order, with backpressure on the way', async () => {
    const total = 16 * 1024 * 1024;
    const chunk = 64 * 1024;
    const port = Number((await control('/hostile/sink', { bytes: total })).port);
    const conn = await workerdTransport.connect({ host: '127.0.0.1', port });
    const answer: Uint8Array[] = [];
    const closed = new Promise<Error | undefined>((resolve) => {
      const sink: TransportSink = { data: (c) => void answer.push(c), closed: resolve };
      conn.start(sink);
    });
    // Every chunk differs (its index in the first bytes), so a lost, repeated or reordered chunk changes the hash.
    const sent = new Uint8Array(total);
    for (let i = 0; i < total; i++) sent[i] = (i * 31 + (i >>> 16)) & 0xff;
    let refusals = 0;
    let peak = 0;
    for (let offset = 0; offset < total; offset += chunk) {
      if (!conn.write(sent.subarray(offset, offset + chunk))) {
        refusals++;
        peak = Math.max(peak, conn.bufferedAmount);
        await conn.drained();
      }
    }
    expect(await within(closed, 30_000, 'the sink to answer and close')).toBeUndefined();
    const reply = new Uint8Array(answer.reduce((n, c) => n + c.length, 0));
    answer.reduce((at, c) => (reply.set(c, at), at + c.length), 0);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', sent));
    expect(new TextDecoder().decode(reply.subarray(32))).toBe(String(total));
    expect([...reply.subarray(0, 32)]).toEqual([...digest]);
    expect(refusals).toBeGreaterThan(0);
    expect(peak).toBeGreaterThanOrEqual(64 * 1024);
    expect(conn.bufferedAmount).toBe(0);
  });

  it('workerd - 16 MiB of pipelined creates through the client arrive whole and in order', async () => {
    const zk = await connect(inject('zkConnect'), { sessionTimeout: 10_000 });
    try {
      const root = await zk.create(`/workerd-pipeline-${crypto.randomUUID()}`, null);
      const size = 512 * 1024;
      const values = Array.from({ length: 32 }, (_, i) => new Uint8Array(size).fill(i + 1));
      // All 32 requests are queued in one tick: the session pipelines them as one 16 MiB stream of frames.
      const created = await Promise.all(values.map((v, i) => zk.create(`${root}/n${String(i).padStart(2, '0')}`, v)));
      expect(created).toEqual(values.map((_, i) => `${root}/n${String(i).padStart(2, '0')}`));
      const read = await Promise.all(created.map((path) => zk.getData(path)));
      read.forEach((r, i) => {
        expect(r.data?.length).toBe(size);
        expect(r.data?.every((b) => b === i + 1)).toBe(true);
      });
      await Promise.all(created.map((path) => zk.delete(path)));
      await zk.delete(root);
    } finally {
      await zk.close();
    }
  });
});
