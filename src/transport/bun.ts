/**
 * The Bun adapter: `Bun.connect` (and its TLS), no node:* module. Bun also runs the Node adapter through
 * its node:net; this one skips that layer.
 *
 * Bun's `write()` takes what the kernel accepts and returns the count (or -1 on a dead socket); it keeps
 * nothing. The rest is queued here, in order, and resumed on `drain`. With TLS, a write before the
 * handshake is lost, so connect resolves only after `handshake`. `end()` is a full close (`shutdown()` is
 * the half-close). Errors are given the shape Node's have (`connect ECONNREFUSED 127.0.0.1:2181`, with
 * `code` and `syscall`), so a connection loss reads the same on either runtime.
 */
import { abortReason, closeOnAbort } from './shared/abort.js';
import { isIpAddress, remoteName } from './shared/address.js';
import { DrainWaiters } from './shared/drain-waiters.js';
import { SinkRelay } from './shared/sink-relay.js';
import type { Transport, TransportConnectOptions, TransportConnection, TransportSink, TransportTlsOptions } from './types.js';

// ---- the slice of Bun's API this adapter uses (bun-types is not a dependency) ----

export interface BunSocket {
  /** Bytes the kernel took (maybe fewer than given), or -1 when the socket is closed. */
  write(data: Uint8Array): number;
  /** Full close; Bun calls the `close` handler (synchronously, as observed in 1.4.5). */
  end(): void;
  /** Close at once, dropping unsent data. */
  terminate(): void;
  setNoDelay?(noDelay?: boolean): boolean;
}

export interface BunSocketHandler {
  binaryType: 'uint8array';
  open(socket: BunSocket): void;
  handshake(socket: BunSocket, success: boolean, authorizationError: Error | null): void;
  data(socket: BunSocket, data: Uint8Array): void;
  drain(socket: BunSocket): void;
  /** The peer's FIN; without allowHalfOpen Bun closes the socket and `close` follows. */
  end(socket: BunSocket): void;
  error(socket: BunSocket, error: Error): void;
  close(socket: BunSocket, error?: Error): void;
  connectError(socket: BunSocket, error: Error): void;
}

export interface BunTlsOptions {
  ca?: string | string[] | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  serverName?: string | undefined;
  rejectUnauthorized?: boolean | undefined;
}

export interface BunConnectOptions {
  hostname: string;
  port: number;
  tls?: BunTlsOptions | undefined;
  socket: BunSocketHandler;
}

/** What the adapter needs from the `Bun` global; tests pass a fake. */
export interface BunApi {
  connect(options: BunConnectOptions): Promise<BunSocket>;
  /** Every address of a host name, in the resolver's order. */
  lookup(host: string): Promise<string[]>;
}

/** A transport that resolves names itself (host rotation then dials addresses). */
export type ResolvingTransport = Transport & Required<Pick<Transport, 'resolve'>>;

interface BunGlobal {
  connect(options: BunConnectOptions): Promise<BunSocket>;
  dns?: { lookup(host: string, options?: object): Promise<{ address: string }[]> };
}

/** `Bun` from globalThis, looked up when used, so that importing this module elsewhere is harmless. */
function bunGlobal(): BunGlobal {
  const bun = (globalThis as { Bun?: BunGlobal }).Bun;
  if (bun === undefined) throw new Error('bunTransport needs the Bun runtime (globalThis.Bun is missing)');
  return bun;
}

const runtimeApi: BunApi = {
  connect: (options) => bunGlobal().connect(options),
  async lookup(host) {
    const lookup = bunGlobal().dns?.lookup;
    if (lookup === undefined) throw new Error('Bun.dns.lookup is missing');
    const found = await lookup(host, {});
    return found.map((entry) => entry.address);
  },
};

// ---- errors ----

/** Bun's codes where they differ from Node's. */
const NODE_CODES: Record<string, string> = { DNS_ENOTFOUND: 'ENOTFOUND' };

/**
 * The runtime's error in Node's shape: message `<syscall> <CODE>[ <address>]`, `code`, `syscall`, and the
 * original as `cause`. Errors without a string code pass through.
 */
function socketError(error: unknown, syscall: string, address?: string): Error {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; syscall?: unknown };
  if (typeof e.code !== 'string') return error instanceof Error ? error : new Error(String(error));
  const code = NODE_CODES[e.code] ?? e.code;
  const call = typeof e.syscall === 'string' ? e.syscall : syscall;
  const where = address ?? '';
  return Object.assign(new Error(`${call} ${code}${where === '' ? '' : ` ${where}`}`, { cause: error }), { code, syscall: call });
}

function tlsError(error: Error | null): Error {
  if (error === null) return new Error('TLS handshake failed');
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? Object.assign(new Error(error.message, { cause: error }), { code }) : error;
}

// ---- the connection ----

/** Above this many queued bytes write() returns false (Bun's node:net uses the same high-water mark). */
export const BUN_HIGH_WATER_MARK = 64 * 1024;

class BunConnection implements TransportConnection {
  readonly remote: string;
  private socket: BunSocket | undefined;
  private readonly relay = new SinkRelay({
    sinkThrew: () => this.close(),
    // Bun calls `close` synchronously from end()/terminate(); deliver it on a later tick, as Node does.
    deferClosed: true,
  });
  private readonly drain = new DrainWaiters();
  /** Bytes accepted by write() that Bun has not taken yet, oldest first; only the head may be partial. */
  private queue: Uint8Array[] = [];
  private queued = 0;

  constructor(remote: string) {
    this.remote = remote;
  }

  attach(socket: BunSocket): void {
    this.socket = socket;
  }

  start(sink: TransportSink): void {
    this.relay.start(sink);
  }

  write(bytes: Uint8Array): boolean {
    const socket = this.socket;
    if (this.relay.ended || socket === undefined) return true;
    if (this.queue.length > 0) {
      this.queue.push(bytes);
      this.queued += bytes.length;
    } else {
      const n = socket.write(bytes);
      if (n < 0) {
        this.lost();
        return true;
      }
      if (n < bytes.length) {
        this.queue.push(n === 0 ? bytes : bytes.subarray(n));
        this.queued += bytes.length - n;
      }
    }
    return this.queued < BUN_HIGH_WATER_MARK;
  }

  drained(): Promise<void> {
    if (this.relay.ended || this.queued < BUN_HIGH_WATER_MARK) return Promise.resolve();
    return this.drain.wait();
  }

  get bufferedAmount(): number {
    return this.queued;
  }

  close(): void {
    if (this.relay.ended) return;
    const socket = this.socket;
    this.relay.discardUnread();
    this.finish(undefined);
    try {
      socket?.end();
    } catch {
      // Already closed underneath: nothing to do.
    }
  }

  // ---- from the socket handler ----

  onData(chunk: Uint8Array): void {
    this.relay.data(chunk);
  }

  /** Bun can take more: resume the queue, in order. */
  onDrain(): void {
    const socket = this.socket;
    if (this.relay.ended || socket === undefined) return;
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const n = socket.write(head);
      if (n < 0) {
        this.lost();
        return;
      }
      this.queued -= n;
      if (n < head.length) {
        this.queue[0] = head.subarray(n);
        break;
      }
      this.queue.shift();
    }
    if (this.queued < BUN_HIGH_WATER_MARK) this.drain.wake();
  }

  onError(error: Error): void {
    this.relay.fail(socketError(error, 'read'));
  }

  onClose(error: Error | undefined): void {
    this.finish(error === undefined ? undefined : socketError(error, 'read'));
  }

  // ---- internals ----

  /** write() saw -1: the socket died before its close callback reached us. */
  private lost(): void {
    this.relay.fail(socketError({ code: 'EPIPE' }, 'write'));
    const socket = this.socket;
    // Not from inside the caller's write(): the session must not see `closed` in the middle of a flush.
    queueMicrotask(() => {
      try {
        socket?.terminate();
      } catch {
        // Already gone.
      }
      this.finish(undefined);
    });
  }

  private finish(error: Error | undefined): void {
    if (this.relay.ended) return;
    this.queue = [];
    this.queued = 0;
    this.relay.end(error);
    this.drain.wake();
  }
}

// ---- connect ----

function bunTls(host: string, serverName: string | undefined, t: true | TransportTlsOptions): BunTlsOptions {
  // The certificate is checked against serverName: an address needs the name it was resolved from.
  const name = [serverName, host].find((n) => n !== undefined && n !== '' && !isIpAddress(n));
  if (t === true) return { serverName: name };
  // verifyHostname: false needs Bun's own rejection off; the handshake handler still rejects every other error.
  const rejectUnauthorized = t.verifyHostname === false ? false : t.rejectUnauthorized;
  return { ca: t.ca, cert: t.cert, key: t.key, serverName: t.servername ?? name, rejectUnauthorized };
}

/** A Bun transport over `api` (the `Bun` global by default; tests pass a fake). */
export function createBunTransport(api: BunApi = runtimeApi): ResolvingTransport {
  return {
    connect(options: TransportConnectOptions): Promise<TransportConnection> {
      const { host, port, signal } = options;
      return new Promise<TransportConnection>((resolve, reject) => {
        if (signal?.aborted) {
          reject(abortReason(signal));
          return;
        }
        const useTls = options.tls !== undefined && options.tls !== false;
        const tls = useTls ? bunTls(host, options.serverName, options.tls as true | TransportTlsOptions) : undefined;
        const remote = remoteName(host, port);
        // verifyHostname: false skips the name check only: Bun reports it after a verified chain.
        const asked = useTls && options.tls !== true ? (options.tls as TransportTlsOptions) : undefined;
        const skipName = asked?.verifyHostname === false;
        const verify = asked?.rejectUnauthorized !== false;
        const nameOnly = (error: Error | null): boolean =>
          skipName && (error as { code?: unknown } | null)?.code === 'ERR_TLS_CERT_ALTNAME_INVALID';
        const conn = new BunConnection(remote);
        let socket: BunSocket | undefined;
        let settled = false;
        let connected = false;
        let terminated = false;

        const terminate = (): void => {
          if (socket === undefined || terminated) return;
          terminated = true;
          try {
            socket.terminate();
          } catch {
            // Already closed.
          }
        };
        const fail = (error: Error): void => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          terminate();
          reject(error);
        };
        const ready = (): void => {
          if (settled) return;
          settled = true;
          connected = true;
          conn.attach(socket!);
          closeOnAbort(signal, onAbort, conn);
          resolve(conn);
        };
        const onAbort = (): void => fail(abortReason(signal));
        signal?.addEventListener('abort', onAbort, { once: true });

        // Every handler is guarded: an exception must never escape into Bun's event loop.
        const handler: BunSocketHandler = {
          binaryType: 'uint8array',
          open(s) {
            socket = s;
            if (settled) return terminate();
            try {
              s.setNoDelay?.(true);
            } catch {
              // Best effort, as in the Node adapter.
            }
            if (tls === undefined) ready();
          },
          handshake(s, success, authorizationError) {
            socket = s;
            if (tls === undefined || settled) return;
            if (verify && (!success || authorizationError !== null) && !nameOnly(authorizationError)) {
              fail(tlsError(authorizationError));
            } else ready();
          },
          data(_s, data) {
            if (connected) conn.onData(data);
          },
          drain() {
            if (connected) conn.onDrain();
          },
          end() {
            // Bun closes the socket now (no allowHalfOpen); `close` follows.
          },
          error(_s, error) {
            if (connected) conn.onError(error);
            else fail(socketError(error, 'connect', remote));
          },
          close(_s, error) {
            if (connected) conn.onClose(error);
            else fail(socketError(error ?? { code: 'ECONNRESET' }, 'connect', remote));
          },
          connectError(_s, error) {
            fail(socketError(error, 'connect', remote));
          },
        };
        let pending: Promise<BunSocket>;
        try {
          pending = api.connect({ hostname: host, port, tls, socket: handler });
        } catch (err) {
          fail(socketError(err, 'connect', remote));
          return;
        }
        pending.then(
          (s) => {
            socket ??= s;
            if (settled && !connected) terminate();
          },
          (err: unknown) => fail(socketError(err, 'connect', remote)),
        );
      });
    },

    /** Bun.dns.lookup (getaddrinfo, so /etc/hosts applies), every address in its order. */
    async resolve(host: string): Promise<string[]> {
      try {
        return await api.lookup(host);
      } catch (err) {
        throw socketError(err, 'getaddrinfo', host);
      }
    },
  };
}

/** The transport `zkts/bun` uses by default. */
export const bunTransport: ResolvingTransport = createBunTransport();
