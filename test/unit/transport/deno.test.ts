/**
 * The Deno adapter against a fake of the Deno namespace (createDenoTransport takes the API): the read
 * loop's copies out of its reused buffer, partial writes looped in order with one write in flight, the
 * high-water mark, close paths (idempotent, one `closed`, Interrupted swallowed), TLS, abort, and errors in
 * Node's shape. No Deno needed; the real socket is tested by the integration suite under ZKTS_RUNTIME=deno.
 */
import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../../../src/errors.js';
import {
  DENO_HIGH_WATER_MARK,
  type DenoApi,
  type DenoConn,
  type DenoTlsOptions,
  createDenoTransport,
} from '../../../src/transport/deno.js';
import type { TransportConnection, TransportSink } from '../../../src/transport/types.js';

/** Deno.errors.* are told apart by `name`; Deno 2 also sets Node's `code` on some. */
const denoError = (name: string, message: string, code?: string): Error => {
  const e = new Error(message);
  e.name = name;
  return code === undefined ? e : Object.assign(e, { code });
};

interface Deferred<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * A connection driven by the test: reads wait for `receive()`/`eof()`/`fail()`; each write takes at most
 * `capacity` bytes and completes when the test calls `complete()` (or at once with `autoComplete`).
 */
class FakeConn implements DenoConn {
  written: number[] = [];
  capacity = Infinity;
  autoComplete = true;
  inFlight = 0;
  maxInFlight = 0;
  closes = 0;
  noDelay = false;
  handshakes = 0;
  private reads: { buffer: Uint8Array; d: Deferred<number | null> }[] = [];
  private incoming: (Uint8Array | null | Error)[] = [];
  private writes: { data: Uint8Array; d: Deferred<number> }[] = [];
  private closed = false;

  read(buffer: Uint8Array): Promise<number | null> {
    if (this.closed) return Promise.reject(denoError('BadResource', 'Bad resource ID'));
    return new Promise((resolve, reject) => {
      this.reads.push({ buffer, d: { resolve, reject } });
      this.pump();
    });
  }

  write(data: Uint8Array): Promise<number> {
    if (this.closed) return Promise.reject(denoError('BadResource', 'Bad resource ID'));
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve, reject) => {
      this.writes.push({ data, d: { resolve, reject } });
      if (this.autoComplete) this.complete();
    });
  }

  /** Completes the oldest pending write with what `capacity` allows. */
  complete(): void {
    const w = this.writes.shift();
    if (w === undefined) return;
    const n = Math.min(w.data.length, this.capacity);
    this.written.push(...w.data.subarray(0, n));
    this.inFlight--;
    w.d.resolve(n);
  }

  failWrite(error: Error): void {
    const w = this.writes.shift();
    if (w === undefined) return;
    this.inFlight--;
    w.d.reject(error);
  }

  close(): void {
    if (this.closed) throw denoError('BadResource', 'Bad resource ID');
    this.closed = true;
    this.closes++;
    // As Deno does: whatever is pending rejects with Interrupted.
    for (const r of this.reads.splice(0)) r.d.reject(denoError('Interrupted', 'operation canceled', 'EINTR'));
    for (const w of this.writes.splice(0)) w.d.reject(denoError('Interrupted', 'operation canceled', 'EINTR'));
  }

  setNoDelay(noDelay = true): void {
    this.noDelay = noDelay;
  }

  handshake(): Promise<unknown> {
    this.handshakes++;
    return Promise.resolve({});
  }

  receive(bytes: Uint8Array): void {
    this.incoming.push(bytes);
    this.pump();
  }

  eof(): void {
    this.incoming.push(null);
    this.pump();
  }

  fail(error: Error): void {
    this.incoming.push(error);
    this.pump();
  }

  get pendingReads(): number {
    return this.reads.length;
  }

  private pump(): void {
    while (this.reads.length > 0 && this.incoming.length > 0) {
      const r = this.reads.shift()!;
      const next = this.incoming[0]!;
      if (next === null) return r.d.resolve(null);
      if (next instanceof Error) {
        this.incoming.shift();
        return r.d.reject(next);
      }
      const n = Math.min(next.length, r.buffer.length);
      r.buffer.set(next.subarray(0, n));
      if (n === next.length) this.incoming.shift();
      else this.incoming[0] = next.subarray(n);
      r.d.resolve(n);
    }
  }
}

/** The Deno namespace's fake: connects complete when the test says so. */
class FakeDeno implements DenoApi {
  dials: { options: unknown; d: Deferred<DenoConn> }[] = [];
  tls: { conn: DenoConn; options: DenoTlsOptions }[] = [];
  connectTlsCalls: unknown[] = [];
  dns: Record<string, { A?: string[]; AAAA?: string[] }> = { localhost: { A: ['127.0.0.1'], AAAA: ['::1'] }, v4only: { A: ['10.0.0.1'] } };

  connect(options: { hostname: string; port: number; transport: 'tcp' }): Promise<DenoConn> {
    return new Promise((resolve, reject) => void this.dials.push({ options, d: { resolve, reject } }));
  }

  startTls(conn: DenoConn, options: DenoTlsOptions): Promise<DenoConn> {
    this.tls.push({ conn, options });
    return Promise.resolve(conn);
  }

  connectTls(options: DenoTlsOptions & { port: number }): Promise<DenoConn> {
    this.connectTlsCalls.push(options);
    return Promise.resolve(new FakeConn());
  }

  resolveDns(query: string, recordType: 'A' | 'AAAA'): Promise<string[]> {
    const found = this.dns[query]?.[recordType];
    if (found === undefined) return Promise.reject(denoError('NotFound', `no records found for ${query}`));
    return Promise.resolve(found);
  }

  /** Completes the last dial with a new connection. */
  accept(): FakeConn {
    const conn = new FakeConn();
    this.dials.at(-1)!.d.resolve(conn);
    return conn;
  }
}

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

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};
const bytes = (n: number, from = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (from + i) % 256);

async function connected(deno = new FakeDeno()): Promise<{ deno: FakeDeno; fake: FakeConn; conn: TransportConnection }> {
  const pending = createDenoTransport(deno).connect({ host: '127.0.0.1', port: 2181 });
  const fake = deno.accept();
  return { deno, fake, conn: await pending };
}

describe('deno transport - reads', () => {
  it('deno transport - each chunk is a copy: the reused read buffer never changes what the sink kept', async () => {
    const { fake, conn } = await connected();
    const sink = recorder();
    conn.start(sink);
    fake.receive(bytes(10));
    await settle();
    fake.receive(Uint8Array.from({ length: 10 }, () => 0xee));
    await settle();
    expect(sink.chunks.map((c) => [...c])).toEqual([[...bytes(10)], new Array<number>(10).fill(0xee)]);
    expect(sink.chunks[0]!.buffer).not.toBe(sink.chunks[1]!.buffer);
  });

  it('deno transport - nothing is read before start(); EOF then closes once, with no error', async () => {
    const { fake, conn } = await connected();
    fake.receive(bytes(3));
    await settle();
    expect(fake.pendingReads).toBe(0);
    const sink = recorder();
    conn.start(sink);
    fake.eof();
    await settle();
    expect(sink.bytes()).toEqual([...bytes(3)]);
    expect(sink.closes).toEqual([undefined]);
    expect(fake.closes).toBe(1);
  });

  it('deno transport - a reset reads as on Node: read ECONNRESET, with the code', async () => {
    const { fake, conn } = await connected();
    const sink = recorder();
    conn.start(sink);
    fake.fail(denoError('ConnectionReset', 'Connection reset by peer (os error 104)', 'ECONNRESET'));
    await settle();
    expect(sink.closes.length).toBe(1);
    expect(sink.closes[0]).toMatchObject({ message: 'read ECONNRESET', code: 'ECONNRESET', syscall: 'read' });
  });

  it("deno transport - an error class with no code gets Node's code from its name", async () => {
    const { fake, conn } = await connected();
    const sink = recorder();
    conn.start(sink);
    fake.fail(denoError('ConnectionAborted', 'Software caused connection abort'));
    await settle();
    expect(sink.closes[0]).toMatchObject({ message: 'read ECONNABORTED', code: 'ECONNABORTED' });
  });

  it('deno transport - a throwing sink closes the connection with its error; nothing escapes the read loop', async () => {
    const { fake, conn } = await connected();
    const boom = new Error('boom');
    const closes: (Error | undefined)[] = [];
    conn.start({
      data: () => {
        throw boom;
      },
      closed: (e) => void closes.push(e),
    });
    fake.receive(bytes(1));
    await settle();
    expect(closes).toEqual([boom]);
    expect(fake.closes).toBe(1);
  });
});

describe('deno transport - writes', () => {
  it('deno transport - partial writes are looped to the end, one in flight, in call order', async () => {
    const { fake, conn } = await connected();
    fake.capacity = 3;
    fake.autoComplete = false;
    conn.write(bytes(10));
    conn.write(bytes(5, 10));
    conn.write(bytes(4, 15));
    expect(conn.bufferedAmount).toBe(19);
    for (let i = 0; i < 20 && fake.written.length < 19; i++) {
      fake.capacity = 3;
      fake.complete();
      await settle();
    }
    expect(fake.written).toEqual([...bytes(19)]);
    expect(fake.maxInFlight).toBe(1);
    expect(conn.bufferedAmount).toBe(0);
  });

  it('deno transport - write() is false above the high-water mark; drained() resolves once below it', async () => {
    const { fake, conn } = await connected();
    fake.autoComplete = false;
    expect(conn.write(bytes(DENO_HIGH_WATER_MARK - 1))).toBe(true);
    expect(conn.write(bytes(10))).toBe(false);
    let drained = false;
    void conn.drained().then(() => {
      drained = true;
    });
    fake.capacity = 5;
    fake.complete();
    await settle();
    expect(drained).toBe(false);
    fake.capacity = Infinity;
    fake.complete();
    await settle();
    expect(drained).toBe(true);
  });

  it('deno transport - a failed write closes the connection: write EPIPE', async () => {
    const { fake, conn } = await connected();
    const sink = recorder();
    conn.start(sink);
    fake.autoComplete = false;
    conn.write(bytes(4));
    fake.failWrite(denoError('BrokenPipe', 'Broken pipe (os error 32)', 'EPIPE'));
    await settle();
    expect(sink.closes.length).toBe(1);
    expect(sink.closes[0]).toMatchObject({ message: 'write EPIPE', code: 'EPIPE', syscall: 'write' });
  });

  it('deno transport - TCP_NODELAY is set', async () => {
    const { fake } = await connected();
    expect(fake.noDelay).toBe(true);
  });
});

describe('deno transport - close', () => {
  it('deno transport - close() is idempotent; pending ops end Interrupted, swallowed; one closed, no error', async () => {
    const { fake, conn } = await connected();
    const sink = recorder();
    conn.start(sink);
    fake.autoComplete = false;
    conn.write(bytes(DENO_HIGH_WATER_MARK + 1));
    let drained = false;
    void conn.drained().then(() => {
      drained = true;
    });
    conn.close();
    expect(sink.closes).toEqual([]);
    conn.close();
    await settle();
    expect(fake.closes).toBe(1);
    expect(sink.closes).toEqual([undefined]);
    expect(drained).toBe(true);
    expect(conn.bufferedAmount).toBe(0);
    expect(conn.write(bytes(1))).toBe(true);
    await settle();
    expect(sink.closes).toEqual([undefined]);
  });

  it('deno transport - closed before start(): start() reports the close', async () => {
    const { conn } = await connected();
    conn.close();
    const sink = recorder();
    conn.start(sink);
    expect(sink.closes).toEqual([undefined]);
  });
});

describe('deno transport - connect', () => {
  it('deno transport - refused reads as on Node: connect ECONNREFUSED host:port', async () => {
    const deno = new FakeDeno();
    const pending = createDenoTransport(deno).connect({ host: '127.0.0.1', port: 1 });
    const error = denoError('ConnectionRefused', 'Connection refused (os error 111)', 'ECONNREFUSED');
    deno.dials[0]!.d.reject(error);
    await expect(pending).rejects.toMatchObject({
      message: 'connect ECONNREFUSED 127.0.0.1:1',
      code: 'ECONNREFUSED',
      syscall: 'connect',
      cause: error,
    });
  });

  it('deno transport - a name that does not resolve reads as on Node: getaddrinfo ENOTFOUND', async () => {
    const deno = new FakeDeno();
    const pending = createDenoTransport(deno).connect({ host: 'nowhere.invalid', port: 2181 });
    deno.dials[0]!.d.reject(new Error('failed to lookup address information: Name or service not known'));
    await expect(pending).rejects.toMatchObject({ code: 'ENOTFOUND', syscall: 'getaddrinfo' });
  });

  it('deno transport - a permission error passes through as Deno raised it', async () => {
    const deno = new FakeDeno();
    const pending = createDenoTransport(deno).connect({ host: '127.0.0.1', port: 2181 });
    const error = denoError('NotCapable', 'Requires net access to "127.0.0.1:2181", run again with the --allow-net flag');
    deno.dials[0]!.d.reject(error);
    await expect(pending).rejects.toBe(error);
  });

  it('deno transport - TLS: TCP to the address, then startTls with the name it came from, handshake before connected', async () => {
    const deno = new FakeDeno();
    const pending = createDenoTransport(deno).connect({ host: '10.0.0.1', port: 2281, serverName: 'zk.example', tls: { ca: 'PEM' } });
    const fake = deno.accept();
    await pending;
    expect(deno.dials[0]!.options).toEqual({ hostname: '10.0.0.1', port: 2281, transport: 'tcp' });
    expect(deno.tls).toEqual([{ conn: fake, options: { hostname: 'zk.example', caCerts: ['PEM'] } }]);
    expect(fake.handshakes).toBe(1);
  });

  it('deno transport - TLS with a client certificate goes through connectTls; rejectUnauthorized: false is refused', async () => {
    const deno = new FakeDeno();
    await createDenoTransport(deno).connect({ host: 'zk.example', port: 2281, tls: { cert: 'C', key: 'K', servername: 'zk' } });
    expect(deno.connectTlsCalls).toEqual([{ hostname: 'zk', port: 2281, caCerts: undefined, cert: 'C', key: 'K' }]);
    await expect(
      createDenoTransport(deno).connect({ host: 'zk.example', port: 2281, tls: { rejectUnauthorized: false } }),
    ).rejects.toBeInstanceOf(UnsupportedError);
  });

  it('deno transport - abort while connecting rejects with the reason; the connection is closed when it arrives', async () => {
    const deno = new FakeDeno();
    const abort = new AbortController();
    const pending = createDenoTransport(deno).connect({ host: '127.0.0.1', port: 2181, signal: abort.signal });
    const reason = new Error('connect timed out');
    abort.abort(reason);
    await expect(pending).rejects.toBe(reason);
    const fake = deno.accept();
    await settle();
    expect(fake.closes).toBe(1);
  });

  it('deno transport - abort after connect closes the connection', async () => {
    const deno = new FakeDeno();
    const abort = new AbortController();
    const pending = createDenoTransport(deno).connect({ host: '127.0.0.1', port: 2181, signal: abort.signal });
    const fake = deno.accept();
    const conn = await pending;
    const sink = recorder();
    conn.start(sink);
    abort.abort(new Error('session over'));
    await settle();
    expect(fake.closes).toBe(1);
    expect(sink.closes).toEqual([undefined]);
  });

  it('deno transport - resolve without permission for DNS (--allow-net=host:port): the name is dialled as written', async () => {
    const deno = new FakeDeno();
    deno.resolveDns = () =>
      Promise.reject(denoError('NotCapable', 'Requires net access to "10.0.0.53:53", run again with the --allow-net flag'));
    expect(await createDenoTransport(deno).resolve('zk.example')).toEqual(['zk.example']);
  });

  it('deno transport - resolve: A then AAAA; one family missing is fine; none reads as on Node', async () => {
    const transport = createDenoTransport(new FakeDeno());
    expect(await transport.resolve('localhost')).toEqual(['127.0.0.1', '::1']);
    expect(await transport.resolve('v4only')).toEqual(['10.0.0.1']);
    await expect(transport.resolve('nowhere.invalid')).rejects.toMatchObject({
      message: 'getaddrinfo ENOTFOUND nowhere.invalid',
      code: 'ENOTFOUND',
    });
  });
});
