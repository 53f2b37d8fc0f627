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
export type ErrorCodeName = keyof typeof ErrorCode;

/** Codes that only this client produces, for conditions ZooKeeper has no name for. */
export type ClientErrorCodeName =
  | 'CLIENTCLOSED'
  | 'INVALIDARGUMENT'
  | 'UNSUPPORTED'
  | 'NOHOSTS'
  | 'QUEUEFULL'
  | 'LOCKLOST'
  | 'ACQUIRETIMEOUT';

const codeNames = new Map<number, ErrorCodeName>(
  (Object.keys(ErrorCode) as ErrorCodeName[]).map((name) => [ErrorCode[name], name]),
);

/** The KeeperException.Code name of a number, or undefined when ZooKeeper defines none. */
export function errorCodeName(code: number): ErrorCodeName | undefined {
  return codeNames.get(code);
}

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

  constructor(
    message: string,
    code: ErrorCodeName | ClientErrorCodeName | 'UNKNOWN',
    errno: number,
    options: ZooKeeperErrorOptions = {},
  ) {
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

function serverError(name: ErrorCodeName, className: string): ServerErrorClass {
  const errno = ErrorCode[name];
  const cls = class extends ZooKeeperError {
    override name = className;
    constructor(message: string, options: ZooKeeperErrorOptions = {}) {
      super(message, name, errno, options);
    }
  };
  Object.defineProperty(cls, 'name', { value: className });
  return cls;
}

// One class per code a caller commonly catches; names in kazoo's spelling.
export const SystemError = serverError('SYSTEMERROR', 'SystemError');
export const RuntimeInconsistencyError = serverError('RUNTIMEINCONSISTENCY', 'RuntimeInconsistencyError');
export const DataInconsistencyError = serverError('DATAINCONSISTENCY', 'DataInconsistencyError');
export const ConnectionLossError = serverError('CONNECTIONLOSS', 'ConnectionLossError');
export const MarshallingError = serverError('MARSHALLINGERROR', 'MarshallingError');
export const UnimplementedError = serverError('UNIMPLEMENTED', 'UnimplementedError');
export const OperationTimeoutError = serverError('OPERATIONTIMEOUT', 'OperationTimeoutError');
export const BadArgumentsError = serverError('BADARGUMENTS', 'BadArgumentsError');
export const NewConfigNoQuorumError = serverError('NEWCONFIGNOQUORUM', 'NewConfigNoQuorumError');
export const ReconfigInProgressError = serverError('RECONFIGINPROGRESS', 'ReconfigInProgressError');
export const NoNodeError = serverError('NONODE', 'NoNodeError');
export const NoAuthError = serverError('NOAUTH', 'NoAuthError');
export const BadVersionError = serverError('BADVERSION', 'BadVersionError');
export const NoChildrenForEphemeralsError = serverError('NOCHILDRENFOREPHEMERALS', 'NoChildrenForEphemeralsError');
export const NodeExistsError = serverError('NODEEXISTS', 'NodeExistsError');
export const NotEmptyError = serverError('NOTEMPTY', 'NotEmptyError');
export const SessionExpiredError = serverError('SESSIONEXPIRED', 'SessionExpiredError');
export const InvalidACLError = serverError('INVALIDACL', 'InvalidACLError');
export const AuthFailedError = serverError('AUTHFAILED', 'AuthFailedError');
export const SessionMovedError = serverError('SESSIONMOVED', 'SessionMovedError');
export const NotReadOnlyError = serverError('NOTREADONLY', 'NotReadOnlyError');
export const EphemeralOnLocalSessionError = serverError('EPHEMERALONLOCALSESSION', 'EphemeralOnLocalSessionError');
export const NoWatcherError = serverError('NOWATCHER', 'NoWatcherError');
export const RequestTimeoutError = serverError('REQUESTTIMEOUT', 'RequestTimeoutError');
export const ReconfigDisabledError = serverError('RECONFIGDISABLED', 'ReconfigDisabledError');
export const SessionClosedRequireSaslAuthError = serverError(
  'SESSIONCLOSEDREQUIRESASLAUTH',
  'SessionClosedRequireSaslAuthError',
);
export const QuotaExceededError = serverError('QUOTAEXCEEDED', 'QuotaExceededError');
export const ThrottledError = serverError('THROTTLEDOP', 'ThrottledError');

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

/** Why a lock holder can no longer be sure it holds the lock. */
export type LockLostReason =
  | 'released'
  | 'lease-expired'
  | 'session-ended'
  | 'node-deleted'
  | 'disconnected';

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
