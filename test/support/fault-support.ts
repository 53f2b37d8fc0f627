/**
 * Helpers shared by the fault tests: proxies in front of servers (so a test knows and controls which
 * server carries a client's connection), bounded settling of many requests and their outcomes.
 * State waits are in states.ts, promise bounds in promises.ts.
 */
import { ConnectionLossError, type ZooKeeper } from '../../src/entry/node.js';
import { within } from './promises.js';
import { FaultProxy } from './proxy/index.js';
import { type ZkServer, scaled, waitFor } from './zookeeper/index.js';

/** One FaultProxy per server, in server order. */
export function proxiesFor(servers: readonly ZkServer[]): Promise<FaultProxy[]> {
  return Promise.all(servers.map((s) => FaultProxy.start({ target: { host: s.host, port: s.clientPort } })));
}

/** The proxies' addresses as a connect string, with an optional chroot. */
export function proxyConnectString(proxies: readonly FaultProxy[], chroot = ''): string {
  return proxies.map((p) => p.address).join(',') + chroot;
}

/** Index of the one proxy carrying a connection, once exactly one does (old connections may still be closing); `ms` is scaled. */
export function carrierIndex(proxies: readonly FaultProxy[], ms: number): Promise<number> {
  return waitFor(
    () => {
      const open = proxies.map((p, i) => (p.connections > 0 ? i : -1)).filter((i) => i >= 0);
      return open.length === 1 ? open[0] : undefined;
    },
    {
      timeoutMs: scaled(ms),
      intervalMs: 10,
      what: 'exactly one proxy to carry the connection',
      detail: () => `connections per proxy: ${proxies.map((p) => p.connections).join(', ')}`,
    },
  );
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Settles every promise, failing the test (not hanging) if any is still pending after `ms` (scaled). */
export async function settleAll(promises: readonly Promise<unknown>[], ms: number): Promise<Outcome[]> {
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
    await within(all, ms, 'settling every request');
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
  await Promise.allSettled(clients.flatMap((c) => (c === undefined ? [] : [c.close()])));
  await Promise.allSettled(proxies.map((p) => p.close()));
}
