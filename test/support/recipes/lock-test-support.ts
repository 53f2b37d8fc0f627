/** Helpers shared by the Mutex and Lease tests: a client behind its own FaultProxy, request counts, small waits. */
import { onTestFinished } from 'vitest';
import type { ConnectOptions, SessionState, ZooKeeper } from '../../../src/entry/node.js';
import { FaultProxy } from '../proxy/index.js';
import { scaled, splitConnectString, waitFor } from '../zookeeper/index.js';
import { type ClientEnv, within } from '../client-fixture.js';

/** Short enough for fault tests to expire sessions quickly. */
export const SESSION = { sessionTimeout: 4000 };
export const WAIT_MS = scaled(10_000);

/** A client whose traffic goes through its own FaultProxy; both are closed when the test ends. */
export async function viaProxy(
  env: ClientEnv,
  options: ConnectOptions = SESSION,
): Promise<{ proxy: FaultProxy; zk: ZooKeeper }> {
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

/** A promise and whether it has settled yet. */
export function track<T>(p: Promise<T>): { readonly settled: boolean; readonly promise: Promise<T> } {
  const state = { settled: false, promise: p };
  p.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

/** The last segment of a path. */
export function name(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Resolves on the next state change of `zk` to one of `states`. Subscribe before causing it. */
export function nextState(zk: ZooKeeper, states: readonly SessionState[]): Promise<SessionState> {
  return within(
    new Promise<SessionState>((resolve) => {
      const off = zk.onStateChange((c) => {
        if (states.includes(c.state)) {
          off();
          resolve(c.state);
        }
      });
    }),
    15_000,
    `state ${states.join('|')}`,
  );
}
