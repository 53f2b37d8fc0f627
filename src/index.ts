/**
 * zkts: the runtime-neutral public API. It needs a transport: `connect(url, { transport })`.
 * Runtime entries (src/entry) re-export all of this with their default transport wired in; `import 'zkts'`
 * picks one by export condition (bun, deno, workerd/worker, node) and gets this module only where none
 * matches (a browser bundle, an unknown runtime).
 */
import { type ConnectOptions, connectWith } from './client/connect.js';
import type { ZooKeeper } from './client/zookeeper.js';

export type { ConnectOptions } from './client/connect.js';
export { ZooKeeper } from './client/zookeeper.js';
export {
  isMultiError,
  type MultiError,
  type DataResult,
  type ReadResult,
  type WriteResult,
  type VersionOptions,
  type WatchOption,
  type WatchTypeName,
} from './client/results.js';
export { op, type CreateOptions, type Data, type ReadOp, type WriteOp } from './client/op.js';
export { PersistentWatch } from './client/persistent-watch.js';
export type { WatchedEvent, EventTypeName, KeeperStateName } from './client/watched-event.js';
export type { SessionState, StateChange } from './session/state.js';
export { isTerminal } from './session/state.js';
export type { Logger, LogLevel } from './session/options.js';
export type { SaslCredentials } from './session/sasl.js';
export type { Clock } from './session/clock.js';
export type { ValidityHold } from './session/validity-keeper.js';
export type { Transport, TransportConnection, TransportConnectOptions, TransportSink, TransportTlsOptions } from './transport/types.js';
export { CreateMode, Perms, ErrorCode, type ErrorCodeName } from './protocol/constants.js';
export type { ACL, Id, Stat, ClientInfo } from './protocol/records/data.js';
export { ANYONE_ID_UNSAFE, AUTH_IDS, OPEN_ACL_UNSAFE, CREATOR_ALL_ACL, READ_ACL_UNSAFE, digestACL } from './protocol/acl.js';
export { digestId } from './protocol/digest.js';
export * from './errors.js';

/**
 * Connects with an explicit transport (`options.transport` is required here); the runtime entries
 * (`zkts`, `zkts/bun`, `zkts/deno`, the workerd condition) export a `connect` with their default.
 *
 * @throws {@link InvalidArgumentError} without `options.transport`, or for a bad connect string or options.
 * @throws {@link NoHostsError} when no server gave a session within `connectTimeout`.
 */
export function connect(connectString: string, options: ConnectOptions = {}): Promise<ZooKeeper> {
  return connectWith(undefined, connectString, options);
}
