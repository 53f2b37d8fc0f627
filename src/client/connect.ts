/** `connect()`: parse the connect string, start a session, resolve once it is established. */
import { InvalidArgumentError, NoHostsError } from '../errors.js';
import { parseConnectString } from '../session/connect-string.js';
import type { AuthCredential, Logger } from '../session/options.js';
import type { SaslCredentials } from '../session/sasl.js';
import { Session } from '../session/session.js';
import type { Clock } from '../session/clock.js';
import { isTerminal } from '../session/state.js';
import type { Transport, TransportTlsOptions } from '../transport/types.js';
import { ZooKeeper } from './zookeeper.js';

/** Options of `connect()`. */
export interface ConnectOptions {
  /** Requested session timeout, ms (default 30,000). The server clamps it to its min/max bounds. */
  sessionTimeout?: number;
  /** How long `connect()` waits for the first session, ms (default: the session timeout). */
  connectTimeout?: number;
  /** Default deadline for each request, ms (default: twice the session timeout). */
  requestTimeout?: number;
  /** The socket adapter. The runtime entry (`zkts` on Node) supplies its default. */
  transport?: Transport;
  /** TLS: `true` for the runtime's defaults, or the CA, client certificate and key, server name. */
  tls?: boolean | TransportTlsOptions;
  /** Credentials sent at connect and after every reconnect, e.g. `{ scheme: 'digest', auth: 'user:password' }`. */
  auth?: readonly { scheme: string; auth: string | Uint8Array }[];
  /**
   * SASL DIGEST-MD5 credentials (a user of the server's JAAS `Server` section), authenticated on every
   * connection before any other request. Kerberos (GSSAPI) is not supported.
   */
  sasl?: SaslCredentials;
  /** Accept read-only servers (partitioned from the quorum); writes then fail with NotReadOnlyError. */
  allowReadOnly?: boolean;
  /** Largest reply frame accepted, bytes (default jute.maxbuffer + 64 KiB). */
  maxFrameSize?: number;
  /** Cap on bytes queued and in flight; past it requests fail with QueueFullError (default 64 MiB). */
  maxQueuedBytes?: number;
  /** Receives log records; silent by default. */
  logger?: Logger;
  /** For tests: time and timers. */
  clock?: Clock;
}

const encoder = new TextEncoder();

/**
 * Connects to `host:port[,host:port...][/chroot]` and resolves once a session is established.
 * Notable errors: NoHostsError after `connectTimeout` without a session; InvalidArgumentError for a bad
 * connect string or options.
 */
export async function connectWith(
  defaultTransport: Transport | undefined,
  connectString: string,
  options: ConnectOptions = {},
): Promise<ZooKeeper> {
  const { hosts, chroot } = parseConnectString(connectString);
  const transport = options.transport ?? defaultTransport;
  if (transport === undefined) {
    throw new InvalidArgumentError(
      "no transport: pass options.transport (this is zkts's runtime-neutral entry; 'zkts/node', 'zkts/bun', 'zkts/deno' and 'zkts/workers' have one)",
    );
  }
  const sessionTimeout = options.sessionTimeout ?? 30_000;
  if (!Number.isFinite(sessionTimeout) || sessionTimeout <= 0) {
    throw new InvalidArgumentError(`bad sessionTimeout ${sessionTimeout}`);
  }
  const auth: AuthCredential[] = (options.auth ?? []).map((a) => ({
    scheme: a.scheme,
    auth: typeof a.auth === 'string' ? encoder.encode(a.auth) : a.auth,
  }));
  const session = new Session({
    hosts,
    transport,
    sessionTimeout,
    requestTimeout: options.requestTimeout,
    allowReadOnly: options.allowReadOnly,
    maxFrameSize: options.maxFrameSize,
    maxQueuedBytes: options.maxQueuedBytes,
    tls: options.tls,
    auth,
    sasl: options.sasl,
    clock: options.clock,
    logger: options.logger,
  });
  const connectTimeout = options.connectTimeout ?? sessionTimeout;
  const zk = ZooKeeper.open(session, chroot);
  await new Promise<void>((resolve, reject) => {
    const off = session.onStateChange((change) => {
      if (change.state === 'connected' || change.state === 'connectedReadOnly') finish();
      else if (isTerminal(change.state)) {
        finish(change.cause ?? new NoHostsError('the session ended while connecting'));
      }
    });
    function finish(error?: Error): void {
      off();
      clearTimeout(timer);
      if (error === undefined) resolve();
      else reject(error);
    }
    const timer = setTimeout(() => {
      finish(
        new NoHostsError(
          `no ZooKeeper server at ${hosts.map((h) => `${h.host}:${h.port}`).join(',')} answered within ${connectTimeout} ms`,
        ),
      );
      void session.close();
    }, connectTimeout);
    session.start();
  });
  return zk;
}
