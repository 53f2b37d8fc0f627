/**
 * SharedMutex without a server: the token arithmetic (strict order across nodes, the 64-bit bound, the
 * limits) checked exhaustively at the edges and by property, and the local queue on the in-memory
 * ZooKeeper (test/support/memory-zookeeper.ts): FIFO hand-offs with no request, the fairness turn (one
 * listing at its end; the node kept when nobody else waits, given up when someone does), cancellation.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { ZooKeeper } from '../../../src/index.js';
import { MAX_LOCAL_SEQUENCE, MAX_SHARED_CZXID, czxidFits, sharedToken, splitToken } from '../../../src/recipes/internal/shared-token.js';
import { Mutex } from '../../../src/recipes/mutex.js';
import { SharedMutex } from '../../../src/recipes/shared-mutex.js';
import { MemoryZooKeeper } from '../../support/memory-zookeeper.js';
import { errorOf, track, within } from '../../support/promises.js';

const INT64_MAX = (1n << 63n) - 1n;

describe('shared mutex - token arithmetic', () => {
  it('token = czxid x 2^16 + sequence, and splits back', () => {
    expect(sharedToken(5n, 0)).toBe(5n * 65536n);
    expect(sharedToken(5n, 7)).toBe(5n * 65536n + 7n);
    expect(splitToken(sharedToken(0x1_0000_002an, 1234))).toEqual({ czxid: 0x1_0000_002an, sequence: 1234 });
  });

  it('the largest token fits a signed 64-bit integer; the czxid bound is epoch 2^15', () => {
    expect(sharedToken(MAX_SHARED_CZXID, MAX_LOCAL_SEQUENCE)).toBe(INT64_MAX);
    expect(MAX_SHARED_CZXID >> 32n).toBe((1n << 15n) - 1n);
    expect(czxidFits(MAX_SHARED_CZXID)).toBe(true);
    expect(czxidFits(MAX_SHARED_CZXID + 1n)).toBe(false);
    expect(() => sharedToken(MAX_SHARED_CZXID + 1n, 0)).toThrow(RangeError);
    expect(() => sharedToken(1n, MAX_LOCAL_SEQUENCE + 1)).toThrow(RangeError);
    expect(() => sharedToken(1n, -1)).toThrow(RangeError);
    expect(() => sharedToken(1n, 0.5)).toThrow(RangeError);
  });

  it('every token of a later node exceeds every token of an earlier one, and tokens of one node follow the sequence', () => {
    const czxid = fc.bigInt({ min: 0n, max: MAX_SHARED_CZXID - 1n });
    const seq = fc.integer({ min: 0, max: MAX_LOCAL_SEQUENCE });
    fc.assert(
      fc.property(czxid, fc.bigInt({ min: 1n, max: 1n << 40n }), seq, seq, (c, gap, s1, s2) => {
        const later = c + gap > MAX_SHARED_CZXID ? MAX_SHARED_CZXID : c + gap;
        if (later === c) return;
        expect(sharedToken(later, s2) > sharedToken(c, s1)).toBe(true);
        expect(sharedToken(c, s1) < sharedToken(c, s2)).toBe(s1 < s2);
        expect(sharedToken(later, s2) <= INT64_MAX).toBe(true);
      }),
    );
    // The edge: the last sequence of a node against the first of the next czxid.
    expect(sharedToken(41n, MAX_LOCAL_SEQUENCE) < sharedToken(42n, 0)).toBe(true);
  });

  it('a default Mutex holder presents czxid x 2^16, the same as sequence 0', () => {
    expect(17n << 16n).toBe(sharedToken(17n, 0));
  });
});

describe('shared mutex - the local queue (in-memory server)', () => {
  const clients: ZooKeeper[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  async function setup(): Promise<{ server: MemoryZooKeeper; a: ZooKeeper; b: ZooKeeper }> {
    const server = new MemoryZooKeeper();
    const a = await server.connect();
    const b = await server.connect();
    clients.push(a, b);
    await a.create('/lock');
    return { server, a, b };
  }

  const count = (server: MemoryZooKeeper, op: 'create2' | 'delete' | 'getChildren' | 'getChildren2'): number => server.sent(op).length;

  it('acquirers are served first come first served, each hand-off sending nothing', async () => {
    const { server, a } = await setup();
    const mutex = new SharedMutex(a, '/lock');
    const first = await mutex.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3, 4].map((i) => mutex.acquire().then((l) => (order.push(i), l)));
    const before = server.requests.filter((r) => r.request.op !== 'ping').length;
    let lease = first;
    for (const w of waiters) {
      await lease.release();
      lease = await within(w, 2000, 'a hand-off');
    }
    expect(order).toEqual([1, 2, 3, 4]);
    expect(lease.localSequence).toBe(4);
    expect(server.requests.filter((r) => r.request.op !== 'ping' && r.request.op !== 'sync' && r.request.op !== 'multi').length).toBe(
      before,
    );
    await lease.release();
    expect(await a.getChildren('/lock')).toEqual([]);
  });

  it('two SharedMutex instances on one client and path share one queue and one node', async () => {
    const { server, a } = await setup();
    const m1 = new SharedMutex(a, '/lock');
    const m2 = new SharedMutex(a, '/lock');
    const creates = count(server, 'create2');
    const l1 = await m1.acquire();
    const w = track(m2.acquire());
    expect(m2.waiting).toBe(1);
    await l1.release();
    const l2 = await within(w.promise, 2000, 'the other instance');
    expect(l2.path).toBe(l1.path);
    expect(count(server, 'create2') - creates).toBe(1);
    await l2.release();
  });

  it('at the end of a turn one listing decides: kept when nobody else waits, given up when a remote contender does', async () => {
    const { server, a, b } = await setup();
    const mutex = new SharedMutex(a, '/lock', { maxLocalHandoffs: 2, maxHoldMs: 1e9 });
    let lease = await mutex.acquire();
    const node = lease.path;
    const next = (): Promise<typeof lease> => {
      const w = mutex.acquire();
      void lease.release();
      return within(w, 2000, 'a hand-off');
    };
    const lists = (): number => count(server, 'getChildren') + count(server, 'getChildren2');
    const l0 = lists();
    lease = await next(); // hand-off 1
    lease = await next(); // hand-off 2: the turn is used up
    expect(lists()).toBe(l0);
    lease = await next(); // hand-off 3 after a listing: nobody else, a new turn on the same node
    expect(lists()).toBe(l0 + 1);
    expect(lease.path).toBe(node);
    expect(lease.localSequence).toBe(3);
    // A remote contender queues; at the end of the next turn the node goes and the queue contends again.
    const remote = track(new Mutex(b, '/lock').acquire());
    await within(
      (async () => {
        while ((await a.getChildren('/lock')).length < 2) await new Promise((r) => setTimeout(r, 1));
      })(),
      2000,
      'the remote node',
    );
    lease = await next(); // hand-off 4, the second of the turn that began with hand-off 3
    expect(lease.path).toBe(node);
    const waiting = mutex.acquire();
    void lease.release(); // the turn is over and someone waits: the node is deleted
    const remoteLease = await within(remote.promise, 2000, 'the remote contender');
    expect(await a.exists(node)).toBeNull();
    expect(remoteLease.fencingToken << 16n > lease.fencingToken).toBe(true);
    await remoteLease.release();
    const after = await within(waiting, 2000, 'the local queue on a new node');
    expect(after.path).not.toBe(node);
    expect(after.localSequence).toBe(0);
    expect(after.fencingToken > remoteLease.fencingToken << 16n).toBe(true);
    await after.release();
  });

  it('a node is given up after 2^16 - 1 local hand-offs', async () => {
    const { a } = await setup();
    const mutex = new SharedMutex(a, '/lock', { maxLocalHandoffs: MAX_LOCAL_SEQUENCE, maxHoldMs: 1e9 });
    let lease = await mutex.acquire();
    const node = lease.path;
    const tokens = [lease.fencingToken];
    // Keep one waiter queued at every release so each release is a local hand-off.
    for (let i = 0; i < MAX_LOCAL_SEQUENCE; i++) {
      const w = mutex.acquire();
      void lease.release();
      lease = await w;
      tokens.push(lease.fencingToken);
    }
    expect(lease.path).toBe(node);
    expect(lease.localSequence).toBe(MAX_LOCAL_SEQUENCE);
    const w = mutex.acquire();
    void lease.release();
    const fresh = await within(w, 2000, 'the hand-off onto a new node');
    expect(fresh.path).not.toBe(node);
    expect(fresh.localSequence).toBe(0);
    expect(fresh.fencingToken > lease.fencingToken).toBe(true);
    for (let i = 1; i < tokens.length; i++) if (!(tokens[i]! > tokens[i - 1]!)) throw new Error(`token ${i} not above ${i - 1}`);
    await fresh.release();
  });

  it('an already aborted signal rejects at once with its reason, and options are checked', async () => {
    const { a } = await setup();
    const reason = new Error('no');
    expect(await errorOf(new SharedMutex(a, '/lock').acquire({ signal: AbortSignal.abort(reason) }))).toBe(reason);
    expect(() => new SharedMutex(a, '/lock', { maxLocalHandoffs: 70_000 })).toThrow(RangeError);
    expect(() => new SharedMutex(a, '/lock', { maxHoldMs: -1 })).toThrow(RangeError);
  });
});
