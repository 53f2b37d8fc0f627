/**
 * zkts for Cloudflare Workers (workerd): the public API with the `cloudflare:sockets` transport as the
 * default. A socket belongs to the request (or Durable Object) that opened it: a session outlives one
 * request only inside a Durable Object. See README, Cloudflare Workers.
 */
import { type ConnectOptions, connectWith } from '../client/connect.js';
import type { ZooKeeper } from '../client/zookeeper.js';
import { checkWorkerdTls, workerdTransport } from '../transport/workerd.js';

export * from '../index.js';
export { workerdTransport } from '../transport/workerd.js';

/**
 * Connects to `host:port[,host:port...][/chroot]`; resolves once a session is established.
 * Notable errors: UnsupportedError at once for TLS options workerd cannot apply per connection (`ca`,
 * `cert`, `key`, `rejectUnauthorized: false`, `servername`), unless another transport is passed.
 */
export async function connect(connectString: string, options: ConnectOptions = {}): Promise<ZooKeeper> {
  if (options.transport === undefined) checkWorkerdTls(options.tls);
  return connectWith(workerdTransport, connectString, options);
}
