/**
 * The connect loop: until a connection is established or the session ends, wait the plan's delay
 * (connect-plan.ts: none for the first try after a drop, jitter between hosts, backoff after a failed
 * pass), take the next host (resolved again), connect within the connect timeout, and hand the
 * connection to the session for the handshake. One loop runs at a time; `stop` ends whatever it waits on.
 *
 * TLS certificate failures (errors.ts TlsError: an untrusted, expired or misnamed server certificate, a
 * client certificate missing or refused) are configuration, not the network: an attempt that fails so
 * moves on to the next host like any other, but once every host has failed so in a row the session ends
 * with the TlsError (`fatal`) instead of retrying until someone notices. One member with a bad
 * certificate (a rotation half done) does not stop a client that can reach the others.
 *
 * An UnsupportedError from the transport (an option this runtime cannot honour, such as Deno asked to skip
 * the certificate's name check) fails the same way on every host: the session ends with it at once.
 */
import { ClientClosedError, ConnectionLossError, type TlsError, UnsupportedError, tlsFailureOf } from '../errors.js';
import type { Transport, TransportConnection, TransportTlsOptions } from '../transport/types.js';
import type { Clock } from './clock.js';
import type { ConnectPlan } from './connect-plan.js';
import { type Endpoint, describe } from './hosts.js';
import type { Logger } from './options.js';

export interface ConnectLoopHost {
  readonly clock: Clock;
  readonly plan: ConnectPlan;
  readonly transport: Transport;
  readonly tls: boolean | TransportTlsOptions | undefined;
  readonly log: Logger;
  /** The session is over or closing: no more attempts. */
  stopped(): boolean;
  /** An attempt starts: the session enters (or stays in) 'connecting'. */
  connecting(): void;
  /** ms an attempt may take, TCP connect plus handshake. */
  connectTimeout(): number;
  /** Runs the handshake on `conn`; resolves once established. `signal` aborts on the timeout or the session's end. */
  handshake(conn: TransportConnection, signal: AbortSignal): Promise<void>;
  /** Connected now. */
  established(): boolean;
  /** Every host failed TLS verification in a row, or the transport refused an option: end the session with `error`. */
  fatal(error: TlsError | UnsupportedError): void;
}

export class ConnectLoop {
  private running = false;
  /** Ends the loop's current wait (backoff sleep, resolution or connect attempt) when the session ends. */
  private stopWaiting: ((reason: Error) => void) | undefined;
  private readonly host: ConnectLoopHost;

  constructor(host: ConnectLoopHost) {
    this.host = host;
  }

  /** Starts the loop, unless one runs already or the session is over. */
  start(): void {
    if (this.running || this.host.stopped()) return;
    this.running = true;
    void this.run().finally(() => {
      this.running = false;
    });
  }

  /** The session ended: a hanging TCP connect or a backoff sleep would otherwise outlive it by seconds. */
  stop(reason: Error): void {
    const stop = this.stopWaiting;
    this.stopWaiting = undefined;
    stop?.(reason);
  }

  private async run(): Promise<void> {
    const { plan } = this.host;
    let first = true;
    let tlsFailures = 0;
    while (!this.host.stopped()) {
      this.host.connecting();
      const delay = plan.delay(first);
      first = false;
      if (delay > 0) await this.sleep(delay);
      if (this.host.stopped()) return;
      let endpoint: Endpoint | undefined;
      try {
        endpoint = await this.nextEndpoint();
        await this.attempt(endpoint);
        plan.succeeded();
        tlsFailures = 0;
        // Dropped again before this loop ended (a bad frame in the ConnectResponse's read): the
        // start() call that drop made was a no-op while this loop ran, so keep going.
        if (this.host.established()) return;
      } catch (err) {
        this.host.log('debug', 'connect attempt failed', { host: endpoint === undefined ? undefined : describe(endpoint), error: err });
        if (err instanceof UnsupportedError) {
          this.host.fatal(err);
          return;
        }
        const tls = endpoint === undefined ? undefined : this.tlsFailure(err, endpoint);
        tlsFailures = tls === undefined ? 0 : tlsFailures + 1;
        if (tls !== undefined) {
          this.host.log('warn', tls.message, { reason: tls.reason });
          if (tlsFailures >= plan.size) {
            this.host.fatal(tls);
            return;
          }
        }
        plan.failed(endpoint === undefined);
      }
    }
  }

  /** The TlsError `err` stands for, when TLS is on and it is a certificate failure. */
  private tlsFailure(err: unknown, endpoint: Endpoint): TlsError | undefined {
    const tls = this.host.tls;
    if (tls === undefined || tls === false) return undefined;
    const clientCert = tls !== true && tls.cert !== undefined;
    return tlsFailureOf(err, describe(endpoint), clientCert);
  }

  /** The next host (re-resolved), bounded like a connect attempt: the session's end stops it. */
  private async nextEndpoint(): Promise<Endpoint> {
    const abort = new AbortController();
    this.stopWaiting = (reason) => abort.abort(reason);
    try {
      return await this.host.plan.next(abort.signal);
    } finally {
      this.stopWaiting = undefined;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.host.clock.setTimeout(() => {
        this.stopWaiting = undefined;
        resolve();
      }, ms);
      this.stopWaiting = () => {
        this.host.clock.clearTimeout(timer);
        resolve();
      };
    });
  }

  private async attempt(endpoint: Endpoint): Promise<void> {
    const { clock } = this.host;
    const abort = new AbortController();
    const timeout = this.host.connectTimeout();
    const timer = clock.setTimeout(
      () => abort.abort(new ConnectionLossError(`connect to ${describe(endpoint)} timed out after ${timeout} ms`)),
      timeout,
    );
    this.stopWaiting = (reason) => abort.abort(reason);
    try {
      const { host, port, name } = endpoint;
      const conn = await this.host.transport.connect({ host, port, serverName: name, tls: this.host.tls, signal: abort.signal });
      if (this.host.stopped()) {
        conn.close();
        throw new ClientClosedError();
      }
      await this.host.handshake(conn, abort.signal);
    } finally {
      clock.clearTimeout(timer);
      this.stopWaiting = undefined;
    }
  }
}
