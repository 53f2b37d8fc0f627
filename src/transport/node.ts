/// <reference types="node" />
/**
 * The Node adapter (also used by Bun, and by Deno through its Node compatibility): node:net, node:tls.
 * TCP_NODELAY is set, as the Java client does: requests are small and latency-bound.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { Transport, TransportConnectOptions, TransportConnection, TransportSink, TransportTlsOptions } from './types.js';

class NodeConnection implements TransportConnection {
  private sink: TransportSink | undefined;
  private early: Uint8Array[] = [];
  private endError: Error | undefined;
  private ended = false;
  private drainWaiters: (() => void)[] = [];
  readonly remote: string;
  private readonly socket: net.Socket;

  constructor(socket: net.Socket, remote: string) {
    this.socket = socket;
    this.remote = remote;
    socket.on('data', (chunk: Buffer) => {
      // A Buffer is a Uint8Array; hand it over as a plain view so nothing downstream relies on Buffer.
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (this.sink === undefined) this.early.push(bytes);
      else this.deliver(bytes);
    });
    socket.on('drain', () => this.wakeDrain());
    socket.on('error', (err) => {
      this.endError ??= err;
    });
    socket.on('close', () => this.finish());
  }

  start(sink: TransportSink): void {
    if (this.sink !== undefined) return;
    this.sink = sink;
    const early = this.early;
    this.early = [];
    for (const chunk of early) this.deliver(chunk);
    if (this.ended) this.notifyClosed();
  }

  write(bytes: Uint8Array): boolean {
    if (this.ended || this.socket.destroyed) return true;
    return this.socket.write(bytes);
  }

  drained(): Promise<void> {
    if (!this.socket.writableNeedDrain || this.ended) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  close(): void {
    this.socket.destroy();
  }

  private deliver(bytes: Uint8Array): void {
    try {
      this.sink!.data(bytes);
    } catch (err) {
      // A sink must not throw; if it does, the connection is no longer trustworthy.
      this.endError ??= err instanceof Error ? err : new Error(String(err));
      this.socket.destroy();
    }
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.wakeDrain();
    if (this.sink !== undefined) this.notifyClosed();
  }

  private notifyClosed(): void {
    const sink = this.sink!;
    try {
      sink.closed(this.endError);
    } catch {
      // Nothing can be done with a throwing sink at this point; never let it escape a socket callback.
    }
  }

  private wakeDrain(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}

function tlsOptions(host: string, serverName: string | undefined, t: true | TransportTlsOptions): tls.ConnectionOptions {
  // Node checks the certificate against servername when set, else host: an address needs the name.
  const name = [serverName, host].find((n) => n !== undefined && n !== '' && !net.isIP(n));
  if (t === true) return { servername: name };
  return {
    ca: t.ca,
    cert: t.cert,
    key: t.key,
    servername: t.servername ?? name,
    rejectUnauthorized: t.rejectUnauthorized,
    // The chain is still verified; only the name check is skipped (see TransportTlsOptions).
    ...(t.verifyHostname === false ? { checkServerIdentity: () => undefined } : {}),
  };
}

/** The Node transport (`node:net`, `node:tls`, `node:dns`): the default of `connect` from `zkts`. */
export const nodeTransport = {
  /** Opens a TCP (or TLS) connection; rejects with Node's socket error. */
  connect(options: TransportConnectOptions): Promise<TransportConnection> {
    const { host, port, signal } = options;
    return new Promise<TransportConnection>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason ?? new Error('aborted'));
        return;
      }
      const useTls = options.tls !== undefined && options.tls !== false;
      const socket = useTls
        ? tls.connect({ host, port, ...tlsOptions(host, options.serverName, options.tls as true | TransportTlsOptions) })
        : net.connect({ host, port });
      socket.setNoDelay(true);
      const remote = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      let settled = false;
      const onAbort = (): void => {
        socket.destroy();
        if (!settled) {
          settled = true;
          reject(signal?.reason ?? new Error('aborted'));
        }
      };
      const onError = (err: Error): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(err);
      };
      socket.once('error', onError);
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once(useTls ? 'secureConnect' : 'connect', () => {
        if (settled) return;
        settled = true;
        socket.off('error', onError);
        const conn = new NodeConnection(socket, remote);
        if (signal !== undefined) {
          // After connect, aborting closes the connection.
          signal.removeEventListener('abort', onAbort);
          signal.addEventListener('abort', () => conn.close(), { once: true });
        }
        resolve(conn);
      });
    });
  },

  /** getaddrinfo through the libuv pool, as Java's InetAddress.getAllByName; /etc/hosts applies. */
  async resolve(host: string): Promise<string[]> {
    const found = await lookup(host, { all: true });
    return found.map((entry) => entry.address);
  },
} satisfies Transport;
