/**
 * SharedMutex (src/recipes/shared-mutex.ts) against a real server: local hand-offs on one node, mutual
 * exclusion with local and remote acquirers mixed (checked by the benchmark's fenced store with the
 * fencing tokens), token order across a local run and a remote holder, the fairness bounds K and T,
 * session expiry with a local queue, cancellation of local waiters, and what each local holder's lease
 * promises (signal, held, validUntil, guard, idempotent release).
 *
 * "Still waiting" is never shown by sleeping: the local queue's length, the contender nodes on the
 * server and the requests a proxy has seen say where everyone is.
 */
import { AcquireTimeoutError, LockLostError, NoNodeError, type ZooKeeper, op } from '../../../src/entry/node.js';
import { OpCode } from '../../../src/protocol/index.js';
import { Mutex } from '../../../src/recipes/mutex.js';
import { type SharedLease, SharedMutex } from '../../../src/recipes/shared-mutex.js';
import { FencedStore } from '../../../bench/lock/fenced-store.js';
import { StoreClient } from '../../../bench/lock/store-client.js';
import { scaled, waitFor } from '../../support/zookeeper/index.js';
import { describe, expect, test, text } from '../../support/client-fixture.js';
import { name, seen, SESSION, viaProxy, WAIT_MS } from '../../support/recipes/lock-test-support.js';
import { errorOf, eventually, track, within } from '../../support/promises.js';

/** The lock directory's contender nodes, sorted; none when the server has reaped the (container) directory. */
async function children(zk: ZooKeeper, dir: string): Promise<string[]> {
  try {
    return (await zk.getChildren(dir)).sort();
  } catch (err) {
    if (err instanceof NoNodeError) return [];
    throw err;
  }
}

/** Waits until `dir` has `n` contender nodes. */
function untilNodes(zk: ZooKeeper, dir: string, n: number): Promise<string[]> {
  return waitFor(
    async () => {
      const c = await children(zk, dir);
      return c.length === n ? c : undefined;
    },
    { timeoutMs: WAIT_MS, intervalMs: 5, what: `${n} contender nodes under ${dir}` },
  );
}

/** Waits until `n` local acquirers queue on the shared mutex. */
function untilQueued(mutex: SharedMutex, n: number): Promise<true> {
  return waitFor(() => (mutex.waiting === n ? true : undefined), { timeoutMs: WAIT_MS, intervalMs: 2, what: `${n} local waiters` });
}

async function lostReason(lease: { signal: AbortSignal }, ms = 10_000): Promise<LockLostError> {
  const signal = lease.signal;
  if (!signal.aborted)
    await within(new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true })), ms, 'the lease signal');
  const reason: unknown = signal.reason;
  expect(reason).toBeInstanceOf(LockLostError);
  return reason as LockLostError;
}

const tick = (ms = 1): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('shared mutex - local hand-off', () => {
  test('shared mutex - local acquirers take turns on one node: one create, one delete, tokens czxid x 2^16 + sequence', async ({ env }) => {
    await env.zk.create('/lock');
    const { proxy, zk } = await viaProxy(env);
    const mutex = new SharedMutex(zk, '/lock');
    const M = 6;
    const creates = seen(proxy, OpCode.create2);
    const order: SharedLease[] = [];
    // Acquire M at once; each releases right after recording, so the next one is handed the lock locally.
    const all = Array.from({ length: M }, () =>
      mutex.acquire().then(async (lease) => {
        order.push(lease);
        expect(lease.held).toBe(true);
        await tick();
        await lease.release();
      }),
    );
    await within(Promise.all(all), 20_000, 'every acquirer');
    expect(order).toHaveLength(M);
    const path = order[0]!.path;
    const czxid = order[0]!.stat.czxid;
    expect(order.map((l) => l.localSequence)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const [i, lease] of order.entries()) {
      expect(lease.path).toBe(path); // one node for the whole local run
      expect(lease.fencingToken).toBe((czxid << 16n) + BigInt(lease.localSequence));
      if (i > 0) expect(lease.fencingToken > order[i - 1]!.fencingToken).toBe(true);
    }
    expect(name(path)).toMatch(/^_c_[0-9a-f-]{36}-lock-\d{10}$/);
    expect(seen(proxy, OpCode.create2) - creates).toBe(1);
    await eventually(async () => (await children(env.zk, '/lock')).length === 0, WAIT_MS, 'the node to be deleted once nobody waits');
  });

  test('shared mutex - a sequential local run creates one node and sends no request per local hand-off', async ({ env }) => {
    await env.zk.create('/lock');
    const { proxy, zk } = await viaProxy(env);
    const mutex = new SharedMutex(zk, '/lock');
    const first = await mutex.acquire();
    const waiters = Array.from({ length: 5 }, () => track(mutex.acquire()));
    await untilQueued(mutex, 5);
    proxy.resetCounts();
    let lease: SharedLease = first;
    for (const [i, w] of waiters.entries()) {
      await lease.release();
      lease = await within(w.promise, 10_000, `local waiter ${i}`);
      expect(lease.localSequence).toBe(i + 1);
      expect(lease.path).toBe(first.path);
    }
    // Five local hand-offs: no create, no delete, no listing went to the server.
    expect(seen(proxy, OpCode.create2)).toBe(0);
    expect(seen(proxy, OpCode.delete)).toBe(0);
    expect(seen(proxy, OpCode.getChildren) + seen(proxy, OpCode.getChildren2)).toBe(0);
    await lease.release();
    expect(await children(env.zk, '/lock')).toEqual([]);
  });
});

describe('shared mutex - exclusion and fencing', () => {
  test('shared mutex - local and remote acquirers mixed never overlap and present strictly increasing tokens to the fenced store', async ({
    env,
  }) => {
    const CLIENTS = 3;
    const LOCAL = 6;
    const ITERATIONS = 4;
    const store = await FencedStore.start();
    const stores: StoreClient[] = [];
    try {
      await env.zk.create('/lock');
      const clients = await Promise.all(Array.from({ length: CLIENTS }, () => env.connect(SESSION)));
      const plain = await env.connect(SESSION);
      const holds: { token: bigint; session: bigint }[] = [];
      let inside = 0;
      let maxInside = 0;
      const section = async (client: StoreClient, token: bigint, session: bigint, who: string): Promise<void> => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        holds.push({ token, session });
        expect(await client.enter('/lock', token.toString(), 'w', who)).toBe(true);
        await tick();
        inside--;
        await client.exit('/lock', token.toString(), who);
      };
      const sharedWorker = async (zk: ZooKeeper, c: number, l: number): Promise<void> => {
        // Short turns, so the lock moves between the clients many times.
        const mutex = new SharedMutex(zk, '/lock', { maxHoldMs: 5 });
        const client = await StoreClient.connect(store.address);
        stores.push(client);
        for (let i = 0; i < ITERATIONS; i++) {
          const lease = await within(mutex.acquire(), 30_000, 'a shared acquire');
          try {
            await section(client, lease.fencingToken, lease.sessionId, `s${c}-${l}`);
          } finally {
            await lease.release();
          }
        }
      };
      // A default Mutex holder on the same path and store presents czxid x 2^16 (shared-token.ts).
      const plainWorker = async (): Promise<void> => {
        const mutex = new Mutex(plain, '/lock');
        const client = await StoreClient.connect(store.address);
        stores.push(client);
        for (let i = 0; i < ITERATIONS; i++) {
          const lease = await within(mutex.acquire(), 30_000, 'a default acquire');
          try {
            await section(client, lease.fencingToken << 16n, lease.sessionId, 'plain');
          } finally {
            await lease.release();
          }
        }
      };
      await Promise.all([...clients.flatMap((zk, c) => Array.from({ length: LOCAL }, (_, l) => sharedWorker(zk, c, l))), plainWorker()]);
      expect(maxInside).toBe(1);
      const stats = store.stats('/lock');
      expect(stats.enters).toBe((CLIENTS * LOCAL + 1) * ITERATIONS);
      expect(stats.overlaps, stats.examples.join('; ')).toBe(0);
      expect(stats.stale, stats.examples.join('; ')).toBe(0);
      for (let i = 1; i < holds.length; i++) expect(holds[i]!.token > holds[i - 1]!.token, `token ${i}`).toBe(true);
      // The lock really moved between the sessions, not once per session.
      const switches = holds.filter((h, i) => i > 0 && h.session !== holds[i - 1]!.session).length;
      expect(switches).toBeGreaterThanOrEqual(CLIENTS + 1);
      expect(await children(env.zk, '/lock')).toEqual([]);
    } finally {
      for (const s of stores) s.close();
      await store.close();
    }
  });

  test('shared mutex - a remote holder after a local run gets a larger token than every local holder', async ({ env }) => {
    await env.zk.create('/lock');
    const a = await env.connect(SESSION);
    const b = await env.connect(SESSION);
    const local = new SharedMutex(a, '/lock', { maxHoldMs: 60_000 });
    const first = await local.acquire();
    // The remote contender queues behind our node; then three local acquirers queue in memory.
    const remote = track(new SharedMutex(b, '/lock').acquire());
    await untilNodes(env.zk, '/lock', 2);
    const waiters = Array.from({ length: 3 }, () => track(local.acquire()));
    await untilQueued(local, 3);
    const tokens = [first.fencingToken];
    let lease = first;
    for (const w of waiters) {
      await lease.release();
      lease = await within(w.promise, 10_000, 'a local hand-off');
      tokens.push(lease.fencingToken);
      expect(remote.settled).toBe(false);
    }
    await lease.release();
    const remoteLease = await within(remote.promise, 10_000, 'the remote holder');
    expect(remoteLease.localSequence).toBe(0);
    for (const t of tokens) expect(remoteLease.fencingToken > t).toBe(true);
    expect(remoteLease.stat.czxid > first.stat.czxid).toBe(true);
    // And a default Mutex after that, with its token scaled, is above the remote run.
    const plain = track(new Mutex(a, '/lock').acquire());
    await remoteLease.release();
    const plainLease = await within(plain.promise, 10_000, 'the default Mutex holder');
    expect(plainLease.fencingToken << 16n > remoteLease.fencingToken).toBe(true);
    await plainLease.release();
  });
});

describe('shared mutex - fairness', () => {
  /** A process that keeps acquiring locally with `workers` acquirers until `stop` resolves; counts its holds. */
  function keepAcquiring(mutex: SharedMutex, workers: number, stop: Promise<unknown>): { holds: SharedLease[]; done: Promise<void> } {
    let stopped = false;
    void stop.then(() => (stopped = true));
    const holds: SharedLease[] = [];
    const loop = async (): Promise<void> => {
      while (!stopped) {
        const lease = await mutex.acquire({ timeout: 30_000 });
        holds.push(lease);
        await tick();
        await lease.release();
      }
    };
    return { holds, done: Promise.all(Array.from({ length: workers }, loop)).then(() => undefined) };
  }

  test('shared mutex - after K local hand-offs a remote waiter gets the lock while the process keeps acquiring', async ({ env }) => {
    await env.zk.create('/lock');
    const a = await env.connect(SESSION);
    const b = await env.connect(SESSION);
    const K = 10;
    const local = new SharedMutex(a, '/lock', { maxLocalHandoffs: K, maxHoldMs: 600_000 });
    let remoteHeld!: () => void;
    const stop = new Promise<void>((resolve) => (remoteHeld = resolve));
    const guard = setTimeout(remoteHeld, scaled(20_000)); // bounded either way
    const run = keepAcquiring(local, 4, stop);
    try {
      await waitFor(() => (run.holds.length > 0 ? true : undefined), { timeoutMs: WAIT_MS, intervalMs: 2, what: 'the local run' });
      const remote = new Mutex(b, '/lock').acquire({ timeout: scaled(15_000) });
      await untilNodes(env.zk, '/lock', 2);
      const remoteNode = (await children(env.zk, '/lock')).find((c) => !run.holds.some((h) => name(h.path) === c))!;
      const before = run.holds.length;
      const lease = await within(remote, 20_000, 'the remote waiter');
      const during = run.holds.length - before;
      remoteHeld();
      expect(name(lease.path)).toBe(remoteNode);
      // The turn had at most K hand-offs left when the remote node appeared (plus the holder at that moment).
      expect(during).toBeLessThanOrEqual(K + 1);
      expect(lease.fencingToken << 16n > run.holds[run.holds.length - 1]!.fencingToken).toBe(true);
      await lease.release();
      await within(run.done, 20_000, 'the local run to stop');
      // The process kept going after the remote holder: its queue contended again with a new node.
      expect(new Set(run.holds.map((h) => h.path)).size).toBeGreaterThanOrEqual(2);
    } finally {
      clearTimeout(guard);
      remoteHeld();
    }
  });

  test('shared mutex - after T ms of holding a remote waiter gets the lock while the process keeps acquiring', async ({ env }) => {
    await env.zk.create('/lock');
    const a = await env.connect(SESSION);
    const b = await env.connect(SESSION);
    const T = 100;
    const local = new SharedMutex(a, '/lock', { maxLocalHandoffs: 65_535, maxHoldMs: T });
    let remoteHeld!: () => void;
    const stop = new Promise<void>((resolve) => (remoteHeld = resolve));
    const guard = setTimeout(remoteHeld, scaled(20_000));
    const run = keepAcquiring(local, 4, stop);
    try {
      await waitFor(() => (run.holds.length > 0 ? true : undefined), { timeoutMs: WAIT_MS, intervalMs: 2, what: 'the local run' });
      const remote = track(new SharedMutex(b, '/lock').acquire({ timeout: scaled(15_000) }));
      await untilNodes(env.zk, '/lock', 2);
      const queuedAt = performance.now();
      const lease = await within(remote.promise, 20_000, 'the remote waiter');
      const waited = performance.now() - queuedAt;
      const stillRunning = !(await Promise.race([run.done.then(() => true), Promise.resolve(false)]));
      remoteHeld();
      // Without the bound the remote waiter would wait until the local run stops (20 s); with it, T plus
      // one hand-off through the server (generous slack for a loaded machine).
      expect(stillRunning).toBe(true);
      expect(waited).toBeLessThan(T + scaled(3000));
      await lease.release();
      await within(run.done, 20_000, 'the local run to stop');
    } finally {
      clearTimeout(guard);
      remoteHeld();
    }
  });

  test('shared mutex - when nobody else waits the turn renews: the node is kept past K hand-offs', async ({ env }) => {
    await env.zk.create('/lock');
    const { proxy, zk } = await viaProxy(env);
    const local = new SharedMutex(zk, '/lock', { maxLocalHandoffs: 3, maxHoldMs: 600_000 });
    const first = await local.acquire();
    const waiters = Array.from({ length: 8 }, () => track(local.acquire()));
    await untilQueued(local, 8);
    let lease = first;
    for (const w of waiters) {
      await lease.release();
      lease = await within(w.promise, 10_000, 'a local hand-off');
      expect(lease.path).toBe(first.path);
    }
    // One listing per ended turn (after hand-offs 3 and 6), no create or delete.
    expect(seen(proxy, OpCode.getChildren) + seen(proxy, OpCode.getChildren2)).toBeLessThanOrEqual(1 + 2);
    expect(lease.localSequence).toBe(8);
    await lease.release();
  });
});

describe('shared mutex - session end and cancellation', () => {
  test('shared mutex - session expiry with a local queue: the holder loses the lease, every waiter fails with session-ended, no node is left', async ({
    env,
  }) => {
    await env.zk.create('/lock');
    const { proxy, zk } = await viaProxy(env, { sessionTimeout: 2000 });
    const mutex = new SharedMutex(zk, '/lock');
    const holder = await mutex.acquire();
    const waiters = Array.from({ length: 5 }, () => track(mutex.acquire()));
    await untilQueued(mutex, 5);
    proxy.blackhole(true);
    const errors = await within(Promise.all(waiters.map((w) => errorOf(w.promise))), 15_000, 'every waiter to fail');
    for (const err of errors) {
      expect(err).toBeInstanceOf(LockLostError);
      expect((err as LockLostError).reason).toBe('session-ended');
    }
    expect(['session-ended', 'lease-expired']).toContain((await lostReason(holder)).reason);
    expect(holder.held).toBe(false);
    expect(zk.state).toBe('expired');
    await holder.release(); // resolves without a server
    await eventually(async () => (await children(env.zk, '/lock')).length === 0, 15_000, "the expired session's node to go");
  });

  test('shared mutex - session expiry while the local queue contends behind a remote holder fails every waiter', async ({ env }) => {
    await env.zk.create('/lock');
    const remote = await new Mutex(env.zk, '/lock').acquire();
    const { proxy, zk } = await viaProxy(env, { sessionTimeout: 2000 });
    const mutex = new SharedMutex(zk, '/lock');
    const waiters = Array.from({ length: 4 }, () => track(mutex.acquire()));
    await untilNodes(env.zk, '/lock', 2); // one node for the four
    proxy.blackhole(true);
    const errors = await within(Promise.all(waiters.map((w) => errorOf(w.promise))), 15_000, 'every waiter to fail');
    for (const err of errors) expect((err as LockLostError).reason).toBe('session-ended');
    await eventually(async () => (await children(env.zk, '/lock')).length === 1, 15_000, "the expired session's node to go");
    await remote.release();
  });

  test('shared mutex - local waiters that abort or time out leave the queue; the next one still gets the lock', async ({ env }) => {
    await env.zk.create('/lock');
    const zk = await env.connect(SESSION);
    const mutex = new SharedMutex(zk, '/lock');
    const holder = await mutex.acquire();
    const controller = new AbortController();
    const aborted = track(mutex.acquire({ signal: controller.signal }));
    const timed = track(mutex.acquire({ timeout: scaled(200) }));
    const patient = track(mutex.acquire());
    await untilQueued(mutex, 3);
    controller.abort(new Error('caller gave up'));
    expect((await errorOf(aborted.promise)) as Error).toHaveProperty('message', 'caller gave up');
    expect(await within(errorOf(timed.promise), 10_000, 'the timeout')).toBeInstanceOf(AcquireTimeoutError);
    expect(mutex.waiting).toBe(1);
    await holder.release();
    const lease = await within(patient.promise, 10_000, 'the patient waiter');
    expect(lease.localSequence).toBe(1);
    expect(lease.path).toBe(holder.path);
    await lease.release();
    expect(mutex.waiting).toBe(0);
    expect(await children(env.zk, '/lock')).toEqual([]);
  });

  test('shared mutex - when every local waiter of a contending node gives up, the node is deleted', async ({ env }) => {
    await env.zk.create('/lock');
    const remote = await new Mutex(env.zk, '/lock').acquire();
    const zk = await env.connect(SESSION);
    const mutex = new SharedMutex(zk, '/lock');
    const controller = new AbortController();
    const waiters = [
      track(mutex.acquire({ signal: controller.signal })),
      track(mutex.acquire({ timeout: scaled(60_000), signal: controller.signal })),
    ];
    await untilNodes(env.zk, '/lock', 2);
    controller.abort(new Error('stop'));
    for (const w of waiters) expect(((await errorOf(w.promise)) as Error).message).toBe('stop');
    await eventually(async () => (await children(env.zk, '/lock')).length === 1, WAIT_MS, 'the abandoned node to go');
    expect(await children(env.zk, '/lock')).toEqual([name(remote.path)]);
    // The queue is usable again afterwards.
    const later = track(mutex.acquire());
    await remote.release();
    await (await within(later.promise, 10_000, 'a later acquire')).release();
  });
});

describe('shared mutex - each local holder has its own lease', () => {
  test('shared mutex - release ends only this holder: signal, held, validUntil; idempotent; guard refused afterwards, nothing sent', async ({
    env,
  }) => {
    await env.zk.create('/lock');
    await env.zk.create('/data', '0');
    const { proxy, zk } = await viaProxy(env);
    const mutex = new SharedMutex(zk, '/lock');
    const first = await mutex.acquire();
    const next = track(mutex.acquire());
    await untilQueued(mutex, 1);
    expect(first.held).toBe(true);
    expect(first.validUntil).toBeGreaterThan(zk.now());
    await first.guard([op.setData('/data', '1')]);
    const released = first.release();
    expect(first.release()).toBe(released);
    await released;
    expect((await lostReason(first)).reason).toBe('released');
    expect(first.held).toBe(false);
    expect(first.validUntil).toBe(Number.NEGATIVE_INFINITY);
    const second = await within(next.promise, 10_000, 'the local hand-off');
    expect(second.held).toBe(true);
    expect(second.signal.aborted).toBe(false);
    const multis = seen(proxy, OpCode.multi);
    const stale = await errorOf(first.guard([op.setData('/data', 'stale')]));
    expect(stale).toBeInstanceOf(LockLostError);
    expect((stale as LockLostError).reason).toBe('released');
    expect(() => first.check()).toThrow(LockLostError);
    await second.guard([op.setData('/data', '2')]);
    expect(seen(proxy, OpCode.multi) - multis).toBe(1); // only the current holder's write went out
    expect(text((await env.zk.getData('/data')).data)).toBe('2');
    await second.release();
    await second.release();
    expect(await children(env.zk, '/lock')).toEqual([]);
  });

  test('shared mutex - the node deleted under a holder: its signal aborts with node-deleted, waiters contend again with a new node', async ({
    env,
  }) => {
    await env.zk.create('/lock');
    const zk = await env.connect(SESSION);
    const mutex = new SharedMutex(zk, '/lock');
    const first = await mutex.acquire();
    const next = track(mutex.acquire());
    await untilQueued(mutex, 1);
    await env.zk.delete(first.path);
    expect((await lostReason(first)).reason).toBe('node-deleted');
    const second = await within(next.promise, 10_000, 'the waiter on a new node');
    expect(second.path).not.toBe(first.path);
    expect(second.localSequence).toBe(0);
    expect(second.fencingToken > first.fencingToken).toBe(true);
    await first.release(); // nothing to do: already lost
    expect(second.held).toBe(true);
    await second.release();
  });

  test('shared mutex - tryAcquire takes a free lock and returns null while a local holder or a remote one holds', async ({ env }) => {
    await env.zk.create('/lock');
    const zk = await env.connect(SESSION);
    const mutex = new SharedMutex(zk, '/lock');
    const lease = await mutex.tryAcquire();
    expect(lease).not.toBeNull();
    expect(await mutex.tryAcquire()).toBeNull();
    await lease!.release();
    const remote = await new Mutex(env.zk, '/lock').acquire();
    expect(await mutex.tryAcquire()).toBeNull();
    expect(await children(env.zk, '/lock')).toEqual([name(remote.path)]);
    await remote.release();
  });
});
