/**
 * The constant tables against ZooKeeper's: every opcode a client sends has both codecs and nothing else
 * does; every error code has a name and a class mapping; CreateMode, Perms, EventType and KeeperState
 * carry ZooKeeper's numbers (ZooDefs.OpCode, KeeperException.Code, CreateMode, ZooDefs.Perms,
 * Watcher.Event.EventType and Watcher.Event.KeeperState).
 */
import { describe, expect, it } from 'vitest';
import {
  AuthFailedError,
  BadArgumentsError,
  BadVersionError,
  ConnectionLossError,
  ErrorCode,
  type ErrorCodeName,
  InvalidACLError,
  MarshallingError,
  NoAuthError,
  NoChildrenForEphemeralsError,
  NoNodeError,
  NodeExistsError,
  NotEmptyError,
  NotReadOnlyError,
  NoWatcherError,
  OperationTimeoutError,
  QuotaExceededError,
  ReconfigDisabledError,
  SessionClosedRequireSaslAuthError,
  SessionExpiredError,
  SessionMovedError,
  SystemError,
  ThrottledError,
  UnimplementedError,
  ZooKeeperError,
  errorCodeName,
  errorFromCode,
} from '../../../src/errors.js';
import {
  CreateMode,
  EventType,
  KeeperState,
  OpCode,
  type OpName,
  Perms,
  TTL_MAX,
  TTL_MIN,
  createModeInfo,
  requestCodecs,
  requestOpName,
  responseCodecs,
} from '../../../src/protocol/index.js';

/** Opcodes no client sends: notification (0), deleteContainer (20), createSession (-10), error (-1). */
const NOT_SENT: readonly OpName[] = ['notification', 'deleteContainer', 'createSession', 'error'];

describe('completeness - opcodes and codec tables', () => {
  const opNames = Object.keys(OpCode) as OpName[];
  const sent = opNames.filter((name) => !NOT_SENT.includes(name));

  it('completeness - the excluded opcodes are exactly notification 0, deleteContainer 20, createSession -10, error -1', () => {
    expect(NOT_SENT.map((name) => OpCode[name])).toEqual([0, 20, -10, -1]);
    expect(opNames.filter((name) => !(name in requestCodecs)).sort()).toEqual([...NOT_SENT].sort());
  });

  it('completeness - every opcode a client sends has a request codec and a response codec', () => {
    expect(sent.length).toBe(29);
    for (const name of sent) {
      expect(requestCodecs, name).toHaveProperty(name);
      expect(responseCodecs, name).toHaveProperty(name);
      expect(typeof requestCodecs[name as keyof typeof requestCodecs].read, name).toBe('function');
      expect(typeof responseCodecs[name as keyof typeof responseCodecs].read, name).toBe('function');
      expect(requestOpName(OpCode[name]), name).toBe(name);
    }
  });

  it('completeness - the codec tables have no keys beyond the sent opcodes', () => {
    expect(Object.keys(requestCodecs).sort()).toEqual([...sent].sort());
    expect(Object.keys(responseCodecs).sort()).toEqual([...sent].sort());
  });

  it('completeness - requestOpName knows no excluded, unassigned or unknown opcode', () => {
    for (const code of [0, 20, -10, -1, 10, 23, 99, 108, -12, 1000]) expect(requestOpName(code), String(code)).toBe(undefined);
  });

  it('completeness - OpCode numbers match ZooDefs.OpCode', () => {
    expect(OpCode).toEqual({
      notification: 0,
      create: 1,
      delete: 2,
      exists: 3,
      getData: 4,
      setData: 5,
      getACL: 6,
      setACL: 7,
      getChildren: 8,
      sync: 9,
      ping: 11,
      getChildren2: 12,
      check: 13,
      multi: 14,
      create2: 15,
      reconfig: 16,
      checkWatches: 17,
      removeWatches: 18,
      createContainer: 19,
      deleteContainer: 20,
      createTTL: 21,
      multiRead: 22,
      auth: 100,
      setWatches: 101,
      sasl: 102,
      getEphemerals: 103,
      getAllChildrenNumber: 104,
      setWatches2: 105,
      addWatch: 106,
      whoAmI: 107,
      createSession: -10,
      closeSession: -11,
      error: -1,
    });
  });
});

describe('completeness - error codes', () => {
  it('completeness - ErrorCode holds the numbers of KeeperException.Code', () => {
    expect(ErrorCode).toEqual({
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
    });
  });

  it('completeness - every ErrorCode number maps back to its name, and unused numbers to none', () => {
    for (const name of Object.keys(ErrorCode) as ErrorCodeName[]) expect(errorCodeName(ErrorCode[name])).toBe(name);
    for (const unused of [-9, -10, -11, -15, -99, -104, -107, -109, -116, -117, -126, -128, 1, -999]) {
      expect(errorCodeName(unused), String(unused)).toBe(undefined);
    }
  });

  it('completeness - errorFromCode returns the subclass for each common code, with code, errno and path', () => {
    const classes: [number, abstract new (...args: never[]) => ZooKeeperError][] = [
      [-1, SystemError],
      [-4, ConnectionLossError],
      [-5, MarshallingError],
      [-6, UnimplementedError],
      [-7, OperationTimeoutError],
      [-8, BadArgumentsError],
      [-101, NoNodeError],
      [-102, NoAuthError],
      [-103, BadVersionError],
      [-108, NoChildrenForEphemeralsError],
      [-110, NodeExistsError],
      [-111, NotEmptyError],
      [-112, SessionExpiredError],
      [-114, InvalidACLError],
      [-115, AuthFailedError],
      [-118, SessionMovedError],
      [-119, NotReadOnlyError],
      [-121, NoWatcherError],
      [-123, ReconfigDisabledError],
      [-124, SessionClosedRequireSaslAuthError],
      [-125, QuotaExceededError],
      [-127, ThrottledError],
    ];
    for (const [errno, cls] of classes) {
      const e = errorFromCode(errno, '/a/b');
      expect(e, String(errno)).toBeInstanceOf(cls);
      expect(e).toBeInstanceOf(ZooKeeperError);
      expect(e).toBeInstanceOf(Error);
      expect(e.errno).toBe(errno);
      expect(e.code).toBe(errorCodeName(errno));
      expect(e.path).toBe('/a/b');
      expect(e.message).toContain('/a/b');
      expect(e.name).toBe(cls.name);
    }
  });

  it('completeness - errorFromCode maps every named code to an error carrying that name and number', () => {
    for (const name of Object.keys(ErrorCode) as ErrorCodeName[]) {
      const e = errorFromCode(ErrorCode[name]);
      expect(e.code).toBe(name);
      expect(e.errno).toBe(ErrorCode[name]);
      expect(e.path).toBe(undefined);
    }
    // A named code without a class of its own is still a ZooKeeperError with its name.
    const plain = errorFromCode(ErrorCode.APIERROR);
    expect(plain.constructor).toBe(ZooKeeperError);
    expect(plain.code).toBe('APIERROR');
  });

  it('completeness - errorFromCode keeps unknown numbers as code UNKNOWN and never throws', () => {
    const e = errorFromCode(-999);
    expect(e).toBeInstanceOf(ZooKeeperError);
    expect(e.code).toBe('UNKNOWN');
    expect(e.errno).toBe(-999);
    expect(e.message).toContain('-999');
    for (const odd of [1, 2 ** 31 - 1, -(2 ** 31), 0.5, Number.NaN, Infinity, -126]) {
      const x = errorFromCode(odd, '/p', new Error('cause'));
      expect(x.code, String(odd)).toBe('UNKNOWN');
      expect(Object.is(x.errno, odd)).toBe(true);
      expect(x.path).toBe('/p');
      expect((x.cause as Error).message).toBe('cause');
    }
  });
});

describe('completeness - CreateMode, Perms, EventType, KeeperState', () => {
  it('completeness - CreateMode flags 0-6: ephemeral/sequential/container/ttl as CreateMode, opCode as the Java client create(..., stat, ttl) sends', () => {
    expect(CreateMode).toEqual({
      PERSISTENT: 0,
      EPHEMERAL: 1,
      PERSISTENT_SEQUENTIAL: 2,
      EPHEMERAL_SEQUENTIAL: 3,
      CONTAINER: 4,
      PERSISTENT_WITH_TTL: 5,
      PERSISTENT_SEQUENTIAL_WITH_TTL: 6,
    });
    const table: [number, boolean, boolean, boolean, boolean, number][] = [
      // flag, ephemeral, sequential, container, ttl, opCode
      [0, false, false, false, false, 15],
      [1, true, false, false, false, 15],
      [2, false, true, false, false, 15],
      [3, true, true, false, false, 15],
      [4, false, false, true, false, 19],
      [5, false, false, false, true, 21],
      [6, false, true, false, true, 21],
    ];
    for (const [flag, ephemeral, sequential, container, ttl, opCode] of table) {
      expect(createModeInfo(flag), `flag ${flag}`).toEqual({ ephemeral, sequential, container, ttl, opCode });
    }
    for (const bad of [-1, 7, 8, 1.5, 100]) expect(createModeInfo(bad), String(bad)).toBe(undefined);
    expect(TTL_MIN).toBe(1n);
    expect(TTL_MAX).toBe(1_099_511_627_775n);
  });

  it('completeness - Perms bits match ZooDefs.Perms and ALL is their union', () => {
    expect(Perms).toEqual({ READ: 1, WRITE: 2, CREATE: 4, DELETE: 8, ADMIN: 16, ALL: 31 });
    expect(Perms.READ | Perms.WRITE | Perms.CREATE | Perms.DELETE | Perms.ADMIN).toBe(Perms.ALL);
  });

  it('completeness - EventType values match Watcher.Event.EventType', () => {
    expect(EventType).toEqual({
      None: -1,
      NodeCreated: 1,
      NodeDeleted: 2,
      NodeDataChanged: 3,
      NodeChildrenChanged: 4,
      DataWatchRemoved: 5,
      ChildWatchRemoved: 6,
      PersistentWatchRemoved: 7,
    });
  });

  it('completeness - KeeperState values match Watcher.Event.KeeperState (2 unassigned)', () => {
    expect(KeeperState).toEqual({
      Unknown: -1,
      Disconnected: 0,
      NoSyncConnected: 1,
      SyncConnected: 3,
      AuthFailed: 4,
      ConnectedReadOnly: 5,
      SaslAuthenticated: 6,
      Closed: 7,
      Expired: -112,
    });
    expect(Object.values(KeeperState)).not.toContain(2);
  });
});
