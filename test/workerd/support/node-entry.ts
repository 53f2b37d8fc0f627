/**
 * What `src/entry/node.js` resolves to when the integration tests run inside workerd
 * (vitest.workers.config.ts aliases it here): the Workers entry, so `connect` and every client the tests
 * open use the cloudflare:sockets transport. `nodeTransport` is that transport under the Node name, for
 * the tests that wrap "the default transport" (countingTransport, taps).
 *
 * The transport is wrapped for the remote FaultProxy (remote-fault-proxy.ts): connects and writes wait
 * while proxy control calls are on their way, so a proxy setting made before a write applies to it, as
 * with the in-process proxy; and frames written to a proxy's port are counted for its requestCounts().
 * With no control call pending, writes pass straight through.
 */
import {
  type ConnectOptions,
  type Transport,
  type TransportConnection,
  type ZooKeeper,
  connect as workersConnect,
  workerdTransport,
} from '../../../src/entry/workers.js';
import { FrameSplitter } from '../../../src/protocol/frame.js';
import { controlApplied, controlPending, proxyAt } from './remote-fault-proxy.js';

export * from '../../../src/entry/workers.js';

function ordered(inner: Transport): Transport {
  return {
    async connect(options) {
      await controlApplied();
      const conn = await inner.connect(options);
      const proxy = proxyAt(options.port);
      proxy?.opened();
      const splitter = new FrameSplitter();
      let frames = 0;
      let held: Uint8Array[] = [];
      let heldBytes = 0;
      let flushing: Promise<void> | undefined;
      const flush = (): Promise<void> =>
        (flushing ??= (async () => {
          while (held.length > 0) {
            await controlApplied();
            const batch = held;
            held = [];
            heldBytes = 0;
            for (const bytes of batch) conn.write(bytes);
          }
          flushing = undefined;
        })());
      const wrapped: TransportConnection = {
        start: (sink) => conn.start(sink),
        write(bytes) {
          if (proxy !== undefined) for (const payload of splitter.push(bytes)) proxy.frame(frames++, payload);
          if (held.length === 0 && !controlPending()) return conn.write(bytes);
          held.push(bytes);
          heldBytes += bytes.length;
          void flush();
          return false;
        },
        async drained() {
          if (held.length > 0) await flush();
          await conn.drained();
        },
        get bufferedAmount() {
          return conn.bufferedAmount + heldBytes;
        },
        close() {
          held = [];
          heldBytes = 0;
          conn.close();
        },
        remote: conn.remote,
      };
      return wrapped;
    },
  };
}

export const nodeTransport: Transport = ordered(workerdTransport);

export function connect(connectString: string, options: ConnectOptions = {}): Promise<ZooKeeper> {
  return workersConnect(connectString, { ...options, transport: options.transport ?? nodeTransport });
}
