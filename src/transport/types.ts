/**
 * The transport interface: bytes only, no ZooKeeper knowledge. One adapter per runtime implements it
 * (node.ts for Node and Bun); the session layer sees nothing else.
 *
 * Reads are pushed to a sink rather than pulled through an async iterator: a ZooKeeper reply is often a
 * single small chunk, and a promise per chunk would sit on the lock hand-off path for no benefit.
 * Adapters for pull-based runtimes (ReadableStream) pump into the same sink.
 */

export interface TransportConnectOptions {
  host: string;
  port: number;
  /**
   * The name `host` was resolved from, when the caller resolved it (host rotation dials addresses): the
   * default TLS server name (SNI and certificate check), so certificates issued for the name still match.
   */
  serverName?: string | undefined;
  /** TLS to the server's secureClientPort; `true` uses the runtime's defaults. */
  tls?: boolean | TransportTlsOptions | undefined;
  /** Aborting cancels a pending connect (the promise rejects) or closes an open connection. */
  signal?: AbortSignal | undefined;
}

/** TLS settings a transport applies: trust (`ca`), a client certificate, the server name, verification. */
export interface TransportTlsOptions {
  /** PEM CA certificates to trust instead of the defaults. */
  ca?: string | string[];
  /** PEM client certificate and key, for x509 auth. */
  cert?: string;
  key?: string;
  /** Server name for SNI and certificate checks; defaults to `serverName`, then to host (unless an IP). */
  servername?: string;
  /**
   * Check that the server certificate is issued for the name (or address) dialled, or `servername`;
   * default true. `false` still checks the chain and dates, but accepts a certificate the CA issued to
   * any host: whoever holds one (any other server of that CA) can pose as the ensemble. Prefer setting
   * `servername` to a name the certificates carry. Node and Bun; Deno and workerd refuse it.
   */
  verifyHostname?: boolean;
  /** Only for tests: accept any certificate (no chain, date or name check). Node and Bun only. */
  rejectUnauthorized?: boolean;
}

/** Receives what a connection reads. Called by the adapter; must not throw (the adapter guards anyway). */
export interface TransportSink {
  /** Bytes read, in order. The chunk is the sink's to keep: the adapter never reuses it. */
  data(chunk: Uint8Array): void;
  /** Called once when the connection ends, with the error if it failed. Nothing is delivered after it. */
  closed(error?: Error): void;
}

/** One open byte stream to a server, as a transport hands it to the session. */
export interface TransportConnection {
  /** Starts delivering reads to `sink`. Call once, right after connect resolves. */
  start(sink: TransportSink): void;
  /**
   * Queues bytes for writing, in order. Returns false when the runtime's buffer is above its high-water
   * mark: the caller should hold further writes until `drained` resolves.
   */
  write(bytes: Uint8Array): boolean;
  /** Resolves when buffered writes have drained below the high-water mark (at once if they have). */
  drained(): Promise<void>;
  /** Bytes accepted by write() but not yet handed to the OS. */
  readonly bufferedAmount: number;
  /** Closes the connection; idempotent. The sink's `closed` follows. */
  close(): void;
  /** "host:port" of the remote end, for logs. */
  readonly remote: string;
}

/**
 * A runtime's socket API behind one interface (`connect`, optionally `resolve`): the session uses nothing
 * else. Pass one to `connect(hosts, { transport })` to run on another runtime or through a proxy.
 */
export interface Transport {
  /** Opens a connection; rejects with the runtime's error if it cannot. */
  connect(options: TransportConnectOptions): Promise<TransportConnection>;
  /**
   * All addresses of a host name, in the resolver's order, for host rotation (each address counts as a
   * host, and the name is resolved again before every attempt); rejects when the name does not resolve.
   * Adapters that cannot resolve leave it out, and are then given names to connect to as written.
   */
  resolve?(host: string): Promise<string[]>;
}
