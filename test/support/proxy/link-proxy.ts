/**
 * A raw TCP proxy for server-to-server links (an ensemble's quorum and election connections), which can
 * partition the link and heal it. Unlike FaultProxy it knows nothing of client framing; the only bytes it
 * may touch are a connection's first ones, through `rewrite`.
 *
 * A cut behaves like a network partition that TCP rides out: nothing crosses in either direction, neither
 * bytes nor FIN nor reset, and a connection opened meanwhile reaches the target only after the heal;
 * the heal then delivers everything in the order it was sent. Held bytes are capped per connection; a
 * connection past the cap is destroyed, as TCP would give up on a partition that lasts long enough.
 * A target that refuses is dialled again for a few seconds before the accepted side is dropped: the
 * dialler already saw its connect succeed, so it cannot be told "refused" and retry by itself.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { LinkConnection, type LinkDirection, type LinkPolicy, type LinkTarget } from './link-connection.js';

export type { LinkDirection, LinkTarget } from './link-connection.js';

export interface LinkProxyOptions {
  /** Where connections go; a function is asked at each connection (so it may be set after listening). */
  target: LinkTarget | (() => LinkTarget);
  /** Rewrites the first bytes of each connection toward the target; return undefined to wait for more. */
  rewrite?: (head: Uint8Array) => Uint8Array | undefined;
  /** Per connection, both directions together (default 4 MiB). */
  maxHeldBytes?: number;
}

const DEFAULT_MAX_HELD_BYTES = 4 * 1024 * 1024;

export class LinkProxy {
  private readonly server: Server;
  private readonly conns = new Set<LinkConnection>();
  private readonly latency: Record<LinkDirection, number> = { toTarget: 0, fromTarget: 0 };
  private cutNow = false;
  private closing: Promise<void> | undefined;
  private readonly policy: LinkPolicy;

  private constructor(server: Server, options: LinkProxyOptions) {
    this.server = server;
    const { target } = options;
    this.policy = {
      isCut: () => this.cutNow,
      delayMs: (direction) => this.latency[direction],
      target: typeof target === 'function' ? target : () => target,
      rewrite: options.rewrite,
      maxHeldBytes: options.maxHeldBytes ?? DEFAULT_MAX_HELD_BYTES,
      closed: (conn) => void this.conns.delete(conn),
    };
    server.on('connection', (socket) => this.accept(socket));
  }

  /** Starts listening on 127.0.0.1 with an ephemeral port. */
  static async start(options: LinkProxyOptions): Promise<LinkProxy> {
    const server = createServer({ noDelay: true, allowHalfOpen: true });
    const proxy = new LinkProxy(server, options);
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

  /** "127.0.0.1:port". */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Connections open now (held ones included). */
  get connections(): number {
    return this.conns.size;
  }

  get isCut(): boolean {
    return this.cutNow;
  }

  /** Partitions the link: from now on everything is held, in order. Idempotent. */
  cut(): void {
    this.cutNow = true;
  }

  /** Delivers everything held, in order, and forwards again. Idempotent. */
  heal(): void {
    if (!this.cutNow) return;
    this.cutNow = false;
    for (const conn of this.conns) conn.release();
  }

  /**
   * Latency added to every chunk (and close) arriving from now on, in one direction or both; 0 removes
   * it. Order is kept: a chunk never overtakes an earlier one when the delay shrinks.
   */
  delay(ms: number, direction?: LinkDirection): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`delay must be a finite number >= 0, got ${ms}`);
    if (direction !== 'fromTarget') this.latency.toTarget = ms;
    if (direction !== 'toTarget') this.latency.fromTarget = ms;
  }

  /** Stops listening and destroys every connection, held bytes included. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
      const conns = [...this.conns];
      for (const conn of conns) conn.destroy();
      await Promise.all([stopped, ...conns.map((c) => c.done)]);
    })();
    return this.closing;
  }

  private accept(socket: Socket): void {
    socket.on('error', () => {});
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.conns.add(new LinkConnection(this.policy, socket));
  }
}
