/**
 * zkts for Node (and Bun): the public API with the node:net / node:tls transport as the default.
 *
 * @module zkts
 */
import { type ConnectOptions, connectWith } from '../client/connect.js';
import type { ZooKeeper } from '../client/zookeeper.js';
import { nodeTransport } from '../transport/node.js';

export * from '../index.js';
export { nodeTransport } from '../transport/node.js';

/**
 * Connects to `host:port[,host:port...][/chroot]` over `node:net` (or `node:tls` with `options.tls`) and
 * resolves once a session is established. Hosts are tried shuffled; a chroot prefixes every path.
 *
 * @throws {@link NoHostsError} when no server gave a session within `connectTimeout` (default: the session timeout).
 * @throws {@link InvalidArgumentError} for a bad connect string or options.
 * @throws {@link AuthFailedError} when a credential in `options.auth` is rejected.
 * @example
 * ```ts
 * import { connect } from 'zkts';
 *
 * await using zk = await connect('zk1:2181,zk2:2181,zk3:2181/app', {
 *   sessionTimeout: 10_000,
 *   auth: [{ scheme: 'digest', auth: 'user:password' }],
 * });
 * ```
 */
export function connect(connectString: string, options: ConnectOptions = {}): Promise<ZooKeeper> {
  return connectWith(nodeTransport, connectString, options);
}
