/**
 * ZooKeeper's wire constants, named as ZooDefs, Watcher and CreateMode name them (3.4 through 3.9).
 * `as const` objects with a type alias of the same name; never `enum`.
 */
export { ErrorCode, type ErrorCodeName } from '../errors.js';

/** ZooDefs.OpCode. 10 was never assigned; 20 (deleteContainer) and -10 (createSession) are server-internal. */
export const OpCode = {
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
} as const;
export type OpCode = (typeof OpCode)[keyof typeof OpCode];
/** The names of ZooKeeper's opcodes (`ZooDefs.OpCode`). */
export type OpName = keyof typeof OpCode;

/** Reserved xids (ClientCnxn). Normal requests use 1 .. 2^31-1 and wrap to 1. */
export const Xid = {
  notification: -1,
  ping: -2,
  auth: -4,
  setWatches: -8,
} as const;
export type Xid = (typeof Xid)[keyof typeof Xid];

/** Watcher.Event.EventType. Values 5-7 are client-generated, never on the wire. */
export const EventType = {
  None: -1,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
  DataWatchRemoved: 5,
  ChildWatchRemoved: 6,
  PersistentWatchRemoved: 7,
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** Watcher.Event.KeeperState. The server only ever sends SyncConnected (3). */
export const KeeperState = {
  Unknown: -1,
  Disconnected: 0,
  NoSyncConnected: 1,
  SyncConnected: 3,
  AuthFailed: 4,
  ConnectedReadOnly: 5,
  SaslAuthenticated: 6,
  Closed: 7,
  Expired: -112,
} as const;
export type KeeperState = (typeof KeeperState)[keyof typeof KeeperState];

/** Watcher.WatcherType, for checkWatches and removeWatches. Persistent(4/5) need a 3.9 server. */
export const WatcherType = {
  Children: 1,
  Data: 2,
  Any: 3,
  Persistent: 4,
  PersistentRecursive: 5,
} as const;
export type WatcherType = (typeof WatcherType)[keyof typeof WatcherType];

/** AddWatchMode (3.6+). */
export const AddWatchMode = {
  PERSISTENT: 0,
  PERSISTENT_RECURSIVE: 1,
} as const;
export type AddWatchMode = (typeof AddWatchMode)[keyof typeof AddWatchMode];

/** CreateMode: the `flags` value of a create request. */
export const CreateMode = {
  PERSISTENT: 0,
  EPHEMERAL: 1,
  PERSISTENT_SEQUENTIAL: 2,
  EPHEMERAL_SEQUENTIAL: 3,
  CONTAINER: 4,
  PERSISTENT_WITH_TTL: 5,
  PERSISTENT_SEQUENTIAL_WITH_TTL: 6,
} as const;
export type CreateMode = (typeof CreateMode)[keyof typeof CreateMode];

/** What a CreateMode value means: sequential, ephemeral, container, TTL. */
export interface CreateModeInfo {
  readonly ephemeral: boolean;
  readonly sequential: boolean;
  readonly container: boolean;
  readonly ttl: boolean;
  /** The opcode the Java client uses: the opcode, not the flag, makes a container or a TTL node. */
  readonly opCode: OpCode;
}

const modeInfo: Record<CreateMode, CreateModeInfo> = {
  0: { ephemeral: false, sequential: false, container: false, ttl: false, opCode: OpCode.create2 },
  1: { ephemeral: true, sequential: false, container: false, ttl: false, opCode: OpCode.create2 },
  2: { ephemeral: false, sequential: true, container: false, ttl: false, opCode: OpCode.create2 },
  3: { ephemeral: true, sequential: true, container: false, ttl: false, opCode: OpCode.create2 },
  4: { ephemeral: false, sequential: false, container: true, ttl: false, opCode: OpCode.createContainer },
  5: { ephemeral: false, sequential: false, container: false, ttl: true, opCode: OpCode.createTTL },
  6: { ephemeral: false, sequential: true, container: false, ttl: true, opCode: OpCode.createTTL },
};

/** What a create mode means, or undefined for a flag value ZooKeeper does not define. */
export function createModeInfo(mode: number): CreateModeInfo | undefined {
  return modeInfo[mode as CreateMode];
}

/** TTL bounds in ms (EphemeralType.TTL): 1 .. 2^40 - 1; the server answers BADARGUMENTS outside them. */
export const TTL_MIN = 1n;
/** The largest TTL, ms: 2^40 - 1. */
export const TTL_MAX = (1n << 40n) - 1n;

/** ZooDefs.Perms. */
export const Perms = {
  READ: 1,
  WRITE: 2,
  CREATE: 4,
  DELETE: 8,
  ADMIN: 16,
  ALL: 31,
} as const;
export type Perms = (typeof Perms)[keyof typeof Perms];

/** The 16 zero bytes a new session sends as its password. */
export const SESSION_PASSWORD_LENGTH = 16;

/** jute.maxbuffer default (0xFFFFF), the server's and the Java client's frame limit. */
export const JUTE_MAX_BUFFER = 0xfffff;

/** ClientCnxn.SET_WATCHES_MAX_LENGTH: a SetWatches batch stops growing at this many path characters. */
export const SET_WATCHES_MAX_LENGTH = 128 * 1024;
