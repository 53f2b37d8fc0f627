/** zkts for Node (and Bun): the public API with the node:net / node:tls transport as the default. */
import { type ConnectOptions, connectWith } from '../client/connect.js';
import type { ZooKeeper } from '../client/zookeeper.js';
import { nodeTransport } from '../transport/node.js';

export * from '../index.js';
export { nodeTransport } from '../transport/node.js';

/** Connects to `host:port[,host:port...][/chroot]`; resolves once a session is established. */
export function connect(connectString: string, options: ConnectOptions = {}): Promise<ZooKeeper> {
  return connectWith(nodeTransport, connectString, options);
}
