/**
 * Helpers shared by the fault tests: proxies in front of servers (so a test knows and controls which
 * server carries a client's connection), state waits, bounded settling of many promises.
 * Every wait is bounded; callers pass bounds already scaled by TIMING_MULTIPLIER.
 */
import { ConnectionLossError, type SessionState, type StateChange, type ZooKeeper } from '../../src/entry/node.js';
import { FaultProxy } from './proxy/index.js';
import { type ZkServer, waitFor } from './zookeeper/index.js';

/** One FaultProxy per server, in server order. */
export function proxiesFor(servers: readonly ZkServer[]): Promise<FaultProxy[]> {
  return Promise.all(servers.map((s) => FaultProxy.start({ target: { host: s.host, port: s.clientPort } })));
}

/** The proxies' addresses as a connect string, with an optional chroot. */
export function proxyConnectString(proxies: readonly FaultProxy[], chroot = ''): string {
  return proxies.map((p) => p.address).join(',') + chroot;
}

/** Index of the one proxy carrying a connection, once exactly one does (old connections may still be closing). */
export function carrierIndex(proxies: readonly FaultProxy[], timeoutMs: number): Promise<number> {
  return waitFor(
    () => {
      const open = proxies.map((p, i) => (p.connections > 0 ? i : -1)).filter((i) => i >= 0);
      return open.length === 1 ? open[0] : undefined;
    },
    {
      timeoutMs,
      intervalMs: 10,
      what: 'exactly one proxy to carry the connection',
      detail: () => `connections per proxy: ${proxies.map((p) => p.connections).join(', ')}`,
    },
  );
}

/** Every state change of `zk` from now on, with the time (zk.now()) it happened. */
export function recordStates(zk: ZooKeeper): { changes: (StateChange & { at: number })[]; stop: () => void } {
  const changes: (StateChange & { at: number })[] = [];
  const stop = zk.onStateChange((c) => changes.push({ ...c, at: zk.now() }));
  return { changes, stop };
}

/**
 * Resolves with the first state change to one of `states` from now on; rejects after `timeoutMs`.
 * Subscribe before causing the change.
 */
export function nextState(zk: ZooKeeper, states: readonly SessionState[], timeoutMs: number): Promise<StateChange> {
  return new Promise((resolve, reject) => {
    const off = zk.onStateChange((change) => {
      if (!states.includes(change.state)) return;
      off();
      clearTimeout(timer);
      resolve(change);
    });
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no state in [${states.join(', ')}] within ${timeoutMs} ms (state is ${zk.state})`));
    }, timeoutMs);
  });
}

/** `promise`, or a rejection naming `what` after `timeoutMs`. */
export function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

/** Marks `promise` handled now (it may reject before the test awaits it) and returns it unchanged. */
export function track<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Settles every promise, failing the test (not hanging) if any is still pending after `timeoutMs`. */
export async function settleAll(promises: readonly Promise<unknown>[], timeoutMs: number): Promise<Outcome[]> {
  const outcomes: (Outcome | undefined)[] = promises.map(() => undefined);
  const all = Promise.all(
    promises.map((p, i) =>
      p.then(
        (value) => void (outcomes[i] = { ok: true, value }),
        (error: unknown) => void (outcomes[i] = { ok: false, error }),
      ),
    ),
  );
  try {
    await within(all, timeoutMs, 'settling every request');
  } catch (err) {
    const pending = outcomes.filter((o) => o === undefined).length;
    throw new Error(`${pending} of ${promises.length} requests still pending`, { cause: err });
  }
  return outcomes as Outcome[];
}

/** Errors among the outcomes that are not ConnectionLossError (expected: none). */
export function unexpectedErrors(outcomes: readonly Outcome[]): unknown[] {
  return outcomes.flatMap((o) => (o.ok || o.error instanceof ConnectionLossError ? [] : [o.error]));
}

/** Call-order outcome pattern: R for resolved, L for ConnectionLossError, X for anything else. */
export function outcomePattern(outcomes: readonly Outcome[]): string {
  return outcomes.map((o) => (o.ok ? 'R' : o.error instanceof ConnectionLossError ? 'L' : 'X')).join('');
}

/** Closes clients and proxies, ignoring the ones that are gone already. */
export async function closeAll(clients: readonly (ZooKeeper | undefined)[], proxies: readonly FaultProxy[] = []): Promise<void> {
  await Promise.allSettled(clients.map((c) => c?.close()));
  await Promise.allSettled(proxies.map((p) => p.close()));
}
