/**
 * The error classes and the classification predicates: name, code, errno, cause and path on each class;
 * isRetryable, endsSession and guaranteesNoChange on representative codes.
 */
import { describe, expect, it } from 'vitest';
import {
  AcquireTimeoutError,
  AuthFailedError,
  BadArgumentsError,
  BadVersionError,
  ClientClosedError,
  ConnectionLossError,
  DataInconsistencyError,
  EphemeralOnLocalSessionError,
  ErrorCode,
  type ErrorCodeName,
  InvalidACLError,
  InvalidArgumentError,
  LockLostError,
  MarshallingError,
  NewConfigNoQuorumError,
  NoAuthError,
  NoChildrenForEphemeralsError,
  NoHostsError,
  NoNodeError,
  NoWatcherError,
  NodeExistsError,
  NotEmptyError,
  NotReadOnlyError,
  OperationTimeoutError,
  ProtocolError,
  QueueFullError,
  QuotaExceededError,
  ReconfigDisabledError,
  ReconfigInProgressError,
  RequestTimeoutError,
  RuntimeInconsistencyError,
  ServerError,
  SessionClosedRequireSaslAuthError,
  SessionExpiredError,
  SessionMovedError,
  SystemError,
  ThrottledError,
  UnimplementedError,
  UnsupportedError,
  ZooKeeperError,
  endsSession,
  errorFromCode,
  guaranteesNoChange,
  isRetryable,
} from '../../src/errors.js';

/** The class errorFromCode makes for each KeeperException.Code; undefined: a plain ZooKeeperError. */
const SERVER_CLASSES: Record<ErrorCodeName, (new (message: string) => ZooKeeperError) | undefined> = {
  OK: undefined,
  SYSTEMERROR: SystemError,
  RUNTIMEINCONSISTENCY: RuntimeInconsistencyError,
  DATAINCONSISTENCY: DataInconsistencyError,
  CONNECTIONLOSS: ConnectionLossError,
  MARSHALLINGERROR: MarshallingError,
  UNIMPLEMENTED: UnimplementedError,
  OPERATIONTIMEOUT: OperationTimeoutError,
  BADARGUMENTS: BadArgumentsError,
  UNKNOWNSESSION: undefined,
  NEWCONFIGNOQUORUM: NewConfigNoQuorumError,
  RECONFIGINPROGRESS: ReconfigInProgressError,
  APIERROR: undefined,
  NONODE: NoNodeError,
  NOAUTH: NoAuthError,
  BADVERSION: BadVersionError,
  NOCHILDRENFOREPHEMERALS: NoChildrenForEphemeralsError,
  NODEEXISTS: NodeExistsError,
  NOTEMPTY: NotEmptyError,
  SESSIONEXPIRED: SessionExpiredError,
  INVALIDCALLBACK: undefined,
  INVALIDACL: InvalidACLError,
  AUTHFAILED: AuthFailedError,
  SESSIONMOVED: SessionMovedError,
  NOTREADONLY: NotReadOnlyError,
  EPHEMERALONLOCALSESSION: EphemeralOnLocalSessionError,
  NOWATCHER: NoWatcherError,
  REQUESTTIMEOUT: RequestTimeoutError,
  RECONFIGDISABLED: ReconfigDisabledError,
  SESSIONCLOSEDREQUIRESASLAUTH: SessionClosedRequireSaslAuthError,
  QUOTAEXCEEDED: QuotaExceededError,
  THROTTLEDOP: ThrottledError,
};

describe('errors - classes', () => {
  it('errors - ZooKeeperError carries message, code, errno, path and cause', () => {
    const cause = new Error('socket reset');
    const e = new ZooKeeperError('boom', 'NONODE', -101, { path: '/a', cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ZooKeeperError');
    expect(e.message).toBe('boom');
    expect(e.code).toBe('NONODE');
    expect(e.errno).toBe(-101);
    expect(e.path).toBe('/a');
    expect(e.cause).toBe(cause);
    expect(String(e)).toBe('ZooKeeperError: boom');
    expect(e.stack).toContain('boom');
  });

  it('errors - without options there is no path and no own cause property', () => {
    const e = new ZooKeeperError('m', 'UNKNOWN', 0);
    expect(e.path).toBe(undefined);
    expect('cause' in e).toBe(false);
  });

  it('errors - each server error class has its kazoo name, its code name and its number', () => {
    const cases: [ZooKeeperError, string, string, number][] = [
      [new NoNodeError('x', { path: '/p' }), 'NoNodeError', 'NONODE', -101],
      [new NodeExistsError('x'), 'NodeExistsError', 'NODEEXISTS', -110],
      [new BadVersionError('x'), 'BadVersionError', 'BADVERSION', -103],
      [new ConnectionLossError('x'), 'ConnectionLossError', 'CONNECTIONLOSS', -4],
      [new SessionExpiredError('x'), 'SessionExpiredError', 'SESSIONEXPIRED', -112],
      [new MarshallingError('x'), 'MarshallingError', 'MARSHALLINGERROR', -5],
      [new AuthFailedError('x'), 'AuthFailedError', 'AUTHFAILED', -115],
      [new ThrottledError('x'), 'ThrottledError', 'THROTTLEDOP', -127],
      [new SessionClosedRequireSaslAuthError('x'), 'SessionClosedRequireSaslAuthError', 'SESSIONCLOSEDREQUIRESASLAUTH', -124],
    ];
    for (const [e, name, code, errno] of cases) {
      expect(e).toBeInstanceOf(ZooKeeperError);
      expect(e.name).toBe(name);
      expect(e.constructor.name).toBe(name);
      expect(e.code).toBe(code);
      expect(e.errno).toBe(errno);
      expect(String(e)).toBe(`${name}: x`);
    }
    const withCause = new NoNodeError('gone', { path: '/p', cause: 'why' });
    expect(withCause.path).toBe('/p');
    expect(withCause.cause).toBe('why');
  });

  it('errors - ProtocolError is MARSHALLINGERROR and says where and at which byte', () => {
    const e = new ProtocolError('truncated', 'GetDataResponse.data', 20);
    expect(e).toBeInstanceOf(ZooKeeperError);
    expect(e.name).toBe('ProtocolError');
    expect(e.code).toBe('MARSHALLINGERROR');
    expect(e.errno).toBe(ErrorCode.MARSHALLINGERROR);
    expect(e.where).toBe('GetDataResponse.data');
    expect(e.offset).toBe(20);
    expect(e.message).toBe('truncated (GetDataResponse.data at byte 20)');
    expect(new ProtocolError('m', 'w', 0, { cause: 1 }).cause).toBe(1);
  });

  it('errors - client-side classes use client codes', () => {
    const closed = new ClientClosedError();
    expect(closed.name).toBe('ClientClosedError');
    expect(closed.code).toBe('CLIENTCLOSED');
    expect(closed.errno).toBe(0);
    expect(closed.message).toBe('the client is closed');
    const invalid = new InvalidArgumentError('bad path', { path: 'x' });
    expect(invalid.name).toBe('InvalidArgumentError');
    expect(invalid.code).toBe('INVALIDARGUMENT');
    expect(invalid.errno).toBe(0);
    expect(invalid.path).toBe('x');
    const unsupported = new UnsupportedError('whoAmI needs 3.7');
    expect(unsupported.name).toBe('UnsupportedError');
    expect(unsupported.code).toBe('UNSUPPORTED');
    expect(unsupported.errno).toBe(ErrorCode.UNIMPLEMENTED);
    const full = new QueueFullError('queue full');
    expect([full.name, full.code, full.errno]).toEqual(['QueueFullError', 'QUEUEFULL', 0]);
    const noHosts = new NoHostsError('none reachable');
    expect([noHosts.name, noHosts.code, noHosts.errno]).toEqual(['NoHostsError', 'NOHOSTS', ErrorCode.CONNECTIONLOSS]);
    const lost = new LockLostError('lease-expired', 'lease over', { path: '/lock/x' });
    expect([lost.name, lost.code, lost.errno, lost.reason, lost.path]).toEqual([
      'LockLostError',
      'LOCKLOST',
      0,
      'lease-expired',
      '/lock/x',
    ]);
    const timeout = new AcquireTimeoutError('gave up');
    expect([timeout.name, timeout.code, timeout.errno]).toEqual(['AcquireTimeoutError', 'ACQUIRETIMEOUT', 0]);
    for (const e of [closed, invalid, unsupported, full, noHosts, lost, timeout]) expect(e).toBeInstanceOf(ZooKeeperError);
  });

  it('errors - errorFromCode puts the code name and path in the message and keeps the cause', () => {
    const cause = new Error('c');
    const e = errorFromCode(-101, '/x/y', cause);
    expect(e).toBeInstanceOf(NoNodeError);
    expect(e.message).toBe('NONODE for /x/y');
    expect(e.cause).toBe(cause);
    expect(errorFromCode(-110).message).toBe('NODEEXISTS');
    expect(errorFromCode(-999).message).toBe('unknown ZooKeeper error code -999');
  });

  it('errors - a server error class is a declared class: a type, a value and an instanceof target', () => {
    // Type-checked by `npm run typecheck`: a factory-made const could not be used as a type here.
    let e: NoNodeError = new NoNodeError('x');
    expect(e).toBeInstanceOf(ServerError);
    try {
      throw errorFromCode(ErrorCode.NONODE, '/a');
    } catch (err) {
      if (!(err instanceof NoNodeError)) throw err;
      e = err;
    }
    expect([e.name, e.code, e.errno, e.path, e.message]).toEqual(['NoNodeError', 'NONODE', -101, '/a', 'NONODE for /a']);
  });

  it('errors - errorFromCode returns, for every code, an instance of its class with that name (ZooKeeperError where none)', () => {
    for (const [code, errno] of Object.entries(ErrorCode) as [ErrorCodeName, number][]) {
      const cls = SERVER_CLASSES[code];
      const e = errorFromCode(errno, '/p');
      const name = cls === undefined ? 'ZooKeeperError' : cls.name;
      expect([code, e.name, e.constructor.name, e.code, e.errno, e.path, e.message]).toEqual([
        code,
        name,
        name,
        code,
        errno,
        '/p',
        `${code} for /p`,
      ]);
      expect(e).toBeInstanceOf(cls ?? ZooKeeperError);
      expect(e instanceof ServerError).toBe(cls !== undefined);
    }
  });
});

describe('errors - predicates', () => {
  const table: [string, ZooKeeperError, boolean, boolean, boolean][] = [
    // error, isRetryable, endsSession, guaranteesNoChange
    ['CONNECTIONLOSS', new ConnectionLossError('x'), true, false, false],
    ['OPERATIONTIMEOUT', new OperationTimeoutError('x'), true, false, false],
    ['THROTTLEDOP', new ThrottledError('x'), true, false, true],
    ['REQUESTTIMEOUT', new RequestTimeoutError('x'), true, false, false],
    ['QUEUEFULL', new QueueFullError('x'), true, false, true],
    ['SESSIONEXPIRED', new SessionExpiredError('x'), false, true, false],
    ['SESSIONMOVED', new SessionMovedError('x'), false, false, false],
    // The session's end fails requests in flight with these: a write may have been applied.
    ['AUTHFAILED', new AuthFailedError('x'), false, true, false],
    ['SESSIONCLOSEDREQUIRESASLAUTH', new SessionClosedRequireSaslAuthError('x'), false, true, false],
    ['CLIENTCLOSED', new ClientClosedError(), false, true, false],
    ['NOHOSTS', new NoHostsError('x'), false, true, false],
    ['LOCKLOST', new LockLostError('session-ended', 'x'), false, false, false],
    ['ACQUIRETIMEOUT', new AcquireTimeoutError('x'), false, false, false],
    ['MARSHALLINGERROR', new ProtocolError('x', 'w', 0), false, false, false],
    ['UNKNOWN', errorFromCode(-999), false, false, false],
    ['NONODE', new NoNodeError('x'), false, false, true],
    ['NODEEXISTS', new NodeExistsError('x'), false, false, true],
    ['BADVERSION', new BadVersionError('x'), false, false, true],
    ['INVALIDARGUMENT', new InvalidArgumentError('x'), false, false, true],
    ['UNSUPPORTED', new UnsupportedError('x'), false, false, true],
  ];
  for (const [code, error, retryable, ends, noChange] of table) {
    it(`errors - ${code}: isRetryable ${retryable}, endsSession ${ends}, guaranteesNoChange ${noChange}`, () => {
      expect(error.code).toBe(code);
      expect(isRetryable(error)).toBe(retryable);
      expect(endsSession(error)).toBe(ends);
      expect(guaranteesNoChange(error)).toBe(noChange);
    });
  }

  it('errors - guaranteesNoChange for every server code: true only for refusals, false where a write may have been applied', () => {
    const mayHaveApplied = new Set([
      'OK',
      'SYSTEMERROR',
      'DATAINCONSISTENCY',
      'CONNECTIONLOSS',
      'MARSHALLINGERROR',
      'OPERATIONTIMEOUT',
      'UNKNOWNSESSION',
      'NEWCONFIGNOQUORUM',
      'SESSIONEXPIRED',
      'AUTHFAILED',
      'SESSIONMOVED',
      'REQUESTTIMEOUT',
      'SESSIONCLOSEDREQUIRESASLAUTH',
    ]);
    for (const [name, errno] of Object.entries(ErrorCode)) {
      expect([name, guaranteesNoChange(errorFromCode(errno))]).toEqual([name, !mayHaveApplied.has(name)]);
    }
  });

  it('errors - the predicates are false for anything that is not a ZooKeeperError', () => {
    const lookalikes = [new Error('CONNECTIONLOSS'), { code: 'CONNECTIONLOSS' }, { code: 'SESSIONEXPIRED' }, 'SESSIONEXPIRED'];
    for (const x of [...lookalikes, null, undefined, -4]) {
      expect(isRetryable(x)).toBe(false);
      expect(endsSession(x)).toBe(false);
      expect(guaranteesNoChange(x)).toBe(false);
    }
  });
});
