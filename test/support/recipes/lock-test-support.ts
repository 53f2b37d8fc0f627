/** Helpers shared by the Mutex and Lease tests: a client behind its own FaultProxy, request counts, small waits. */
import { onTestFinished } from 'vitest';
import type { ConnectOptions, ZooKeeper } from '../../../src/entry/node.js';
import { FaultProxy } from '../proxy/index.js';
import { scaled, splitConnectString, waitFor } from '../zookeeper/index.js';
import type { ClientEnv } from '../client-fixture.js';

/** Short enough for fault tests to expire sessions quickly. */
export const SESSION = { sessionTimeout: 4000 };
export const WAIT_MS = scaled(10_000);

/** A client whose traffic goes through its own FaultProxy; both are closed when the test ends. */
export async function viaProxy(env: ClientEnv, options: ConnectOptions = SESSION): Promise<{ proxy: FaultProxy; zk: ZooKeeper }> {
  const proxy = await FaultProxy.start({ target: splitConnectString(env.hosts).hosts[0]! });
  const zk = await env.connectTo(proxy.address + env.chroot.path, options);
  onTestFinished(async () => {
    await zk.close();
    await proxy.close();
  });
  return { proxy, zk };
}

/** Requests of `opcode` (or handshakes, 'connect') the proxy has seen. */
export function seen(proxy: FaultProxy, opcode: number | 'connect'): number {
  return proxy.requestCounts().get(opcode) ?? 0;
}

/** Waits until the proxy has seen `n` requests of `opcode`. */
export function untilSeen(proxy: FaultProxy, opcode: number, n: number): Promise<true> {
  return waitFor(() => (seen(proxy, opcode) >= n ? true : undefined), {
    timeoutMs: WAIT_MS,
    intervalMs: 2,
    what: `${n} requests of opcode ${opcode}`,
    detail: () => JSON.stringify([...proxy.requestCounts()]),
  });
}

/** The last segment of a path. */
export function name(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
