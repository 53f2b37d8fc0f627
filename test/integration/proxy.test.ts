/**
 * The fault-injection proxy against a tiny in-test TCP server speaking a fake length-prefixed protocol
 * (first frame bare, later frames with ZooKeeper-shaped headers). No ZooKeeper needed.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy } from '../support/proxy/index.js';
import { FrameTap } from '../support/proxy/frame-tap.js';
import { eventually } from '../support/promises.js';
import { scaled } from '../support/zookeeper/timing.js';

/** Wakes waiters whenever something they may be waiting for has changed. */
class Signal {
  private readonly listeners = new Set<() => void>();

  notify(): void {
    for (const l of [...this.listeners]) l();
  }

  until(predicate: () => boolean, what: string, timeoutMs = scaled(5000)): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.listeners.add(check);
    });
  }
}

/** One end of a test connection: records what arrives and how the socket ends. */
class Peer {
  readonly socket: Socket;
  readonly signal = new Signal();
  connected = false;
  ended = false;
  closed = false;
  error: Error | undefined;
  private chunks: Buffer[] = [];
  private count = 0;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('connect', () => this.set(() => (this.connected = true)));
    socket.on('data', (chunk: Buffer) =>
      this.set(() => {
        this.chunks.push(chunk);
        this.count += chunk.length;
      }),
    );
    socket.on('end', () => this.set(() => (this.ended = true)));
    socket.on('error', (err) => this.set(() => (this.error = err)));
    socket.on('close', () => this.set(() => (this.closed = true)));
  }

  get received(): number {
    return this.count;
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  waitForBytes(n: number, timeoutMs?: number): Promise<void> {
    return this.signal.until(() => this.count >= n, `${n} bytes (have ${this.count})`, timeoutMs);
  }

  waitClosed(): Promise<void> {
    return this.signal.until(() => this.closed, 'close');
  }

  write(bytes: Uint8Array): void {
    if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.write(bytes);
  }

  private set(change: () => unknown): void {
    change();
    this.signal.notify();
  }
}

/** The in-test upstream: accepts connections and exposes each as a Peer. */
class FakeServer {
  readonly peers: Peer[] = [];
  readonly signal = new Signal();
  private readonly server: Server;

  private constructor(server: Server) {
    this.server = server;
    server.on('connection', (socket) => {
      this.peers.push(new Peer(socket));
      this.signal.notify();
    });
  }

  static async start(): Promise<FakeServer> {
    const fake = new FakeServer(createServer({ noDelay: true }));
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async peer(index: number): Promise<Peer> {
    await this.signal.until(() => this.peers.length > index, `server connection #${index}`);
    return this.peers[index]!;
  }

  async close(): Promise<void> {
    for (const p of this.peers) p.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// Everything a test opens is closed after it, even when it fails.
let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  const list = cleanups.reverse();
  cleanups = [];
  for (const c of list) await c();
});

async function setup(): Promise<{ server: FakeServer; proxy: FaultProxy }> {
  const server = await FakeServer.start();
  cleanups.push(() => server.close());
  const proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: server.port } });
  cleanups.push(() => proxy.close());
  return { server, proxy };
}

async function connect(port: number): Promise<Peer> {
  const peer = new Peer(createConnection({ host: '127.0.0.1', port, noDelay: true }));
  cleanups.push(() => void peer.socket.destroy());
  await peer.signal.until(() => peer.connected || peer.closed, 'client connect');
  return peer;
}

/** A client connected through the proxy, and the server side of that connection. */
async function pair(server: FakeServer, proxy: FaultProxy): Promise<{ client: Peer; upstream: Peer }> {
  const index = server.peers.length;
  const client = await connect(proxy.port);
  return { client, upstream: await server.peer(index) };
}

function frame(payload: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + payload.length);
  out.writeInt32BE(payload.length, 0);
  out.set(payload, 4);
  return out;
}

/** A ConnectRequest-sized first frame (45 bytes of payload). */
function firstFrame(): Buffer {
  return frame(randomBytes(45));
}

function request(xid: number, opcode: number, body: Uint8Array = new Uint8Array(0)): Buffer {
  const payload = Buffer.alloc(8 + body.length);
  payload.writeInt32BE(xid, 0);
  payload.writeInt32BE(opcode, 4);
  payload.set(body, 8);
  return frame(payload);
}

function reply(xid: number, body: Uint8Array = new Uint8Array(0)): Buffer {
  const payload = Buffer.alloc(16 + body.length);
  payload.writeInt32BE(xid, 0);
  payload.writeBigInt64BE(0x47n, 4);
  payload.writeInt32BE(0, 12);
  payload.set(body, 16);
  return frame(payload);
}

/** Writes `bytes` in pieces of the given sizes (cycled), pausing so they travel as separate chunks. */
async function writeSplit(peer: Peer, bytes: Uint8Array, sizes: number[]): Promise<void> {
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    peer.write(bytes.subarray(offset, offset + n));
    offset += n;
    await sleep(1);
  }
}

/** Run in a child process: traffic parked behind a 10-minute latency, then close(); the child must exit on its own. */
const exitScenario = `
import { createConnection, createServer } from 'node:net';
const { FaultProxy } = await import(${JSON.stringify(new URL('../support/proxy/index.ts', import.meta.url).href)});
const server = createServer((s) => { s.on('error', () => {}); s.write('parked'); });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: server.address().port } });
proxy.setLatency({ toServer: 600000, toClient: 600000 });
void proxy.cutAfterReplyTo(99);
void proxy.cutAfterBytes({ direction: 'toServer', bytes: 1000 });
const client = createConnection({ host: '127.0.0.1', port: proxy.port });
client.on('error', () => {});
const clientClosed = new Promise((r) => client.on('close', r));
client.write('parked');
await new Promise((r) => setTimeout(r, 200));
await proxy.close();
await clientClosed;
await new Promise((r) => server.close(r));
console.log('closed', proxy.connections);
`;

describe('proxy', () => {
  it('proxy - forwards bytes both ways unchanged, large payloads and arbitrary splits included', async () => {
    const { server, proxy } = await setup();
    const { client, upstream } = await pair(server, proxy);
    expect(proxy.address).toBe(`127.0.0.1:${proxy.port}`);

    // A 2 MiB frame is beyond jute.maxbuffer: the proxy must pass it through, not judge it.
    const up = Buffer.concat([firstFrame(), request(1, 5, randomBytes(2 * 1024 * 1024)), request(2, 4, randomBytes(9)), request(3, 11)]);
    const down = Buffer.concat([frame(randomBytes(37)), randomBytes(1024 * 1024 + 3)]);
    await Promise.all([writeSplit(client, up, [1, 7, 4096, 65_537, 300_001, 3]), writeSplit(upstream, down, [down.length])]);

    await upstream.waitForBytes(up.length);
    await client.waitForBytes(down.length);
    expect(upstream.bytes.equals(up)).toBe(true);
    expect(client.bytes.equals(down)).toBe(true);
    expect(proxy.connections).toBe(1);
    expect(proxy.accepted).toBe(1);
  });

  it('proxy - applies latency per direction and keeps byte order while it changes', async () => {
    const { server, proxy } = await setup();
    const { client, upstream } = await pair(server, proxy);

    proxy.setLatency({ toServer: 150 });
    let t0 = performance.now();
    client.write(Buffer.from('ping'));
    await upstream.waitForBytes(4);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(0.8 * 150);

    proxy.setLatency({ toClient: 200 });
    t0 = performance.now();
    upstream.write(Buffer.from('pong'));
    await client.waitForBytes(4);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(0.8 * 200);

    // Shrinking the delay mid-stream must not let later bytes overtake earlier ones. The pause after
    // each write lets the proxy take each piece as its own chunk, under the latency set just before it.
    const pieces: Buffer[] = [];
    for (let i = 0; i < 60; i++) {
      proxy.setLatency({ toServer: i % 3 === 0 ? 80 : i % 3 === 1 ? 0 : 20 });
      const piece = randomBytes(1 + (i % 17));
      pieces.push(piece);
      client.write(piece);
      await sleep(2);
    }
    const all = Buffer.concat(pieces);
    await upstream.waitForBytes(4 + all.length);
    expect(upstream.bytes.subarray(4).equals(all)).toBe(true);
  });

  it('proxy - black-hole delivers nothing and keeps connections open', async () => {
    const { server, proxy } = await setup();
    const { client, upstream } = await pair(server, proxy);
    client.write(Buffer.from('before'));
    await upstream.waitForBytes(6);

    proxy.blackhole(true);
    client.write(randomBytes(5000));
    upstream.write(randomBytes(5000));
    // A connection made during the black-hole is accepted but never connected through.
    const late = await connect(proxy.port);
    late.write(firstFrame());
    await sleep(scaled(300));

    expect(upstream.received).toBe(6);
    expect(client.received).toBe(0);
    expect(late.received).toBe(0);
    expect(server.peers.length).toBe(1);
    for (const p of [client, upstream, late]) {
      expect(p.ended || p.closed || p.error !== undefined).toBe(false);
    }
    expect(proxy.connections).toBe(2);

    // Lifted: new connections go through; the ones that lost bytes stay black-holed (documented).
    proxy.blackhole(false);
    const { client: fresh, upstream: freshUp } = await pair(server, proxy);
    fresh.write(Buffer.from('after'));
    await freshUp.waitForBytes(5);
    expect(freshUp.bytes.toString()).toBe('after');
    client.write(Buffer.from('more'));
    await sleep(scaled(100));
    expect(upstream.received).toBe(6);
    expect(client.closed || upstream.closed).toBe(false);
  });

  it('proxy - resetAll ends both sides of every connection', async () => {
    const { server, proxy } = await setup();
    const a = await pair(server, proxy);
    const b = await pair(server, proxy);
    expect(proxy.connections).toBe(2);

    proxy.resetAll();
    await Promise.all([a.client, a.upstream, b.client, b.upstream].map((p) => p.waitClosed()));
    await eventually(() => proxy.connections === 0, 5000, 'connections to drain', 5);
  });

  it('proxy - cutAfterBytes forwards exactly N more bytes, then closes', async () => {
    const { server, proxy } = await setup();

    // Client to server, armed after some traffic: "N more".
    const one = await pair(server, proxy);
    one.client.write(Buffer.from('0123456789'));
    await one.upstream.waitForBytes(10);
    const fired = proxy.cutAfterBytes({ direction: 'toServer', bytes: 1000 });
    const sent = randomBytes(5000);
    await writeSplit(one.client, sent, [333, 1, 2048]);
    await one.upstream.waitClosed();
    await one.client.waitClosed();
    await fired;
    expect(one.upstream.received).toBe(1010);
    expect(one.upstream.bytes.subarray(10).equals(sent.subarray(0, 1000))).toBe(true);

    // Server to client, armed before the connection exists: counts from its start.
    const cut = proxy.cutAfterBytes({ direction: 'toClient', bytes: 777 });
    const two = await pair(server, proxy);
    const down = randomBytes(3000);
    two.upstream.write(down);
    await two.client.waitClosed();
    await two.upstream.waitClosed();
    await cut;
    expect(two.client.received).toBe(777);
    expect(two.client.bytes.equals(down.subarray(0, 777))).toBe(true);
  });

  it('proxy - cutAfterReplyTo delivers that reply whole, nothing after it, then closes', async () => {
    const { server, proxy } = await setup();
    const fired = proxy.cutAfterReplyTo(2);
    const { client, upstream } = await pair(server, proxy);
    client.write(Buffer.concat([firstFrame(), request(1, 4), request(2, 4), request(3, 4)]));
    await upstream.waitForBytes(49 + 3 * 12);

    // The first server frame has no ReplyHeader: its leading int being 2 must not match.
    const first = frame(Buffer.from([0, 0, 0, 2, ...randomBytes(33)]));
    const delivered = Buffer.concat([first, reply(1, randomBytes(10)), reply(2, randomBytes(300))]);
    const after = Buffer.concat([reply(-1, randomBytes(20)), reply(3)]);
    const stream = Buffer.concat([delivered, after]);
    // Split so reply 2 spans chunks and its last chunk also carries the frames after it.
    const splitAt = [first.length + 5, delivered.length - 100, delivered.length + 10];
    let from = 0;
    for (const to of [...splitAt, stream.length]) {
      upstream.write(stream.subarray(from, to));
      from = to;
      await sleep(2);
    }

    await client.waitClosed();
    await fired;
    expect(client.bytes.equals(delivered)).toBe(true);
  });

  it('proxy - dropReplyTo swallows that reply whole, even split mid-header, then closes', async () => {
    const { server, proxy } = await setup();
    const fired = proxy.dropReplyTo(7);
    const { client, upstream } = await pair(server, proxy);

    const delivered = Buffer.concat([frame(randomBytes(37)), reply(6, randomBytes(40))]);
    const dropped = reply(7, randomBytes(50));
    const stream = Buffer.concat([delivered, dropped, reply(8)]);
    // The first cut leaves 6 bytes of reply 7 (prefix and half its xid) at the end of a chunk.
    const splitAt = [delivered.length + 6, delivered.length + 9];
    let from = 0;
    for (const to of [...splitAt, stream.length]) {
      upstream.write(stream.subarray(from, to));
      from = to;
      await sleep(2);
    }

    await client.waitClosed();
    await fired;
    expect(client.bytes.equals(delivered)).toBe(true);
  });

  it('proxy - counts client requests by opcode, frames split across chunks', async () => {
    const { server, proxy } = await setup();
    const { client, upstream } = await pair(server, proxy);
    const stream = Buffer.concat([
      firstFrame(),
      request(1, 4, Buffer.from('/a')),
      request(2, 4),
      request(3, 1, randomBytes(70_000)),
      request(-2, 11),
      request(4, 4, randomBytes(3)),
      request(5, 1),
      request(6, 101, randomBytes(5)),
      frame(randomBytes(3)), // too short for a RequestHeader: not a request
    ]);
    // Byte-by-byte over the first frames, then chunks holding several frames or a frame's middle.
    await writeSplit(client, stream.subarray(0, 70), [1, 2, 3]);
    await writeSplit(client, stream.subarray(70), [9, 40_000, 70_000, 5]);
    await upstream.waitForBytes(stream.length);

    expect(Object.fromEntries(proxy.requestCounts())).toEqual({ connect: 1, 4: 3, 1: 2, 11: 1, 101: 1 });
    proxy.resetCounts();
    expect(proxy.requestCounts().size).toBe(0);

    const second = await pair(server, proxy);
    second.client.write(Buffer.concat([firstFrame(), request(1, 3)]));
    await second.upstream.waitForBytes(49 + 12);
    expect(Object.fromEntries(proxy.requestCounts())).toEqual({ connect: 1, 3: 1 });
  });

  it('proxy - frame tap reports every header however the stream is split', () => {
    const lengths = [45, 8, 0, 3, 12, 70_000, 16, 1, 8];
    const frames = lengths.map((n) => frame(randomBytes(n)));
    const stream = Buffer.concat(frames);
    const expected: string[] = [];
    const starts: number[] = [];
    let at = 0;
    frames.forEach((f, i) => {
      const len = f.length - 4;
      starts.push(at);
      expected.push(`${i}@${at}+${len}:${f.subarray(4, 4 + Math.min(len, 8)).toString('hex')}`);
      at += f.length;
    });
    // Where a frame's head is still incomplete after `p` bytes, that frame's start; otherwise Infinity.
    const undecided = (p: number): number => {
      for (let i = 0; i < frames.length; i++) {
        const s = starts[i]!;
        const headEnd = s + 4 + Math.min(frames[i]!.length - 4, 8);
        if (p > s && p < headEnd) return s;
      }
      return Infinity;
    };

    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let trial = 0; trial < 200; trial++) {
      const seen: string[] = [];
      const tap = new FrameTap(8, {
        onFrame: (index, start, length, head) => seen.push(`${index}@${start}+${length}:${Buffer.from(head).toString('hex')}`),
      });
      let p = 0;
      for (let step = 0; p < stream.length && step < 100_000; step++) {
        const n = Math.min(stream.length - p, 1 + (rand(4) === 0 ? rand(30_000) : rand(12)));
        tap.push(stream.subarray(p, p + n));
        p += n;
        expect(tap.undecidedFrom).toBe(undecided(p));
      }
      expect(seen).toEqual(expected);
    }

    // A negative length means the stream is not framed: the tap goes quiet instead of throwing.
    const quiet: number[] = [];
    const tap = new FrameTap(8, { onFrame: (index) => quiet.push(index) });
    tap.push(Buffer.concat([request(1, 4), Buffer.from([0xff, 0xff, 0xff, 0xfe]), request(2, 4)]));
    expect(quiet).toEqual([0]);
    expect(tap.undecidedFrom).toBe(Infinity);
  });

  it('proxy - a side that closes or fails tears the connection down on both sides', async () => {
    const { server, proxy } = await setup();

    // Server FIN after data: the data still arrives (behind the latency), then the client sees the end.
    proxy.setLatency({ toClient: 50 });
    const a = await pair(server, proxy);
    a.upstream.socket.end(Buffer.from('last words'));
    await a.client.waitClosed();
    expect(a.client.bytes.toString()).toBe('last words');
    expect(a.client.ended).toBe(true);
    proxy.setLatency({});

    // Client dies: the server side closes.
    const b = await pair(server, proxy);
    b.client.socket.resetAndDestroy();
    await b.upstream.waitClosed();

    // Target not listening: the client is disconnected.
    const gone = await FakeServer.start();
    const deadPort = gone.port;
    await gone.close();
    const orphan = await FaultProxy.start({ target: { host: '127.0.0.1', port: deadPort } });
    cleanups.push(() => orphan.close());
    const c = await connect(orphan.port);
    await c.waitClosed();
    await eventually(() => proxy.connections === 0 && orphan.connections === 0, 5000, 'connections to drain', 5);
  });

  it('proxy - refuse(true) drops new connections at once', async () => {
    const { server, proxy } = await setup();
    proxy.refuse(true);
    const refused = await connect(proxy.port);
    await refused.waitClosed();
    expect(server.peers.length).toBe(0);
    expect(proxy.accepted).toBe(0);

    proxy.refuse(false);
    const { client, upstream } = await pair(server, proxy);
    client.write(Buffer.from('ok'));
    await upstream.waitForBytes(2);
  });

  it('proxy - close() ends every connection and leaves no socket or server open', async () => {
    const handles = (): Map<string, number> => {
      const m = new Map<string, number>();
      for (const r of process.getActiveResourcesInfo()) m.set(r, (m.get(r) ?? 0) + 1);
      return m;
    };
    const before = handles();

    const { server, proxy } = await setup();
    const a = await pair(server, proxy);
    const b = await pair(server, proxy);
    proxy.setLatency({ toServer: scaled(60_000), toClient: scaled(60_000) });
    a.client.write(Buffer.from('parked'));
    b.upstream.write(Buffer.from('parked'));
    const port = proxy.port;

    await Promise.all([proxy.close(), proxy.close()]);
    expect(proxy.connections).toBe(0);
    await Promise.all([a.client, a.upstream, b.client, b.upstream].map((p) => p.waitClosed()));
    await server.close();
    // The proxy stopped listening: a new connection is refused by the OS.
    const late = new Peer(createConnection({ host: '127.0.0.1', port }));
    await late.waitClosed();
    expect(late.connected).toBe(false);

    await sleep(10); // handles are released on the tick after 'close'
    const after = handles();
    for (const kind of ['TCPSocketWrap', 'TCPServerWrap']) {
      expect(after.get(kind) ?? 0, kind).toBeLessThanOrEqual(before.get(kind) ?? 0);
    }
  });

  it('proxy - close() lets the process exit while bytes are parked in the delay lines', async () => {
    // Timers are shared with the test runner, so the clean exit is checked in a child process.
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', exitScenario], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.on('error', () => {});
    const timer = setTimeout(() => child.kill('SIGKILL'), scaled(20_000));
    const code = await exited;
    clearTimeout(timer);
    expect(output).toContain('closed 0');
    expect(code).toBe(0);
  });
});
