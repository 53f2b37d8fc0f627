/** zkts for Deno: the public API with the Deno.connect / Deno.startTls transport as the default (run with --allow-net). */
import { type ConnectOptions, connectWith } from '../client/connect.js';
import type { ZooKeeper } from '../client/zookeeper.js';
import { denoTransport } from '../transport/deno.js';

export * from '../index.js';
export { denoTransport } from '../transport/deno.js';

/** Connects to `host:port[,host:port...][/chroot]`; resolves once a session is established. */
export function connect(connectString: string, options: ConnectOptions = {}): Promise<ZooKeeper> {
  return connectWith(denoTransport, connectString, options);
}
