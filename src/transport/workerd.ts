/**
 * The Cloudflare Workers adapter (workerd): `connect()` from `cloudflare:sockets`.
 *
 * Reads: a loop over the socket's ReadableStream, buffered until start() as in the Node adapter.
 * Writes: workerd's WritableStream says nothing about backpressure through `ready` or `desiredSize` (both
 * stay ready while a 16 MiB write to a peer that does not read is still pending); only the promise each
 * `writer.write()` returns settles when the runtime has taken the bytes. So the adapter counts the bytes of
 * unsettled writes: that is `bufferedAmount`, write() returns false above the high-water mark, and
 * drained() waits for the promises to bring it back under.
 * Close: `socket.closed` may reject if it is first read after the socket closed, so a handler is attached
 * when the socket is made; close() is idempotent; the sink's `closed` is called exactly once.
 * Errors: workerd gives one generic message and no errno for a refused or denied connection, so every
 * failure becomes a ConnectionLossError carrying the runtime's error as `cause`.
 *
 * TLS: `secureTransport: 'on'`. Trust is configured per Worker, not per connection (the `network`
 * service's `tlsOptions` in workerd's config; NODE_EXTRA_CA_CERTS under miniflare and wrangler), and the
 * server name is the host dialed. So `ca`, `cert`, `key`, `rejectUnauthorized: false` and `servername`
 * cannot be honoured: they are refused with UnsupportedError, never ignored.
 *
 * No name resolution (`resolve` is left out): workerd has no DNS API, so names are dialed as written.
 * Nothing here runs at import time: workerd forbids I/O, timers and random values at global scope.
 */
import { connect as openSocket, type Socket } from 'cloudflare:sockets';
import { ConnectionLossError, UnsupportedError } from '../errors.js';
import { abortReason, closeOnAbort } from './shared/abort.js';
import { remoteName } from './shared/address.js';
import { DrainWaiters } from './shared/drain-waiters.js';
import { SinkRelay } from './shared/sink-relay.js';
import type { Transport, TransportConnectOptions, TransportConnection, TransportSink } from './types.js';

/** Bytes of unsettled writes above which write() returns false (Node's net default is 16 KiB). */
const HIGH_WATER_MARK = 64 * 1024;

function lost(what: string, err: unknown): Error {
  const cause = err instanceof Error ? err : new Error(String(err));
  return new ConnectionLossError(`${what}: ${cause.message}`, { cause });
}

class WorkerdConnection implements TransportConnection {
  readonly remote: string;
  private readonly socket: Socket;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly relay = new SinkRelay({ sinkThrew: () => this.close() });
  private readonly drain = new DrainWaiters();
  private closing = false;
  private buffered = 0;

  constructor(socket: Socket, remote: string) {
    this.socket = socket;
    this.remote = remote;
    this.writer = socket.writable.getWriter();
    // Each of these may reject when the socket fails; none may become an unhandled rejection.
    this.writer.closed.catch(() => undefined);
    this.writer.ready.catch(() => undefined);
    socket.closed.catch((err: unknown) => this.fail(lost(`connection to ${remote} failed`, err)));
  }

  /** Starts the read loop; called once the socket is open. */
  pump(): void {
    void this.readLoop();
  }

  start(sink: TransportSink): void {
    this.relay.start(sink);
  }

  write(bytes: Uint8Array): boolean {
    if (this.closing || this.relay.ended) return true;
    const n = bytes.byteLength;
    this.buffered += n;
    this.writer.write(bytes).then(
      () => this.settled(n),
      (err: unknown) => {
        this.settled(n);
        this.fail(lost(`write to ${this.remote} failed`, err));
      },
    );
    return this.buffered < HIGH_WATER_MARK;
  }

  drained(): Promise<void> {
    if (this.buffered < HIGH_WATER_MARK || this.relay.ended || this.closing) return Promise.resolve();
    return this.drain.wait();
  }

  get bufferedAmount(): number {
    return this.buffered;
  }

  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.drain.wake();
    let closing: Promise<void>;
    try {
      closing = this.socket.close();
    } catch {
      this.finish();
      return;
    }
    // A socket that has already closed may reject here; either way the connection is over.
    closing.then(
      () => this.finish(),
      () => this.finish(),
    );
  }

  private async readLoop(): Promise<void> {
    const reader = this.socket.readable.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || this.relay.ended) break;
        if (value.byteLength > 0) this.relay.data(value);
      }
    } catch (err) {
      if (!this.closing) this.relay.fail(lost(`connection to ${this.remote} failed`, err));
    } finally {
      this.finish();
    }
  }

  private settled(n: number): void {
    this.buffered -= n;
    if (this.buffered < HIGH_WATER_MARK) this.drain.wake();
  }

  /** A failure seen on `closed` or on a write: the first one is the reason, and the socket goes. */
  private fail(error: Error): void {
    if (this.closing || this.relay.ended) return;
    this.relay.fail(error);
    this.close();
  }

  private finish(): void {
    if (this.relay.ended) return;
    this.relay.end();
    this.drain.wake();
  }
}

/**
 * Throws UnsupportedError for TLS options workerd cannot apply per connection (see the header): a CA,
 * a client certificate, `rejectUnauthorized: false`, or a server name (workerd sends and checks the host dialed).
 */
export function checkWorkerdTls(tls: TransportConnectOptions['tls']): void {
  if (tls === undefined || typeof tls === 'boolean') return;
  const refused = [
    tls.ca !== undefined ? 'ca' : undefined,
    tls.cert !== undefined ? 'cert' : undefined,
    tls.key !== undefined ? 'key' : undefined,
    tls.rejectUnauthorized === false ? 'rejectUnauthorized: false' : undefined,
    tls.verifyHostname === false ? 'verifyHostname: false' : undefined,
    tls.servername !== undefined ? 'servername' : undefined,
  ].filter((o) => o !== undefined);
  if (refused.length === 0) return;
  throw new UnsupportedError(
    `workerd cannot apply TLS option${refused.length > 1 ? 's' : ''} ${refused.join(', ')} per connection: ` +
      'it trusts certificates configured for the Worker (workerd config tlsOptions, or NODE_EXTRA_CA_CERTS under ' +
      'wrangler and miniflare) and checks the certificate against the host dialed. Pass `tls: true` and configure trust there.',
  );
}

export const workerdTransport = {
  connect(options: TransportConnectOptions): Promise<TransportConnection> {
    const { host, port, signal } = options;
    return new Promise<TransportConnection>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const useTls = options.tls !== undefined && options.tls !== false;
      const remote = remoteName(host, port);
      let socket: Socket;
      let conn: WorkerdConnection;
      try {
        checkWorkerdTls(options.tls);
        socket = openSocket({ hostname: host, port }, { secureTransport: useTls ? 'on' : 'off', allowHalfOpen: false });
        conn = new WorkerdConnection(socket, remote);
      } catch (err) {
        reject(err instanceof UnsupportedError ? err : lost(`connect to ${remote} failed`, err));
        return;
      }
      let settled = false;
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        conn.close();
        reject(abortReason(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.opened.then(
        () => {
          if (settled) return;
          settled = true;
          closeOnAbort(signal, onAbort, conn);
          conn.pump();
          resolve(conn);
        },
        (err: unknown) => {
          conn.close();
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          reject(lost(`connect to ${remote} failed`, err));
        },
      );
    });
  },
} satisfies Transport;
