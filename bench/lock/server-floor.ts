/**
 * The server's floor, measured in the same run with zkts's own client (two sessions, through the same
 * proxies as the runners when --rtt is set), one operation at a time:
 *
 * - create+delete: create(EPHEMERAL_SEQUENTIAL) then delete, by one session: two writes back to back,
 *   the cost of entering and leaving the lock queue.
 * - delete→notification: session B watches a node (exists, watch); session A deletes it; the time from
 *   A's delete call until B's NodeDeleted arrives. A lock handoff needs at least this (the holder's
 *   delete has to reach the next holder), so 1 / its p50 is the ceiling on handoffs per second for any
 *   client of this server, and 1 / (p50 + hold) with a hold time.
 */
import { CreateMode, connect, type ZooKeeper } from '../../src/entry/node.js';
import { type LatencySummary, summarize } from './stats.js';

export interface FloorResult {
  iterations: number;
  createDeleteUs: LatencySummary;
  notifyUs: LatencySummary;
}

export interface FloorOptions {
  hosts: string;
  /** Absolute path of a persistent node the floor may use (created beforehand). */
  dir: string;
  iterations: number;
  warmupIterations: number;
  /** Several servers: B syncs before watching, so it sees A's node wherever each is connected. */
  sync: boolean;
}

const nowUs = (): number => performance.now() * 1000;

async function createDelete(a: ZooKeeper, dir: string): Promise<number> {
  const t0 = nowUs();
  const path = await a.create(`${dir}/cd-`, null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
  await a.delete(path);
  return nowUs() - t0;
}

async function notify(a: ZooKeeper, b: ZooKeeper, dir: string, sync: boolean): Promise<number> {
  const path = await a.create(`${dir}/nd-`, null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
  // On an ensemble B's server may not have applied A's create yet: catch up first (not timed).
  if (sync) await b.sync(path);
  const { stat, watch } = await b.exists(path, { watch: true });
  if (stat === null) throw new Error(`floor: ${path} vanished`);
  const t0 = nowUs();
  const deleted = a.delete(path);
  const event = await watch;
  const t1 = nowUs();
  await deleted;
  if (event.type !== 'NodeDeleted') throw new Error(`floor: expected NodeDeleted, got ${event.type}`);
  return t1 - t0;
}

export async function measureFloor(o: FloorOptions): Promise<FloorResult> {
  const a = await connect(o.hosts, { sessionTimeout: 10_000 });
  let b: ZooKeeper | undefined;
  try {
    b = await connect(o.hosts, { sessionTimeout: 10_000 });
    // Warm-up: the server's and this process's JIT, and the disk's write path.
    for (let i = 0; i < o.warmupIterations; i++) {
      await createDelete(a, o.dir);
      await notify(a, b, o.dir, o.sync);
    }
    const cd: number[] = [];
    const nd: number[] = [];
    // Interleaved, so drift in the machine's load hits both figures alike.
    for (let i = 0; i < o.iterations; i++) {
      cd.push(await createDelete(a, o.dir));
      nd.push(await notify(a, b, o.dir, o.sync));
    }
    return { iterations: o.iterations, createDeleteUs: summarize(cd), notifyUs: summarize(nd) };
  } finally {
    await Promise.allSettled([a.close(), b?.close()]);
  }
}
