/**
 * In-process fault-injection TCP proxy for tests and benchmarks (faults are injected outside the client,
 * on the wire, never through hooks in it). Listens on 127.0.0.1:0 and forwards each accepted connection to
 * one target.
 *
 * It understands ZooKeeper framing only as far as rules need: the first client frame is the
 * ConnectRequest, later ones start with RequestHeader {xid, type}; the first server frame is the
 * ConnectResponse, later ones start with ReplyHeader {xid, ...}. With no rule armed, every chunk is
 * forwarded as it arrives (the taps only scan headers).
 *
 * Cut rules are one-shot: the first connection to reach one is cut, and the rule is gone. The promise a
 * rule returns resolves once the cut has happened; it never rejects (and stays pending if it never fires).
 */
import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { readInt32 } from './frame-tap.js';
import { ProxiedConnection } from './proxied-connection.js';
import type { CutOrder, CutRule, Direction, ProxyPolicy } from './proxied-connection.js';

export type { Direction } from './proxied-connection.js';

export interface ProxyTarget {
  host: string;
  port: number;
}

export interface FaultProxyOptions {
  target: ProxyTarget;
}

/** Per-direction delay in milliseconds; an omitted direction gets no delay. */
export interface Latency {
  toServer?: number;
  toClient?: number;
}

/** Key of requestCounts(): an opcode, or 'connect' for ConnectRequest frames. */
export type RequestKey = number | 'connect';

interface ReplyRule extends CutRule {
  xid: number;
  drop: boolean;
}

interface ByteRule extends CutRule {
  direction: Direction;
  bytes: number;
}

export class FaultProxy {
  private readonly server: Server;
  private readonly target: ProxyTarget;
  private readonly conns = new Set<ProxiedConnection>();
  private readonly counts = new Map<RequestKey, number>();
  private latency = { toServer: 0, toClient: 0 };
  private blackholed = false;
  private refusing = false;
  private acceptedCount = 0;
  private replyRules: ReplyRule[] = [];
  private dropRules = 0;
  private byteRules: ByteRule[] = [];
  private closing: Promise<void> | undefined;
  private readonly policy: ProxyPolicy;

  private constructor(server: Server, target: ProxyTarget) {
    this.server = server;
    this.target = { ...target };
    this.policy = {
      latencyMs: (direction) => this.latency[direction],
      isBlackholed: () => this.blackholed,
      holdsFrameHeads: (direction) => direction === 'toClient' && this.dropRules > 0,
      onFrame: (_conn, direction, index, start, length, head) => this.onFrame(direction, index, start, length, head),
      closed: (conn) => void this.conns.delete(conn),
    };
    server.on('connection', (socket) => this.accept(socket));
  }

  /** Starts listening on 127.0.0.1 with an ephemeral port. */
  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = createServer({ noDelay: true });
    const proxy = new FaultProxy(server, options.target);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => {});
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** "127.0.0.1:port", usable in a ZooKeeper connect string. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Connections currently open (either side not yet closed). */
  get connections(): number {
    return this.conns.size;
  }

  /** Connections accepted since start, refused ones excluded. */
  get accepted(): number {
    return this.acceptedCount;
  }

  /** Applies to bytes arriving from now on; bytes already queued keep their delay and their order. */
  setLatency(latency: Latency): void {
    this.latency = { toServer: checkDelay(latency.toServer ?? 0), toClient: checkDelay(latency.toClient ?? 0) };
  }

  /**
   * While on, bytes arriving in either direction are swallowed and nothing is delivered; connections stay
   * open. A connection that swallowed anything stays black-holed after this is turned off (its stream
   * lost bytes), as does one accepted while on (it is never connected to the target). Bytes already queued
   * by latency still land, and a side that closes still tears the connection down on both sides.
   */
  blackhole(on: boolean): void {
    this.blackholed = on;
  }

  /** While on, new connections are accepted and at once reset. */
  refuse(on: boolean): void {
    this.refusing = on;
  }

  /** Sends RST on both sockets of every open connection. */
  resetAll(): void {
    for (const conn of this.conns) conn.reset();
  }

  /**
   * Forwards exactly `bytes` more bytes in `direction` (counted per connection; a connection accepted later
   * counts from its start), then ends the receiving side after those bytes and closes the sending side.
   * Replaces an armed byte cut for the same direction.
   */
  cutAfterBytes(options: { direction: Direction; bytes: number }): Promise<void> {
    const { direction, bytes } = options;
    if (!Number.isInteger(bytes) || bytes < 1) throw new RangeError(`bytes must be a positive integer, got ${bytes}`);
    return new Promise((resolve) => {
      const rule: ByteRule = {
        direction,
        bytes,
        decided: () => {
          this.byteRules = this.byteRules.filter((r) => r !== rule);
          for (const conn of this.conns) conn.disarmByteCut(rule);
        },
        done: resolve,
      };
      for (const old of this.byteRules.filter((r) => r.direction === direction)) old.decided();
      this.byteRules.push(rule);
      for (const conn of this.conns) conn.armByteCut(direction, bytes, rule);
    });
  }

  /** Delivers the server's reply frame with this ReplyHeader.xid whole, then cuts; later frames are not delivered. */
  cutAfterReplyTo(xid: number): Promise<void> {
    return this.addReplyRule(xid, false);
  }

  /**
   * Swallows the server's reply frame with this xid and cuts; frames before it are delivered. While armed,
   * each reply is held until its first 8 bytes are in, so no part of the swallowed frame gets through.
   */
  dropReplyTo(xid: number): Promise<void> {
    return this.addReplyRule(xid, true);
  }

  /** Disarms every cut rule that has not fired (their promises stay pending). */
  clearRules(): void {
    this.replyRules = [];
    this.dropRules = 0;
    for (const rule of this.byteRules) rule.decided();
    this.byteRules = [];
  }

  /** Client frames seen (not black-holed, not past a cut), by opcode; ConnectRequests under 'connect'. */
  requestCounts(): Map<RequestKey, number> {
    return new Map(this.counts);
  }

  resetCounts(): void {
    this.counts.clear();
  }

  /** Stops listening and closes every connection. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const conn of this.conns) conn.destroy();
      await Promise.all([stopped, ...[...this.conns].map((c) => c.done)]);
    })();
    return this.closing;
  }

  private accept(client: Socket): void {
    if (this.refusing || this.closing) {
      client.on('error', () => {});
      client.resetAndDestroy();
      return;
    }
    this.acceptedCount++;
    let upstream: Socket | undefined;
    if (!this.blackholed) upstream = createConnection({ host: this.target.host, port: this.target.port, noDelay: true });
    const conn = new ProxiedConnection(this.policy, client, upstream);
    this.conns.add(conn);
    for (const rule of this.byteRules) conn.armByteCut(rule.direction, rule.bytes, rule);
  }

  private addReplyRule(xid: number, drop: boolean): Promise<void> {
    if (!Number.isInteger(xid) || xid < -0x80000000 || xid > 0x7fffffff) throw new RangeError(`xid must be an int32, got ${xid}`);
    return new Promise((resolve) => {
      this.replyRules.push({ xid, drop, decided: () => {}, done: resolve });
      if (drop) this.dropRules++;
    });
  }

  private onFrame(direction: Direction, index: number, start: number, length: number, head: Uint8Array): CutOrder | undefined {
    if (direction === 'toServer') {
      // Frames too short for a RequestHeader are not requests; nothing to count.
      if (index === 0) this.bump('connect');
      else if (length >= 8) this.bump(readInt32(head, 4));
      return undefined;
    }
    if (index === 0 || length < 4 || this.replyRules.length === 0) return undefined;
    const xid = readInt32(head, 0);
    const at = this.replyRules.findIndex((r) => r.xid === xid);
    if (at < 0) return undefined;
    const rule = this.replyRules[at]!;
    this.replyRules.splice(at, 1);
    if (rule.drop) this.dropRules--;
    return { at: rule.drop ? start : start + 4 + length, rule };
  }

  private bump(key: RequestKey): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}

function checkDelay(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency must be a finite number >= 0, got ${ms}`);
  return ms;
}
