/** zkts for Bun: the public API with the Bun.connect transport as the default. */
import { type ConnectOptions, connectWith } from '../client/connect.js';
import type { ZooKeeper } from '../client/zookeeper.js';
import { bunTransport } from '../transport/bun.js';

export * from '../index.js';
export { bunTransport } from '../transport/bun.js';

/** Connects to `host:port[,host:port...][/chroot]`; resolves once a session is established. */
export function connect(connectString: string, options: ConnectOptions = {}): Promise<ZooKeeper> {
  return connectWith(bunTransport, connectString, options);
}
