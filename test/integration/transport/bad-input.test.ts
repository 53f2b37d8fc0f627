/**
 * Bad input and failures through the runtime's own transport (this file runs in the Node, Bun and Deno
 * suites: ZKTS_RUNTIME picks the entry, test/support/runtime): a refused connection, a host that accepts
 * and never answers (the fault proxy black-holes), a server that closes or resets in the middle of a
 * frame, and a 16 MiB pipelined write. Each ends with the same typed error on every runtime, within the
 * connect timeout (or, on an established session, the read timeout), never a hang and never an unhandled
 * rejection; the socket errors underneath read as Node's do (`connect ECONNREFUSED host:port`,
 * `read ECONNRESET`, with `code`). The 16 MiB arrive whole and in order.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ConnectionLossError,
  NoHostsError,
  type StateChange,
  type Transport,
  type ZooKeeper,
  connect,
  nodeTransport as runtimeTransport,
} from '../../../src/entry/node.js';
import { encodeConnectResponse, encodeReply } from '../../../src/protocol/responses.js';
import { FakeZooKeeperServer } from '../../support/fake-server.js';
import { FaultProxy } from '../../support/proxy/index.js';
import { type TestChroot, createChroot, freePorts, scaled, splitConnectString } from '../../support/zookeeper/index.js';

/** The connect timeout the client is given; every failure to connect must be reported within it (plus slack). */
const CONNECT_TIMEOUT = scaled(2000);
const SLACK = scaled(1500);
/** Short, so a silent server is noticed within 2/3 of it. */
const SESSION_TIMEOUT = 3000;

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
const clients: ZooKeeper[] = [];

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});

afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((zk) => zk.close()));
  // Two turns of the event loop, so that a rejection nobody handled has been reported by now.
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  const seen = unhandled;
  unhandled = [];
  expect(seen).toEqual([]);
});

/** connect() that must fail: its error and how long it took. */
async function failedConnect(connectString: string): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    const zk = await connect(connectString, { sessionTimeout: SESSION_TIMEOUT, connectTimeout: CONNECT_TIMEOUT });
    clients.push(zk);
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  throw new Error(`connect(${connectString}) succeeded`);
}

async function connected(connectString: string): Promise<ZooKeeper> {
  const zk = await connect(connectString, {
    sessionTimeout: SESSION_TIMEOUT,
    connectTimeout: scaled(10_000),
    requestTimeout: scaled(60_000),
  });
  clients.push(zk);
  return zk;
}

/** The error `promise` rejects with, and after how long; fails if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await promise;
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  throw new Error('expected a rejection');
}

/** The cause of the next `disconnected` state change (subscribe before causing it). */
function nextDisconnect(zk: ZooKeeper): Promise<Error | undefined> {
  return new Promise((resolve) => {
    const off = zk.onStateChange((change: StateChange) => {
      if (change.state !== 'disconnected') return;
      off();
      resolve(change.cause);
    });
  });
}

describe('bad input - connection refused', () => {
  it('bad input - the transport rejects as node:net does: connect ECONNREFUSED 127.0.0.1:port', async () => {
    const [port] = await freePorts(1);
    await expect(runtimeTransport.connect({ host: '127.0.0.1', port: port! })).rejects.toMatchObject({
      message: `connect ECONNREFUSED 127.0.0.1:${port}`,
      code: 'ECONNREFUSED',
      syscall: 'connect',
    });
  });

  it('bad input - connect() to a refusing host fails with NoHostsError within the connect timeout', async () => {
    const [port] = await freePorts(1);
    const { error, ms } = await failedConnect(`127.0.0.1:${port}`);
    expect(error).toBeInstanceOf(NoHostsError);
    expect(ms).toBeLessThan(CONNECT_TIMEOUT + SLACK);
  });
});

describe('bad input - a host that never answers', () => {
  let proxy: FaultProxy;

  beforeAll(async () => {
    proxy = await FaultProxy.start({ target: splitConnectString(inject('zkConnect')).hosts[0]! });
  });

  afterAll(async () => {
    await proxy?.close();
  });

  it('bad input - connect() through a black hole fails with NoHostsError within the connect timeout', async () => {
    proxy.blackhole(true);
    try {
      const { error, ms } = await failedConnect(proxy.address);
      expect(error).toBeInstanceOf(NoHostsError);
      expect(ms).toBeLessThan(CONNECT_TIMEOUT + SLACK);
    } finally {
      proxy.blackhole(false);
    }
  });

  it('bad input - a server that goes silent fails the pending request with ConnectionLossError within the read timeout', async () => {
    const zk = await connected(proxy.address);
    const lost = nextDisconnect(zk);
    proxy.blackhole(true);
    try {
      const { error, ms } = await rejection(zk.getData('/'));
      expect(error).toBeInstanceOf(ConnectionLossError);
      // 2/3 of the negotiated timeout (ClientCnxn's read timeout), checked on a tick of at most a second.
      expect(ms).toBeLessThan(zk.sessionTimeout + SLACK);
      expect((await lost)?.message).toMatch(/read timeout/);
    } finally {
      proxy.blackhole(false);
    }
  });
});

describe('bad input - a server that closes mid-frame', () => {
  let fake: FakeZooKeeperServer;

  beforeAll(async () => {
    fake = await FakeZooKeeperServer.start();
  });

  afterAll(async () => {
    await fake?.close();
  });

  afterEach(() => {
    fake.behaviour = {};
  });

  it('bad input - half a ConnectResponse, then FIN: NoHostsError within the connect timeout', async () => {
    fake.behaviour = {
      onConnect(conn) {
        const response = encodeConnectResponse({
          protocolVersion: 0,
          timeOut: SESSION_TIMEOUT,
          sessionId: 1n,
          passwd: new Uint8Array(16),
          readOnly: false,
        });
        conn.send(response.subarray(0, 10));
        conn.end();
      },
    };
    const { error, ms } = await failedConnect(fake.hostPort);
    expect(error).toBeInstanceOf(NoHostsError);
    expect(ms).toBeLessThan(CONNECT_TIMEOUT + SLACK);
  });

  it('bad input - half a reply, then FIN: the request fails with ConnectionLossError at once', async () => {
    const zk = await connected(fake.hostPort);
    fake.behaviour = {
      onRequest(conn, xid) {
        const reply = encodeReply({ xid, zxid: 1n, err: 0 });
        conn.send(reply.subarray(0, 4 + 6)); // the length and part of the header
        conn.end();
      },
    };
    const lost = nextDisconnect(zk);
    const { error, ms } = await rejection(zk.getData('/'));
    expect(error).toBeInstanceOf(ConnectionLossError);
    expect(ms).toBeLessThan(CONNECT_TIMEOUT);
    // A clean FIN carries no socket error on any runtime.
    expect((await lost)?.message).toMatch(/^connection to 127\.0\.0\.1:\d+ closed$/);
  });

  it('bad input - half a reply, then RST: ConnectionLossError, caused by read ECONNRESET as on Node', async () => {
    const zk = await connected(fake.hostPort);
    fake.behaviour = {
      onRequest(conn, xid) {
        const reply = encodeReply({ xid, zxid: 1n, err: 0 });
        conn.send(reply.subarray(0, 4 + 6));
        setTimeout(() => conn.destroy(), 20); // after the bytes went out: RST
      },
    };
    const lost = nextDisconnect(zk);
    const { error, ms } = await rejection(zk.getData('/'));
    expect(error).toBeInstanceOf(ConnectionLossError);
    expect(ms).toBeLessThan(CONNECT_TIMEOUT);
    const cause = await lost;
    expect(cause).toMatchObject({ message: 'read ECONNRESET', code: 'ECONNRESET' });
    expect((error as Error).cause).toBe(cause);
  });
});

describe('bad input - 16 MiB of pipelined writes', () => {
  let chroot: TestChroot;

  beforeAll(async () => {
    chroot = await createChroot(inject('zkConnect'), 'bad-input-16mib', { superUser: inject('zkHarness') });
  });

  afterAll(async () => {
    await chroot?.cleanup();
  });

  it('bad input - 32 setData of 512 KiB, issued at once, arrive whole and in call order', async () => {
    const COUNT = 32;
    const SIZE = 512 * 1024; // under jute.maxbuffer (1 MiB)
    // The runtime's transport, watched: the test must have pushed it past what the socket took at once.
    let maxBuffered = 0;
    let refused = 0;
    const transport: Transport = {
      async connect(options) {
        const conn = await runtimeTransport.connect(options);
        return {
          start: (sink) => conn.start(sink),
          write(bytes) {
            const ok = conn.write(bytes);
            maxBuffered = Math.max(maxBuffered, conn.bufferedAmount);
            if (!ok) refused++;
            return ok;
          },
          drained: () => conn.drained(),
          get bufferedAmount() {
            return conn.bufferedAmount;
          },
          close: () => conn.close(),
          remote: conn.remote,
        };
      },
    };
    const zk = await connect(chroot.connectString, { sessionTimeout: SESSION_TIMEOUT, requestTimeout: scaled(60_000), transport });
    clients.push(zk);
    const paths = Array.from({ length: COUNT }, (_, i) => `/n${String(i).padStart(2, '0')}`);
    await Promise.all(paths.map((p) => zk.create(p, null)));
    // Every payload distinct and position-dependent, so a lost, repeated or interleaved piece shows.
    const payload = (i: number): Uint8Array => {
      const bytes = new Uint8Array(SIZE);
      const view = new DataView(bytes.buffer);
      for (let off = 0; off < SIZE; off += 4) view.setUint32(off, (i * SIZE + off) >>> 0);
      return bytes;
    };
    const payloads = paths.map((_, i) => payload(i));
    // All 16 MiB enqueued synchronously, far above any socket buffer: the partial-write paths run.
    const writes = paths.map((p, i) => zk.setData(p, payloads[i]!, { version: 0 }));
    const stats = await Promise.all(writes);
    expect(maxBuffered, 'bytes the transport had to queue').toBeGreaterThan(0);
    expect(refused, 'writes refused above the high-water mark').toBeGreaterThan(0);
    // In call order: the server applied them in the order they were sent.
    for (let i = 1; i < COUNT; i++) expect(stats[i]!.mzxid > stats[i - 1]!.mzxid, `write ${i} after write ${i - 1}`).toBe(true);
    // Whole: read back (16 MiB through the read path too) and compare byte for byte.
    const reads = await Promise.all(paths.map((p) => zk.getData(p)));
    for (let i = 0; i < COUNT; i++) {
      const got = reads[i]!.data!;
      expect(got.length, paths[i]).toBe(SIZE);
      expect(Buffer.compare(got, payloads[i]!), `${paths[i]} content`).toBe(0);
    }
  });
});
