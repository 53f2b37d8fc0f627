// The public API's classes are AsyncDisposable (ZooKeeper, Lease): this carries the lib that declares it into
// the shipped .d.ts, which every entry reaches through this module (test/integration/package).
/// <reference lib="esnext.disposable" preserve="true" />
/**
 * Errors for every layer. A leaf module: it imports nothing, so the protocol layer may use it.
 *
 * Server errors carry ZooKeeper's numeric `KeeperException.Code` and its name as `code`. Client-side
 * conditions reuse ZooKeeper's names where one exists (CONNECTIONLOSS, MARSHALLINGERROR, ...).
 * Classify with the predicates at the bottom, never by parsing messages.
 */

/** KeeperException.Code, by name. Numbers as on the wire (ZooKeeper 3.4 through 3.9). */
export const ErrorCode = {
  OK: 0,
  SYSTEMERROR: -1,
  RUNTIMEINCONSISTENCY: -2,
  DATAINCONSISTENCY: -3,
  CONNECTIONLOSS: -4,
  MARSHALLINGERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATIONTIMEOUT: -7,
  BADARGUMENTS: -8,
  UNKNOWNSESSION: -12,
  NEWCONFIGNOQUORUM: -13,
  RECONFIGINPROGRESS: -14,
  APIERROR: -100,
  NONODE: -101,
  NOAUTH: -102,
  BADVERSION: -103,
  NOCHILDRENFOREPHEMERALS: -108,
  NODEEXISTS: -110,
  NOTEMPTY: -111,
  SESSIONEXPIRED: -112,
  INVALIDCALLBACK: -113,
  INVALIDACL: -114,
  AUTHFAILED: -115,
  SESSIONMOVED: -118,
  NOTREADONLY: -119,
  EPHEMERALONLOCALSESSION: -120,
  NOWATCHER: -121,
  REQUESTTIMEOUT: -122,
  RECONFIGDISABLED: -123,
  SESSIONCLOSEDREQUIRESASLAUTH: -124,
  QUOTAEXCEEDED: -125,
  THROTTLEDOP: -127,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
/** ZooKeeper's error code names (`NONODE`, `BADVERSION`, ...): the `code` of every ZooKeeperError. */
export type ErrorCodeName = keyof typeof ErrorCode;

/** Codes that only this client produces, for conditions ZooKeeper has no name for. */
export type ClientErrorCodeName =
  'CLIENTCLOSED' | 'INVALIDARGUMENT' | 'UNSUPPORTED' | 'NOHOSTS' | 'QUEUEFULL' | 'LOCKLOST' | 'ACQUIRETIMEOUT' | 'TLS';

const codeNames = new Map<number, ErrorCodeName>((Object.keys(ErrorCode) as ErrorCodeName[]).map((name) => [ErrorCode[name], name]));

/** The KeeperException.Code name of a number, or undefined when ZooKeeper defines none. */
export function errorCodeName(code: number): ErrorCodeName | undefined {
  return codeNames.get(code);
}

/** Options of the error constructors. */
export interface ZooKeeperErrorOptions {
  path?: string | undefined;
  cause?: unknown;
}

/** Base of every error zkts throws. `code` is a name, `errno` the numeric KeeperException code (0 if none). */
export class ZooKeeperError extends Error {
  override name = 'ZooKeeperError';
  readonly code: ErrorCodeName | ClientErrorCodeName | 'UNKNOWN';
  readonly errno: number;
  readonly path: string | undefined;

  constructor(message: string, code: ErrorCodeName | ClientErrorCodeName | 'UNKNOWN', errno: number, options: ZooKeeperErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.errno = errno;
    this.path = options.path;
  }
}

/**
 * A frame or field that cannot be decoded, or a reply that breaks the protocol (xid out of order).
 * `where` names the record and field; `offset` is the byte offset in the frame payload.
 */
export class ProtocolError extends ZooKeeperError {
  override name = 'ProtocolError';
  readonly where: string;
  readonly offset: number;

  constructor(message: string, where: string, offset: number, options: ZooKeeperErrorOptions = {}) {
    super(`${message} (${where} at byte ${offset})`, 'MARSHALLINGERROR', ErrorCode.MARSHALLINGERROR, options);
    this.where = where;
    this.offset = offset;
  }
}

/** A caller passed something the protocol cannot carry: a bad path, an out-of-range TTL, a too-large value. */
export class InvalidArgumentError extends ZooKeeperError {
  override name = 'InvalidArgumentError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super(message, 'INVALIDARGUMENT', 0, options);
  }
}

type ServerErrorClass = new (message: string, options?: ZooKeeperErrorOptions) => ZooKeeperError;

/** Base of the server error classes: `code` is a KeeperException.Code name, `errno` its number. */
export abstract class ServerError extends ZooKeeperError {
  constructor(code: ErrorCodeName, message: string, options: ZooKeeperErrorOptions = {}) {
    super(message, code, ErrorCode[code], options);
  }
}

// One class per code a caller commonly catches; names in kazoo's spelling.
export class SystemError extends ServerError {
  override name = 'SystemError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('SYSTEMERROR', message, options);
  }
}

export class RuntimeInconsistencyError extends ServerError {
  override name = 'RuntimeInconsistencyError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('RUNTIMEINCONSISTENCY', message, options);
  }
}

export class DataInconsistencyError extends ServerError {
  override name = 'DataInconsistencyError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('DATAINCONSISTENCY', message, options);
  }
}

export class ConnectionLossError extends ServerError {
  override name = 'ConnectionLossError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('CONNECTIONLOSS', message, options);
  }
}

export class MarshallingError extends ServerError {
  override name = 'MarshallingError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('MARSHALLINGERROR', message, options);
  }
}

export class UnimplementedError extends ServerError {
  override name = 'UnimplementedError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('UNIMPLEMENTED', message, options);
  }
}

export class OperationTimeoutError extends ServerError {
  override name = 'OperationTimeoutError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('OPERATIONTIMEOUT', message, options);
  }
}

export class BadArgumentsError extends ServerError {
  override name = 'BadArgumentsError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('BADARGUMENTS', message, options);
  }
}

export class NewConfigNoQuorumError extends ServerError {
  override name = 'NewConfigNoQuorumError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('NEWCONFIGNOQUORUM', message, options);
  }
}

export class ReconfigInProgressError extends ServerError {
  override name = 'ReconfigInProgressError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('RECONFIGINPROGRESS', message, options);
  }
}

export class NoNodeError extends ServerError {
  override name = 'NoNodeError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('NONODE', message, options);
  }
}

export class NoAuthError extends ServerError {
  override name = 'NoAuthError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('NOAUTH', message, options);
  }
}

export class BadVersionError extends ServerError {
  override name = 'BadVersionError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('BADVERSION', message, options);
  }
}

export class NoChildrenForEphemeralsError extends ServerError {
  override name = 'NoChildrenForEphemeralsError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('NOCHILDRENFOREPHEMERALS', message, options);
  }
}

export class NodeExistsError extends ServerError {
  override name = 'NodeExistsError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('NODEEXISTS', message, options);
  }
}

export class NotEmptyError extends ServerError {
  override name = 'NotEmptyError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('NOTEMPTY', message, options);
  }
}

export class SessionExpiredError extends ServerError {
  override name = 'SessionExpiredError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('SESSIONEXPIRED', message, options);
  }
}

export class InvalidACLError extends ServerError {
  override name = 'InvalidACLError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('INVALIDACL', message, options);
  }
}

export class AuthFailedError extends ServerError {
  override name = 'AuthFailedError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('AUTHFAILED', message, options);
  }
}

export class SessionMovedError extends ServerError {
  override name = 'SessionMovedError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('SESSIONMOVED', message, options);
  }
}

export class NotReadOnlyError extends ServerError {
  override name = 'NotReadOnlyError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('NOTREADONLY', message, options);
  }
}

export class EphemeralOnLocalSessionError extends ServerError {
  override name = 'EphemeralOnLocalSessionError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('EPHEMERALONLOCALSESSION', message, options);
  }
}

export class NoWatcherError extends ServerError {
  override name = 'NoWatcherError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('NOWATCHER', message, options);
  }
}

export class RequestTimeoutError extends ServerError {
  override name = 'RequestTimeoutError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('REQUESTTIMEOUT', message, options);
  }
}

export class ReconfigDisabledError extends ServerError {
  override name = 'ReconfigDisabledError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('RECONFIGDISABLED', message, options);
  }
}

export class SessionClosedRequireSaslAuthError extends ServerError {
  override name = 'SessionClosedRequireSaslAuthError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('SESSIONCLOSEDREQUIRESASLAUTH', message, options);
  }
}

export class QuotaExceededError extends ServerError {
  override name = 'QuotaExceededError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('QUOTAEXCEEDED', message, options);
  }
}

export class ThrottledError extends ServerError {
  override name = 'ThrottledError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super('THROTTLEDOP', message, options);
  }
}

/** The client was closed by its owner; nothing more will be sent. */
export class ClientClosedError extends ZooKeeperError {
  override name = 'ClientClosedError';
  constructor(message = 'the client is closed', options: ZooKeeperErrorOptions = {}) {
    super(message, 'CLIENTCLOSED', 0, options);
  }
}

/** The server does not support an operation (for example whoAmI before 3.7). */
export class UnsupportedError extends ZooKeeperError {
  override name = 'UnsupportedError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super(message, 'UNSUPPORTED', ErrorCode.UNIMPLEMENTED, options);
  }
}

/**
 * Too many bytes are queued or in flight (the `maxQueuedBytes` option): the request was not sent.
 * Retry after earlier requests settle.
 */
export class QueueFullError extends ZooKeeperError {
  override name = 'QueueFullError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super(message, 'QUEUEFULL', 0, options);
  }
}

/** No server could be reached within the connect timeout. */
export class NoHostsError extends ZooKeeperError {
  override name = 'NoHostsError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super(message, 'NOHOSTS', ErrorCode.CONNECTIONLOSS, options);
  }
}

/** What a TLS connection to a server failed on (TlsError.reason). */
export type TlsFailureReason =
  /** The server's certificate does not chain to a trusted CA (`tls.ca`). */
  | 'untrusted-certificate'
  /** The server's certificate is expired or not yet valid. */
  | 'certificate-expired'
  /** The server's certificate is not issued for the name (or address) dialled, nor for `tls.servername`. */
  | 'hostname-mismatch'
  /** The server requires a client certificate (ssl.clientAuth=need) and none was configured. */
  | 'client-certificate-required'
  /** The server refused the client certificate (an unknown CA, expired, or rejected by its x509 provider). */
  | 'client-certificate-rejected';

/**
 * A TLS handshake with a server failed on a certificate: the server's (untrusted, expired, issued for
 * another name) or the client's (missing where required, refused). Configuration, not the network: the
 * session does not retry it forever. An attempt that fails so moves on to the next host, and once every
 * host has failed so in a row the session ends (state `authFailed`) with this error: one member with a
 * bad certificate does not stop a client that can reach the others, and a client that can reach none
 * says why at once instead of retrying until its connect timeout.
 */
export class TlsError extends ZooKeeperError {
  override name = 'TlsError';
  readonly reason: TlsFailureReason;
  /** "host:port" of the server. */
  readonly host: string;
  constructor(reason: TlsFailureReason, host: string, message: string, options: ZooKeeperErrorOptions = {}) {
    super(message, 'TLS', ErrorCode.AUTHFAILED, options);
    this.reason = reason;
    this.host = host;
  }
}

/**
 * Runtime TLS errors by reason: Node's and Bun's codes (OpenSSL and BoringSSL verify codes, alerts),
 * and Deno's rustls messages (`invalid peer certificate: UnknownIssuer`, `received fatal alert: ...`).
 */
const TLS_PATTERNS: readonly (readonly [TlsFailureReason | 'client-certificate', RegExp])[] = [
  [
    'certificate-expired',
    /CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|certificate has expired|certificate is not yet valid|peer certificate: (?:Expired|NotValidYet)|certificate expired|certificate not valid yet/i,
  ],
  ['hostname-mismatch', /ERR_TLS_CERT_ALTNAME_INVALID|Hostname\/IP does not match|NotValidForName|not valid for name/i],
  [
    'untrusted-certificate',
    /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_SIGNATURE_FAILURE|CERT_UNTRUSTED|CERT_REJECTED|INVALID_CA|UnknownIssuer|BadSignature|unable to verify the first certificate|self[- ]signed certificate/i,
  ],
  // Alerts from the server about the client's certificate (or its absence).
  [
    'client-certificate',
    /ALERT_BAD_CERTIFICATE|ALERT_CERTIFICATE_REQUIRED|ALERT_UNKNOWN_CA|ALERT_CERTIFICATE_UNKNOWN|ALERT_CERTIFICATE_EXPIRED|ALERT_UNSUPPORTED_CERTIFICATE|ALERT_ACCESS_DENIED|alert bad certificate|fatal alert: (?:BadCertificate|CertificateRequired|UnknownCA|CertificateUnknown|CertificateExpired|AccessDenied)/i,
  ],
];

const HINTS: Record<TlsFailureReason, string> = {
  'untrusted-certificate': 'the server certificate is not signed by a trusted CA: pass the CA that issued it as tls.ca',
  'certificate-expired': 'the server certificate has expired (or is not valid yet): the server needs a new certificate',
  'hostname-mismatch':
    'the server certificate is not issued for the name dialled: connect by a name it lists (subjectAltName), or set tls.servername to one',
  'client-certificate-required': 'the server requires a client certificate (ssl.clientAuth=need): pass tls.cert and tls.key',
  'client-certificate-rejected':
    'the server refused the client certificate: it must be issued by a CA in the server trust store, and valid',
};

/**
 * The TlsError an error from a TLS connection attempt stands for (looking through its `cause` chain),
 * or undefined when it is not a certificate failure. `clientCert`: whether a client certificate was sent,
 * which tells a missing certificate from a refused one (the server sends the same alert for both).
 */
export function tlsFailureOf(error: unknown, host: string, clientCert: boolean): TlsError | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (e instanceof TlsError) return e;
    const { code, message } = e as { code?: unknown; message?: unknown };
    const text = `${typeof code === 'string' ? code : ''} ${typeof message === 'string' ? message : ''}`;
    for (const [kind, pattern] of TLS_PATTERNS) {
      if (!pattern.test(text)) continue;
      const reason: TlsFailureReason =
        kind === 'client-certificate' ? (clientCert ? 'client-certificate-rejected' : 'client-certificate-required') : kind;
      const detail = typeof message === 'string' ? message.split('\n')[0]!.trim() : String(code);
      return new TlsError(reason, host, `TLS to ${host} failed: ${HINTS[reason]} (${detail})`, { cause: error });
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Why a lock holder can no longer be sure it holds the lock. */
export type LockLostReason = 'released' | 'lease-expired' | 'session-ended' | 'node-deleted' | 'disconnected';

/**
 * The reason a Lease's `signal` aborts with: the holder can no longer be sure it holds the lock.
 * `reason` says why; after 'lease-expired' or 'disconnected' the lock may still be held on the server,
 * but another process may already hold it too.
 */
export class LockLostError extends ZooKeeperError {
  override name = 'LockLostError';
  readonly reason: LockLostReason;
  constructor(reason: LockLostReason, message: string, options: ZooKeeperErrorOptions = {}) {
    super(message, 'LOCKLOST', 0, options);
    this.reason = reason;
  }
}

/** An acquire did not succeed within its timeout; its contender node was removed. */
export class AcquireTimeoutError extends ZooKeeperError {
  override name = 'AcquireTimeoutError';
  constructor(message: string, options: ZooKeeperErrorOptions = {}) {
    super(message, 'ACQUIRETIMEOUT', 0, options);
  }
}

const classByCode = new Map<number, ServerErrorClass>([
  [ErrorCode.SYSTEMERROR, SystemError],
  [ErrorCode.RUNTIMEINCONSISTENCY, RuntimeInconsistencyError],
  [ErrorCode.DATAINCONSISTENCY, DataInconsistencyError],
  [ErrorCode.CONNECTIONLOSS, ConnectionLossError],
  [ErrorCode.MARSHALLINGERROR, MarshallingError],
  [ErrorCode.UNIMPLEMENTED, UnimplementedError],
  [ErrorCode.OPERATIONTIMEOUT, OperationTimeoutError],
  [ErrorCode.BADARGUMENTS, BadArgumentsError],
  [ErrorCode.NEWCONFIGNOQUORUM, NewConfigNoQuorumError],
  [ErrorCode.RECONFIGINPROGRESS, ReconfigInProgressError],
  [ErrorCode.NONODE, NoNodeError],
  [ErrorCode.NOAUTH, NoAuthError],
  [ErrorCode.BADVERSION, BadVersionError],
  [ErrorCode.NOCHILDRENFOREPHEMERALS, NoChildrenForEphemeralsError],
  [ErrorCode.NODEEXISTS, NodeExistsError],
  [ErrorCode.NOTEMPTY, NotEmptyError],
  [ErrorCode.SESSIONEXPIRED, SessionExpiredError],
  [ErrorCode.INVALIDACL, InvalidACLError],
  [ErrorCode.AUTHFAILED, AuthFailedError],
  [ErrorCode.SESSIONMOVED, SessionMovedError],
  [ErrorCode.NOTREADONLY, NotReadOnlyError],
  [ErrorCode.EPHEMERALONLOCALSESSION, EphemeralOnLocalSessionError],
  [ErrorCode.NOWATCHER, NoWatcherError],
  [ErrorCode.REQUESTTIMEOUT, RequestTimeoutError],
  [ErrorCode.RECONFIGDISABLED, ReconfigDisabledError],
  [ErrorCode.SESSIONCLOSEDREQUIRESASLAUTH, SessionClosedRequireSaslAuthError],
  [ErrorCode.QUOTAEXCEEDED, QuotaExceededError],
  [ErrorCode.THROTTLEDOP, ThrottledError],
]);

/**
 * The error for a non-zero ReplyHeader.err. A number ZooKeeper defines no class for becomes a plain
 * ZooKeeperError that keeps the number; this never throws.
 */
export function errorFromCode(errno: number, path?: string, cause?: unknown): ZooKeeperError {
  const name = errorCodeName(errno);
  const where = path === undefined ? '' : ` for ${path}`;
  const cls = classByCode.get(errno);
  if (cls !== undefined) return new cls(`${name}${where}`, { path, cause });
  if (name !== undefined) return new ZooKeeperError(`${name}${where}`, name, errno, { path, cause });
  return new ZooKeeperError(`unknown ZooKeeper error code ${errno}${where}`, 'UNKNOWN', errno, { path, cause });
}

/** Worth retrying on the same session: the request may not have reached the server (kazoo RETRY_EXCEPTIONS). */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof ZooKeeperError)) return false;
  return (
    error.code === 'CONNECTIONLOSS' ||
    error.code === 'OPERATIONTIMEOUT' ||
    error.code === 'REQUESTTIMEOUT' ||
    error.code === 'THROTTLEDOP' ||
    error.code === 'QUEUEFULL'
  );
}

/** The session (or the client) is over: nothing on this instance can succeed again. */
export function endsSession(error: unknown): boolean {
  if (!(error instanceof ZooKeeperError)) return false;
  switch (error.code) {
    case 'SESSIONEXPIRED':
    case 'AUTHFAILED':
    case 'CLIENTCLOSED':
    case 'NOHOSTS':
    case 'SESSIONCLOSEDREQUIRESASLAUTH':
    case 'TLS':
      return true;
    default:
      return false;
  }
}

/**
 * Codes after which nothing was applied for certain: the server's own answer to the request, refusing it
 * (ZooKeeper applies a request all or nothing, a multi included), or a refusal before it was sent.
 */
const NO_CHANGE: ReadonlySet<string> = new Set<ErrorCodeName | ClientErrorCodeName>([
  'RUNTIMEINCONSISTENCY', // a multi's ops after the failing one: the whole transaction was refused
  'UNIMPLEMENTED',
  'BADARGUMENTS',
  'APIERROR',
  'NONODE',
  'NOAUTH',
  'BADVERSION',
  'NOCHILDRENFOREPHEMERALS',
  'NODEEXISTS',
  'NOTEMPTY',
  'INVALIDCALLBACK',
  'INVALIDACL',
  'NOTREADONLY',
  'EPHEMERALONLOCALSESSION',
  'NOWATCHER',
  'RECONFIGDISABLED',
  'RECONFIGINPROGRESS',
  'QUOTAEXCEEDED',
  'THROTTLEDOP',
  'INVALIDARGUMENT', // refused by the client: never sent
  'QUEUEFULL',
  'UNSUPPORTED',
]);

/**
 * Certain that the server applied nothing for the failed request. False for every error that can reach
 * a request already sent, where a write may or may not have been applied (kezhuw
 * Error::has_no_data_change): connection loss, timeouts, the session's end (expired, auth failed, closed:
 * the client fails everything in flight with them), a reply it could not decode, and any code not known
 * to be a refusal (SYSTEMERROR, UNKNOWN, ...). Recipe errors (LOCKLOST, ACQUIRETIMEOUT) say nothing
 * about one request: false.
 */
export function guaranteesNoChange(error: unknown): boolean {
  if (!(error instanceof ZooKeeperError)) return false;
  return NO_CHANGE.has(error.code);
}
