/**
 * An in-memory Transport for unit tests: no sockets, no timers. The test plays the server. It decides
 * how each connect ends (accept, refuse, never answer), reads what the client wrote (decoded with the
 * codec), pushes reply bytes, applies backpressure, and closes connections with or without an error.
 *
 * Everything is synchronous except what the Transport contract makes asynchronous (connect resolves
 * and `closed` after a client-side close is delivered in a microtask, as a socket's would be).
 */
import type { ConnectRequest, ConnectResponse, WatcherEvent } from '../../src/protocol/records/session.js';
import { FrameSplitter } from '../../src/protocol/frame.js';
import { type Request, decodeConnectRequest, decodeRequest } from '../../src/protocol/requests.js';
import { type ResponseBodies, encodeConnectResponse, encodeReply, encodeWatcherEvent } from '../../src/protocol/responses.js';
import type { RequestOp } from '../../src/protocol/requests.js';
import type { Transport, TransportConnectOptions, TransportConnection, TransportSink } from '../../src/transport/types.js';
import { concatBytes } from './bytes.js';

export type ConnectOutcome = 'accept' | 'refuse' | 'hang';

export interface ConnectAttempt {
  readonly host: string;
  readonly port: number;
  readonly serverName: string | undefined;
  readonly signal: AbortSignal | undefined;
  outcome: ConnectOutcome;
}

export interface DecodedRequest {
  xid: number;
  request: Request;
}

/** A well-formed 16-byte session password for scripted ConnectResponses. */
export const TEST_PASSWORD = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

export class MemoryTransport implements Transport {
  readonly attempts: ConnectAttempt[] = [];
  readonly connections: MemoryConnection[] = [];
  /** Host name resolution, when a test wants the session to rotate over resolved addresses. */
  resolve?: ((host: string) => Promise<string[]>) | undefined;
  /** Decides how each connect ends; accepts everything unless the test says otherwise. */
  decide: (attempt: { host: string; port: number }, index: number) => ConnectOutcome = () => 'accept';
  /** The error a refused connect rejects with (default: Node's ECONNREFUSED). */
  refusal: (attempt: { host: string; port: number }) => Error = (a) => new Error(`connect ECONNREFUSED ${a.host}:${a.port}`);
  /** Told of each accepted connection before the client gets it (a scripted server attaches here). */
  onConnection?: ((conn: MemoryConnection) => void) | undefined;

  connect(options: TransportConnectOptions): Promise<TransportConnection> {
    const outcome = this.decide(options, this.attempts.length);
    const attempt: ConnectAttempt = {
      host: options.host,
      port: options.port,
      serverName: options.serverName,
      signal: options.signal,
      outcome,
    };
    this.attempts.push(attempt);
    if (outcome === 'refuse') return Promise.reject(this.refusal(options));
    return new Promise((resolve, reject) => {
      const signal = options.signal;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      if (outcome === 'hang') {
        // Never answers: only the caller's abort (its connect timeout) ends the attempt.
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        return;
      }
      const conn = new MemoryConnection(options.host, options.port);
      this.connections.push(conn);
      this.onConnection?.(conn);
      // After connect, aborting closes the connection (as the Node adapter does).
      signal?.addEventListener('abort', () => conn.close(), { once: true });
      resolve(conn);
    });
  }

  /** The newest connection; throws if there is none. */
  get last(): MemoryConnection {
    const conn = this.connections.at(-1);
    if (conn === undefined) throw new Error('no connection has been made');
    return conn;
  }
}

export class MemoryConnection implements TransportConnection {
  readonly host: string;
  readonly port: number;
  readonly remote: string;
  /** The bytes of every write() call, in order (copies). */
  readonly writes: Uint8Array[] = [];
  /** Told of each write() the connection takes, with the bytes (the copy kept in `writes`). */
  onWrite?: ((bytes: Uint8Array) => void) | undefined;
  /** close() was called by the client. */
  closedByClient = false;
  /** The connection is over (either side closed it). */
  ended = false;
  /** What write() returns: set false to report backpressure until `release()`. */
  private writable = true;
  private buffered = 0;
  private sink: TransportSink | undefined;
  private early: Uint8Array[] = [];
  private drainWaiters: (() => void)[] = [];

  constructor(host: string, port: number) {
    this.host = host;
    this.port = port;
    this.remote = `${host}:${port}`;
  }

  // ---- the client's side (TransportConnection) ----

  start(sink: TransportSink): void {
    if (this.sink !== undefined) throw new Error('start() called twice');
    this.sink = sink;
    const early = this.early;
    this.early = [];
    for (const chunk of early) sink.data(chunk);
  }

  write(bytes: Uint8Array): boolean {
    if (this.ended) return true; // a closed socket swallows writes, as node:net's does
    const copy = bytes.slice();
    this.writes.push(copy);
    this.onWrite?.(copy);
    if (!this.writable) this.buffered += bytes.length;
    return this.writable;
  }

  drained(): Promise<void> {
    if (this.writable || this.ended) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  get bufferedAmount(): number {
    return this.buffered;
  }

  close(): void {
    if (this.ended) return;
    this.closedByClient = true;
    this.end(undefined, true);
  }

  // ---- the test's side (the server) ----

  /** From now on write() reports backpressure. */
  block(): void {
    this.writable = false;
  }

  /** Ends backpressure and resolves drained(). */
  release(): void {
    this.writable = true;
    this.buffered = 0;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  /** Every frame payload the client wrote (without length prefixes). */
  frames(): Uint8Array[] {
    return new FrameSplitter(1 << 30).push(concatBytes(...this.writes));
  }

  /** The first frame, decoded as the ConnectRequest. */
  connectRequest(): ConnectRequest {
    const first = this.frames()[0];
    if (first === undefined) throw new Error('nothing written yet');
    return decodeConnectRequest(first);
  }

  /** Every frame after the ConnectRequest, decoded. */
  requests(): DecodedRequest[] {
    return this.frames()
      .slice(1)
      .map((f) => decodeRequest(f));
  }

  /** Requests other than pings. */
  calls(): DecodedRequest[] {
    return this.requests().filter((r) => r.request.op !== 'ping');
  }

  /** Delivers bytes to the client as one read; a single chunk is handed over as is, not copied. */
  push(...chunks: Uint8Array[]): void {
    if (this.ended) throw new Error('push on an ended connection');
    const bytes = chunks.length === 1 ? chunks[0]! : concatBytes(...chunks);
    if (this.sink === undefined) this.early.push(bytes);
    else this.sink.data(bytes);
  }

  /** Sends a ConnectResponse that accepts the session. */
  accept(response: Partial<ConnectResponse> = {}): void {
    this.push(connectResponse(response));
  }

  /** Sends a reply frame (header only when err != 0 or op is omitted). */
  reply<K extends RequestOp>(xid: number, zxid: bigint, err = 0, op?: K, body?: ResponseBodies[K]): void {
    this.push(encodeReply({ xid, zxid, err }, op, body));
  }

  notify(event: WatcherEvent): void {
    this.push(encodeWatcherEvent(event));
  }

  /** The server closes the connection, with `error` when it failed (reset) rather than ended. */
  serverClose(error?: Error): void {
    if (this.ended) return;
    this.end(error, false);
  }

  private end(error: Error | undefined, async: boolean): void {
    this.ended = true;
    this.release();
    const deliver = (): void => this.sink?.closed(error);
    if (async) queueMicrotask(deliver);
    else deliver();
  }
}

/** A ConnectResponse frame: by default session 0x1234 with TEST_PASSWORD and a 30 s timeout. */
export function connectResponse(response: Partial<ConnectResponse> = {}): Uint8Array {
  return encodeConnectResponse({
    protocolVersion: 0,
    timeOut: 30_000,
    sessionId: 0x1234n,
    passwd: TEST_PASSWORD,
    readOnly: false,
    ...response,
  });
}
