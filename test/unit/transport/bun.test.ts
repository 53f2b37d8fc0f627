/**
 * The Bun adapter against a fake of Bun.connect (createBunTransport takes the API): partial writes queued
 * and resumed on drain in order, the high-water mark, close paths (idempotent, one `closed`, never from
 * inside the caller's call), early data, TLS written to only after the handshake, abort, and errors in
 * Node's shape. No Bun needed; the real socket is tested by the integration suite under ZKTS_RUNTIME=bun.
 */
import { describe, expect, it } from 'vitest';
import {
  BUN_HIGH_WATER_MARK,
  type BunApi,
  type BunConnectOptions,
  type BunSocket,
  type BunSocketHandler,
  createBunTransport,
} from '../../../src/transport/bun.js';
import type { TransportConnection, TransportSink } from '../../../src/transport/types.js';

/** A socket whose kernel takes at most `capacity` bytes per write until drained by the test. */
class FakeSocket implements BunSocket {
  written: number[] = [];
  capacity = Infinity;
  dead = false;
  ends = 0;
  terminates = 0;
  noDelay = false;
  handler: BunSocketHandler;

  constructor(handler: BunSocketHandler) {
    this.handler = handler;
  }

  write(data: Uint8Array): number {
    if (this.dead) return -1;
    const n = Math.min(data.length, this.capacity);
    this.written.push(...data.subarray(0, n));
    this.capacity -= n;
    return n;
  }

  end(): void {
    this.ends++;
    this.closeNow();
  }

  terminate(): void {
    this.terminates++;
    this.closeNow();
  }

  setNoDelay(noDelay = true): boolean {
    this.noDelay = noDelay;
    return true;
  }

  /** As Bun 1.4.5 does: the close handler runs synchronously inside end()/terminate(). */
  closeNow(error?: Error): void {
    if (this.dead) return;
    this.dead = true;
    this.handler.close(this, error);
  }

  /** The kernel takes `bytes` more, and Bun says so. */
  drain(bytes: number): void {
    this.capacity = bytes;
    this.handler.drain(this);
  }
}

/** Bun.connect's fake: each call waits for the test to open it (or fail it). */
class FakeBun implements BunApi {
  calls: { options: BunConnectOptions; socket: FakeSocket; resolve: (s: BunSocket) => void; reject: (e: Error) => void }[] = [];
  lookups: string[] = [];
  addresses: Record<string, string[]> = { localhost: ['127.0.0.1', '::1'] };

  connect(options: BunConnectOptions): Promise<BunSocket> {
    return new Promise((resolve, reject) => {
      this.calls.push({ options, socket: new FakeSocket(options.socket), resolve, reject });
    });
  }

  lookup(host: string): Promise<string[]> {
    this.lookups.push(host);
    const found = this.addresses[host];
    if (found === undefined) return Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'DNS_ENOTFOUND' }));
    return Promise.resolve(found);
  }

  /** The last socket connects (TCP); for TLS, `handshake` completes it. */
  open(): FakeSocket {
    const call = this.calls.at(-1)!;
    call.socket.handler.open(call.socket);
    call.resolve(call.socket);
    return call.socket;
  }

  last(): FakeSocket {
    return this.calls.at(-1)!.socket;
  }
}

/** A sink that records everything. */
function recorder(): TransportSink & { chunks: Uint8Array[]; closes: (Error | undefined)[]; bytes(): number[] } {
  const chunks: Uint8Array[] = [];
  const closes: (Error | undefined)[] = [];
  return {
    chunks,
    closes,
    data: (chunk) => void chunks.push(chunk),
    closed: (error) => void closes.push(error),
    bytes: () => chunks.flatMap((c) => [...c]),
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
const bytes = (n: number, from = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (from + i) % 256);

async function connected(bun = new FakeBun()): Promise<{ bun: FakeBun; socket: FakeSocket; conn: TransportConnection }> {
  const pending = createBunTransport(bun).connect({ host: '127.0.0.1', port: 2181 });
  const socket = bun.open();
  return { bun, socket, conn: await pending };
}

describe('bun transport - writes', () => {
  it('bun transport - a partial write queues the rest; drain resumes it, in order, behind later writes', async () => {
    const { socket, conn } = await connected();
    socket.capacity = 10;
    expect(conn.write(bytes(25))).toBe(true);
    expect(socket.written).toEqual([...bytes(10)]);
    expect(conn.bufferedAmount).toBe(15);
    // Queued, not written, while earlier bytes wait: nothing may overtake them.
    socket.capacity = 100;
    expect(conn.write(bytes(5, 25))).toBe(true);
    expect(socket.written.length).toBe(10);
    expect(conn.bufferedAmount).toBe(20);
    socket.drain(7);
    expect(socket.written).toEqual([...bytes(17)]);
    socket.drain(1000);
    expect(socket.written).toEqual([...bytes(30)]);
    expect(conn.bufferedAmount).toBe(0);
    expect(conn.write(bytes(3, 30))).toBe(true);
    expect(socket.written).toEqual([...bytes(33)]);
  });

  it('bun transport - write() is false above the high-water mark; drained() resolves once below it', async () => {
    const { socket, conn } = await connected();
    socket.capacity = 0;
    expect(conn.write(bytes(BUN_HIGH_WATER_MARK - 1))).toBe(true);
    expect(conn.write(bytes(10))).toBe(false);
    let drained = false;
    void conn.drained().then(() => {
      drained = true;
    });
    socket.drain(5);
    await tick();
    expect(drained).toBe(false);
    socket.drain(10);
    await tick();
    expect(drained).toBe(true);
    expect(conn.bufferedAmount).toBe(BUN_HIGH_WATER_MARK - 6);
    await expect(conn.drained()).resolves.toBeUndefined();
  });

  it('bun transport - a dead socket (-1) closes the connection with EPIPE, after the write returned', async () => {
    const { socket, conn } = await connected();
    const sink = recorder();
    conn.start(sink);
    socket.dead = true;
    expect(conn.write(bytes(4))).toBe(true);
    expect(sink.closes).toEqual([]);
    await tick();
    expect(sink.closes.length).toBe(1);
    expect(sink.closes[0]).toMatchObject({ message: 'write EPIPE', code: 'EPIPE', syscall: 'write' });
    expect(socket.terminates).toBe(1);
  });

  it('bun transport - TCP_NODELAY is set', async () => {
    const { socket } = await connected();
    expect(socket.noDelay).toBe(true);
  });
});

describe('bun transport - reads and close', () => {
  it('bun transport - data before start() is kept and delivered first, then the close', async () => {
    const { socket, conn } = await connected();
    socket.handler.data(socket, bytes(3));
    socket.handler.data(socket, bytes(2, 3));
    socket.closeNow();
    const sink = recorder();
    conn.start(sink);
    expect(sink.bytes()).toEqual([...bytes(5)]);
    expect(sink.closes).toEqual([undefined]);
  });

  it('bun transport - close() is idempotent: one end(), one closed, delivered after close() returned', async () => {
    const { socket, conn } = await connected();
    const sink = recorder();
    conn.start(sink);
    socket.capacity = 0;
    conn.write(bytes(100_000));
    let drained = false;
    void conn.drained().then(() => {
      drained = true;
    });
    conn.close();
    expect(sink.closes).toEqual([]);
    conn.close();
    await tick();
    expect(socket.ends).toBe(1);
    expect(sink.closes).toEqual([undefined]);
    expect(drained).toBe(true);
    expect(conn.bufferedAmount).toBe(0);
    // Afterwards: writes are dropped, nothing is delivered, close stays a no-op.
    expect(conn.write(bytes(1))).toBe(true);
    socket.handler.data(socket, bytes(1));
    conn.close();
    await tick();
    expect(sink.chunks).toEqual([]);
    expect(sink.closes).toEqual([undefined]);
  });

  it('bun transport - a reset reads as on Node: read ECONNRESET, with the code', async () => {
    const { socket, conn } = await connected();
    const sink = recorder();
    conn.start(sink);
    socket.closeNow(Object.assign(new Error('ECONNRESET: connection reset by peer, read'), { code: 'ECONNRESET' }));
    await tick();
    expect(sink.closes.length).toBe(1);
    expect(sink.closes[0]).toMatchObject({ message: 'read ECONNRESET', code: 'ECONNRESET', syscall: 'read' });
    expect((sink.closes[0] as Error).cause).toBeInstanceOf(Error);
  });

  it('bun transport - a throwing sink closes the connection with its error; nothing escapes the handler', async () => {
    const { socket, conn } = await connected();
    const boom = new Error('boom');
    const closes: (Error | undefined)[] = [];
    conn.start({
      data: () => {
        throw boom;
      },
      closed: (e) => void closes.push(e),
    });
    expect(() => socket.handler.data(socket, bytes(1))).not.toThrow();
    await tick();
    expect(closes).toEqual([boom]);
    expect(socket.ends).toBe(1);
  });

  it('bun transport - a throwing closed() does not escape', async () => {
    const { socket, conn } = await connected();
    conn.start({
      data: () => {},
      closed: () => {
        throw new Error('boom');
      },
    });
    socket.closeNow();
    await tick();
  });
});

describe('bun transport - connect', () => {
  it('bun transport - refused reads as on Node: connect ECONNREFUSED host:port', async () => {
    const bun = new FakeBun();
    const pending = createBunTransport(bun).connect({ host: '127.0.0.1', port: 1 });
    const call = bun.calls[0]!;
    const error = Object.assign(new Error('Failed to connect'), { code: 'ECONNREFUSED', syscall: 'connect', errno: -111 });
    call.socket.handler.connectError(call.socket, error);
    call.reject(error);
    await expect(pending).rejects.toMatchObject({
      message: 'connect ECONNREFUSED 127.0.0.1:1',
      code: 'ECONNREFUSED',
      syscall: 'connect',
      cause: error,
    });
  });

  it('bun transport - the socket handler is per connection and asks for Uint8Array chunks', async () => {
    const { bun } = await connected();
    expect(bun.calls[0]!.options).toMatchObject({
      hostname: '127.0.0.1',
      port: 2181,
      tls: undefined,
      socket: { binaryType: 'uint8array' },
    });
  });

  it('bun transport - TLS: connected only after the handshake, checked against the name the address came from', async () => {
    const bun = new FakeBun();
    let done = false;
    const pending = createBunTransport(bun)
      .connect({ host: '10.0.0.1', port: 2281, serverName: 'zk.example', tls: { ca: 'PEM' } })
      .finally(() => {
        done = true;
      });
    const socket = bun.open();
    await tick();
    expect(done).toBe(false);
    expect(bun.calls[0]!.options.tls).toMatchObject({ ca: 'PEM', serverName: 'zk.example' });
    socket.handler.handshake(socket, true, null);
    const conn = await pending;
    conn.write(bytes(2));
    expect(socket.written).toEqual([0, 1]);
  });

  it('bun transport - TLS: an unauthorized certificate fails the connect with its code, and the socket goes', async () => {
    const bun = new FakeBun();
    const pending = createBunTransport(bun).connect({ host: 'zk.example', port: 2281, tls: true });
    const socket = bun.open();
    const error = Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    socket.handler.handshake(socket, false, error);
    await expect(pending).rejects.toMatchObject({
      message: 'unable to verify the first certificate',
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    expect(socket.terminates).toBe(1);
    expect(bun.calls[0]!.options.tls).toEqual({ serverName: 'zk.example' });
  });

  it('bun transport - a close before the handshake fails the connect', async () => {
    const bun = new FakeBun();
    const pending = createBunTransport(bun).connect({ host: '127.0.0.1', port: 2281, tls: true });
    const socket = bun.open();
    socket.closeNow();
    await expect(pending).rejects.toMatchObject({ message: 'connect ECONNRESET 127.0.0.1:2281', code: 'ECONNRESET' });
  });

  it('bun transport - abort while connecting rejects with the reason; the socket is closed when it opens', async () => {
    const bun = new FakeBun();
    const abort = new AbortController();
    const pending = createBunTransport(bun).connect({ host: '127.0.0.1', port: 2181, signal: abort.signal });
    const reason = new Error('connect timed out');
    abort.abort(reason);
    await expect(pending).rejects.toBe(reason);
    const socket = bun.open();
    expect(socket.terminates).toBe(1);
  });

  it('bun transport - an already aborted signal never dials', async () => {
    const bun = new FakeBun();
    const reason = new Error('stop');
    await expect(createBunTransport(bun).connect({ host: '127.0.0.1', port: 2181, signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason,
    );
    expect(bun.calls).toEqual([]);
  });

  it('bun transport - abort after connect closes the connection', async () => {
    const bun = new FakeBun();
    const abort = new AbortController();
    const pending = createBunTransport(bun).connect({ host: '127.0.0.1', port: 2181, signal: abort.signal });
    const socket = bun.open();
    const conn = await pending;
    const sink = recorder();
    conn.start(sink);
    abort.abort(new Error('session over'));
    await tick();
    expect(socket.ends).toBe(1);
    expect(sink.closes).toEqual([undefined]);
  });

  it('bun transport - Bun.connect throwing synchronously rejects', async () => {
    const api: BunApi = {
      connect: () => {
        throw Object.assign(new Error('bad port'), { code: 'ERR_INVALID_ARG' });
      },
      lookup: () => Promise.resolve([]),
    };
    await expect(createBunTransport(api).connect({ host: '127.0.0.1', port: -1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
  });

  it('bun transport - resolve: every address; an unknown name reads as on Node', async () => {
    const transport = createBunTransport(new FakeBun());
    expect(await transport.resolve('localhost')).toEqual(['127.0.0.1', '::1']);
    await expect(transport.resolve('nowhere.invalid')).rejects.toMatchObject({
      message: 'getaddrinfo ENOTFOUND nowhere.invalid',
      code: 'ENOTFOUND',
    });
  });
});
