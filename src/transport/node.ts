/// <reference types="node" />
/**
 * The Node adapter (also used by Bun, and by Deno through its Node compatibility): node:net, node:tls.
 * TCP_NODELAY is set, as the Java client does: requests are small and latency-bound.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import { abortReason, closeOnAbort } from './shared/abort.js';
import { remoteName } from './shared/address.js';
import { DrainWaiters } from './shared/drain-waiters.js';
import { SinkRelay } from './shared/sink-relay.js';
import type { Transport, TransportConnectOptions, TransportConnection, TransportSink, TransportTlsOptions } from './types.js';

class NodeConnection implements TransportConnection {
  readonly remote: string;
  private readonly socket: net.Socket;
  private readonly relay: SinkRelay;
  private readonly drain = new DrainWaiters();

  constructor(socket: net.Socket, remote: string) {
    this.socket = socket;
    this.remote = remote;
    this.relay = new SinkRelay({ sinkThrew: () => socket.destroy() });
    socket.on('data', (chunk: Buffer) => {
      // A Buffer is a Uint8Array; hand it over as a plain view so nothing downstream relies on Buffer.
      this.relay.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    socket.on('drain', () => this.drain.wake());
    socket.on('error', (err) => this.relay.fail(err));
    socket.on('close', () => {
      this.relay.end();
      this.drain.wake();
    });
  }

  start(sink: TransportSink): void {
    this.relay.start(sink);
  }

  write(bytes: Uint8Array): boolean {
    if (this.relay.ended || this.socket.destroyed) return true;
    return this.socket.write(bytes);
  }

  drained(): Promise<void> {
    if (!this.socket.writableNeedDrain || this.relay.ended) return Promise.resolve();
    return this.drain.wait();
  }

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  close(): void {
    this.socket.destroy();
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
        reject(abortReason(signal));
        return;
      }
      const useTls = options.tls !== undefined && options.tls !== false;
      const socket = useTls
        ? tls.connect({ host, port, ...tlsOptions(host, options.serverName, options.tls as true | TransportTlsOptions) })
        : net.connect({ host, port });
      socket.setNoDelay(true);
      let settled = false;
      const onAbort = (): void => {
        socket.destroy();
        if (!settled) {
          settled = true;
          reject(abortReason(signal));
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
        const conn = new NodeConnection(socket, remoteName(host, port));
        closeOnAbort(signal, onAbort, conn);
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
