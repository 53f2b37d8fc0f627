/**
 * Helpers for the recipe tests: a client wrapper that records the calls a recipe makes (which nodes it
 * watches, in what order), and a wait for the recipes running on some clients to settle.
 */
import type { ZooKeeper } from '../../../src/entry/node.js';

export interface Call {
  method: string;
  path: string;
  /** Called with `{ watch: true }`. */
  watch: boolean;
}

/** `zk` behind a Proxy that records every method call whose first argument is a path (or, watchData, paths). */
export function recording(zk: ZooKeeper): { zk: ZooKeeper; calls: Call[]; watched(method?: string): string[] } {
  const calls: Call[] = [];
  const proxy = new Proxy(zk, {
    get(target, prop) {
      // Getters and methods run on the real client (its private state is not reachable through a proxy).
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const [path, options] = args;
        if (Array.isArray(path)) {
          // watchData(paths): one request arming a data watch on each path.
          for (const p of path as unknown[]) if (typeof p === 'string') calls.push({ method: String(prop), path: p, watch: true });
        } else if (typeof path === 'string') {
          const watch = typeof options === 'object' && options !== null && (options as { watch?: unknown }).watch === true;
          calls.push({ method: String(prop), path, watch });
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    zk: proxy,
    calls,
    watched: (method) => calls.filter((c) => c.watch && (method === undefined || c.method === method)).map((c) => c.path),
  };
}

/**
 * Lets the recipes running on these clients settle: three rounds of a round trip on every client, each
 * followed by a macrotask turn. The server delivers a change's notifications before any later reply on
 * the connection, and a recipe reacts to a reply with promise hops only (no timers), so a recipe needing
 * up to three round trips to react to what has happened has done so when this resolves.
 */
export async function roundTrip(...clients: ZooKeeper[]): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await Promise.all(clients.map((zk) => zk.exists('/')));
    await new Promise((resolve) => setImmediate(resolve));
  }
}
