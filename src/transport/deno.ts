/**
 * The Deno adapter: `Deno.connect`, `Deno.startTls` / `Deno.connectTls`, `Deno.resolveDns`; no node:*
 * module, and no permission beyond `--allow-net`.
 *
 * Deno's connection is pull-based: a read loop fills one reused buffer and hands the sink a copy of each
 * chunk (the sink keeps what it is given). `write()` may take only part of a buffer, so writes go through
 * one queue and one writer loop that writes the rest before the next chunk: bytes never interleave.
 * `close()` makes pending reads and writes reject with `Interrupted`; after a local close those are
 * expected and swallowed. Errors are given the shape Node's have (`connect ECONNREFUSED 127.0.0.1:2181`,
 * with `code` and `syscall`), so a connection loss reads the same on either runtime.
 */
import { UnsupportedError } from '../errors.js';
import { abortReason, closeOnAbort } from './shared/abort.js';
import { isIpAddress, remoteName } from './shared/address.js';
import { DrainWaiters } from './shared/drain-waiters.js';
import { SinkRelay } from './shared/sink-relay.js';
import type { Transport, TransportConnectOptions, TransportConnection, TransportSink, TransportTlsOptions } from './types.js';

// ---- the slice of Deno's API this adapter uses (the Deno namespace types are not a dependency) ----

export interface DenoConn {
  /** Bytes read into `buffer`, or null at EOF. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Bytes written, maybe fewer than given. */
  write(data: Uint8Array): Promise<number>;
  close(): void;
  setNoDelay?(noDelay?: boolean): void;
  /** TLS connections: completes the handshake (otherwise it happens on the first read or write). */
  handshake?(): Promise<unknown>;
}

export interface DenoTlsOptions {
  hostname?: string | undefined;
  caCerts?: string[] | undefined;
}

/** What the adapter needs from the `Deno` global; tests pass a fake. */
export interface DenoApi {
  connect(options: { hostname: string; port: number; transport: 'tcp' }): Promise<DenoConn>;
  startTls(conn: DenoConn, options: DenoTlsOptions): Promise<DenoConn>;
  connectTls(options: DenoTlsOptions & { port: number; cert?: string | undefined; key?: string | undefined }): Promise<DenoConn>;
  resolveDns(query: string, recordType: 'A' | 'AAAA'): Promise<string[]>;
}

/** `Deno` from globalThis, looked up when used, so that importing this module elsewhere is harmless. */
function denoGlobal(): DenoApi {
  const deno = (globalThis as { Deno?: DenoApi }).Deno;
  if (deno === undefined) throw new Error('denoTransport needs the Deno runtime (globalThis.Deno is missing)');
  return deno;
}

// Bound at call time: Deno's functions are called on `Deno`.
const runtimeApi: DenoApi = {
  connect: (options) => denoGlobal().connect(options),
  startTls: (conn, options) => denoGlobal().startTls(conn, options),
  connectTls: (options) => denoGlobal().connectTls(options),
  resolveDns: (query, recordType) => denoGlobal().resolveDns(query, recordType),
};

// ---- errors ----

/** Deno's error class names (Deno.errors.*) as Node's codes, for errors that carry no `code`. */
const NODE_CODES: Record<string, string> = {
  ConnectionRefused: 'ECONNREFUSED',
  ConnectionReset: 'ECONNRESET',
  ConnectionAborted: 'ECONNABORTED',
  BrokenPipe: 'EPIPE',
  TimedOut: 'ETIMEDOUT',
  AddrNotAvailable: 'EADDRNOTAVAIL',
  NotFound: 'ENOTFOUND',
};

/**
 * The runtime's error in Node's shape: message `<syscall> <CODE>[ <address>]`, `code`, `syscall`, and the
 * original as `cause`. Errors with no known code (a permission error, say) pass through.
 */
function socketError(error: unknown, syscall: string, address?: string): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  const own = (original as { code?: unknown }).code;
  let code = typeof own === 'string' ? own : NODE_CODES[original.name];
  let call = syscall;
  // A name that does not resolve: getaddrinfo's own message, no class of its own.
  if (code === undefined && /failed to lookup address/i.test(original.message)) {
    code = 'ENOTFOUND';
    call = 'getaddrinfo';
  }
  if (code === undefined) return original;
  const where = address ?? '';
  return Object.assign(new Error(`${call} ${code}${where === '' ? '' : ` ${where}`}`, { cause: original }), { code, syscall: call });
}

/** After close(), Deno rejects pending reads and writes with these: not failures of the connection. */
const isInterrupted = (error: unknown): boolean => error instanceof Error && (error.name === 'Interrupted' || error.name === 'BadResource');

// ---- the connection ----

/** Above this many queued bytes write() returns false. */
export const DENO_HIGH_WATER_MARK = 64 * 1024;
/** The read loop's reused buffer. */
const READ_SIZE = 64 * 1024;

class DenoConnection implements TransportConnection {
  readonly remote: string;
  private readonly conn: DenoConn;
  private readonly relay = new SinkRelay({
    sinkThrew: (error) => this.finish(error),
    // On a later tick, as Node does: close() may be called from inside the sink or a write.
    deferClosed: true,
  });
  private readonly drain = new DrainWaiters();
  /** Bytes accepted by write() and not yet written, oldest first; the head may be partly written. */
  private queue: Uint8Array[] = [];
  private queued = 0;
  private writing = false;
  private started = false;

  constructor(conn: DenoConn, remote: string) {
    this.conn = conn;
    this.remote = remote;
  }

  start(sink: TransportSink): void {
    if (this.started) return;
    this.started = true;
    this.relay.start(sink);
    // Nothing is read before start(): bytes wait in the kernel, which is the early-data buffer here.
    if (!this.relay.ended) void this.readLoop();
  }

  write(bytes: Uint8Array): boolean {
    if (this.relay.ended) return true;
    if (bytes.length > 0) {
      this.queue.push(bytes);
      this.queued += bytes.length;
      if (!this.writing) void this.writeLoop();
    }
    return this.queued < DENO_HIGH_WATER_MARK;
  }

  drained(): Promise<void> {
    if (this.relay.ended || this.queued < DENO_HIGH_WATER_MARK) return Promise.resolve();
    return this.drain.wait();
  }

  get bufferedAmount(): number {
    return this.queued;
  }

  close(): void {
    this.finish(undefined);
  }

  private async readLoop(): Promise<void> {
    const buffer = new Uint8Array(READ_SIZE);
    try {
      while (!this.relay.ended) {
        const n = await this.conn.read(buffer);
        if (this.relay.ended) return;
        if (n === null) break; // EOF
        if (n === 0) continue;
        // A copy: the buffer is read into again, while the sink may keep the chunk.
        if (!this.relay.data(buffer.slice(0, n))) return;
      }
      this.finish(undefined);
    } catch (err) {
      if (!this.relay.ended || !isInterrupted(err)) this.finish(socketError(err, 'read'));
    }
  }

  /** The only writer: one chunk at a time, each to its end, so partial writes never interleave. */
  private async writeLoop(): Promise<void> {
    this.writing = true;
    try {
      while (!this.relay.ended && this.queue.length > 0) {
        const head = this.queue[0]!;
        const n = await this.conn.write(head);
        if (this.relay.ended) return;
        this.queued -= n;
        if (n < head.length) this.queue[0] = head.subarray(n);
        else this.queue.shift();
        if (this.queued < DENO_HIGH_WATER_MARK) this.drain.wake();
      }
    } catch (err) {
      if (!this.relay.ended || !isInterrupted(err)) this.finish(socketError(err, 'write'));
    } finally {
      this.writing = false;
    }
  }

  private finish(error: Error | undefined): void {
    if (this.relay.ended) return;
    this.queue = [];
    this.queued = 0;
    this.relay.end(error);
    try {
      this.conn.close();
    } catch {
      // Already closed (BadResource).
    }
    this.drain.wake();
  }
}

// ---- connect ----

const closeQuietly = (conn: DenoConn | undefined): void => {
  try {
    conn?.close();
  } catch {
    // Already closed.
  }
};

/**
 * TCP to `host`, then TLS on it with the name to check (startTls keeps the address the session chose).
 * A client certificate needs connectTls, which dials the name it checks.
 */
async function dial(
  api: DenoApi,
  options: TransportConnectOptions,
  t: TransportTlsOptions | undefined,
  track: (conn: DenoConn) => void,
): Promise<DenoConn> {
  const { host, port } = options;
  const name = t?.servername ?? [options.serverName, host].find((n) => n !== undefined && n !== '' && !isIpAddress(n)) ?? host;
  const caCerts = t?.ca === undefined ? undefined : Array.isArray(t.ca) ? t.ca : [t.ca];
  let conn: DenoConn;
  if (t?.cert !== undefined || t?.key !== undefined) {
    conn = await api.connectTls({ hostname: name, port, caCerts, cert: t.cert, key: t.key });
    track(conn);
  } else {
    conn = await api.connect({ hostname: host, port, transport: 'tcp' });
    track(conn);
    try {
      conn.setNoDelay?.(true);
    } catch {
      // Best effort, as in the Node adapter.
    }
    if (t !== undefined) {
      conn = await api.startTls(conn, { hostname: name, caCerts });
      track(conn);
    }
  }
  // Fail on a bad certificate here, as connect, not on the first read.
  if (t !== undefined) await conn.handshake?.();
  return conn;
}

/** A Deno transport over `api` (the `Deno` global by default; tests pass a fake). */
export function createDenoTransport(api: DenoApi = runtimeApi): Transport & Required<Pick<Transport, 'resolve'>> {
  return {
    connect(options: TransportConnectOptions): Promise<TransportConnection> {
      const { host, port, signal } = options;
      const remote = remoteName(host, port);
      return new Promise<TransportConnection>((resolve, reject) => {
        if (signal?.aborted) {
          reject(abortReason(signal));
          return;
        }
        const t = options.tls === undefined || options.tls === false ? undefined : options.tls === true ? {} : options.tls;
        if (t?.rejectUnauthorized === false) {
          reject(new UnsupportedError('Deno cannot skip certificate checks per connection: pass the server CA as tls.ca'));
          return;
        }
        if (t?.verifyHostname === false) {
          reject(
            new UnsupportedError(
              'Deno cannot skip the certificate name check: set tls.servername to a name the server certificate carries',
            ),
          );
          return;
        }
        let settled = false;
        let current: DenoConn | undefined;
        const onAbort = (): void => {
          if (settled) return;
          settled = true;
          closeQuietly(current);
          reject(abortReason(signal));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        const track = (conn: DenoConn): void => {
          current = conn;
          if (settled) closeQuietly(conn); // aborted meanwhile
        };
        dial(api, options, t, track).then(
          (conn) => {
            if (settled) return closeQuietly(conn);
            settled = true;
            const connection = new DenoConnection(conn, remote);
            closeOnAbort(signal, onAbort, connection);
            resolve(connection);
          },
          (err: unknown) => {
            closeQuietly(current);
            if (settled) return;
            settled = true;
            signal?.removeEventListener('abort', onAbort);
            reject(socketError(err, 'connect', remote));
          },
        );
      });
    },

    /**
     * Deno.resolveDns, A then AAAA (it reads /etc/hosts first, as getaddrinfo does). A name with no
     * address of either family rejects. resolveDns needs net permission for the name server, which
     * `--allow-net=zk1:2181,...` does not give while Deno.connect still resolves those names itself: then
     * the name is its own only address, dialled as written.
     */
    async resolve(host: string): Promise<string[]> {
      const [v4, v6] = await Promise.allSettled([api.resolveDns(host, 'A'), api.resolveDns(host, 'AAAA')]);
      const addresses = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
      if (addresses.length > 0) return addresses;
      const reason: unknown = v4.status === 'rejected' ? v4.reason : v6.status === 'rejected' ? v6.reason : undefined;
      if (reason instanceof Error && (reason.name === 'NotCapable' || reason.name === 'PermissionDenied')) return [host];
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`, { cause: reason }), { code: 'ENOTFOUND', syscall: 'getaddrinfo' });
    },
  };
}

/** The transport `zkts/deno` uses by default. */
export const denoTransport: Transport & Required<Pick<Transport, 'resolve'>> = createDenoTransport();
