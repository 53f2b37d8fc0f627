/**
 * ReadWriteLock: readers share, writers exclude, a queued writer keeps newer readers out, a reader
 * waits only for the next-lower writer, Curator's node names, fencing tokens, and abort/timeout
 * leaving no node. Exclusion is checked under contention with readers and writers on several clients.
 */
import { AcquireTimeoutError, type ZooKeeper } from '../../../src/entry/node.js';
import { type Lease, ReadWriteLock } from '../../../src/recipes/index.js';
import { describe, expect, test } from '../../support/client-fixture.js';
import { recording, roundTrip } from '../../support/recipes/recording-client.js';
import { errorOf, track, within } from '../../support/promises.js';

const WAIT_MS = 10_000;
const NAME = /^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-__(READ|WRIT)__\d{10}$/;

function rw(zk: ZooKeeper): ReadWriteLock {
  return new ReadWriteLock(zk, '/rw');
}

describe('read-write lock', () => {
  test('read-write lock - readers hold together; nodes carry Curator names', async ({ env }) => {
    const clients = [env.zk, await env.connect(), await env.connect()];
    const leases = await within(Promise.all(clients.map((zk) => rw(zk).readLock().acquire())), WAIT_MS, 'three readers');
    expect(leases.every((l) => l.held)).toBe(true);
    const children = await env.zk.getChildren('/rw');
    expect(children).toHaveLength(3);
    for (const child of children) expect(child).toMatch(NAME);
    expect(children.every((c) => c.includes('__READ__'))).toBe(true);
    await Promise.all(leases.map((l) => l.release()));
    expect(await env.zk.getChildren('/rw')).toEqual([]);
  });

  test('read-write lock - a writer excludes readers and writers until it releases', async ({ env }) => {
    const other = await env.connect();
    const writer = await rw(env.zk).writeLock().acquire();
    expect(await rw(other).readLock().tryAcquire()).toBeNull();
    expect(await rw(other).writeLock().tryAcquire()).toBeNull();
    const reader = track(rw(other).readLock().acquire());
    await roundTrip(other);
    expect(reader.settled).toBe(false);
    await writer.release();
    const read = await within(reader.promise, WAIT_MS, 'the reader');
    expect(read.fencingToken > writer.fencingToken).toBe(true);
    // A reader excludes writers too.
    expect(await rw(env.zk).writeLock().tryAcquire()).toBeNull();
    await read.release();
    expect(await env.zk.getChildren('/rw')).toEqual([]);
  });

  test('read-write lock - a queued writer keeps newer readers out', async ({ env }) => {
    const [a, b, c] = [env.zk, await env.connect(), await env.connect()];
    const r1 = await rw(a).readLock().acquire();
    const w = track(rw(b).writeLock().acquire());
    await roundTrip(b);
    const r2 = track(rw(c).readLock().acquire());
    await roundTrip(b, c);
    expect(w.settled).toBe(false);
    expect(r2.settled).toBe(false);
    await r1.release();
    const write = await within(w.promise, WAIT_MS, 'the writer');
    await roundTrip(c);
    expect(r2.settled).toBe(false);
    await write.release();
    const read = await within(r2.promise, WAIT_MS, 'the second reader');
    expect(read.fencingToken > write.fencingToken).toBe(true);
    await read.release();
  });

  test('read-write lock - a reader waits only for the next-lower writer, a writer for its predecessor', async ({ env }) => {
    const [a, b, c, d] = [env.zk, await env.connect(), await env.connect(), await env.connect()];
    const w1 = await rw(a).writeLock().acquire();
    const recB = recording(b);
    const w2 = track(rw(recB.zk).writeLock().acquire());
    await roundTrip(b);
    const recC = recording(c);
    const r3 = track(rw(recC.zk).readLock().acquire());
    await roundTrip(c);
    const recD = recording(d);
    const r4 = track(rw(recD.zk).readLock().acquire());
    await roundTrip(d);
    const names = (await a.getChildren('/rw')).sort((x, y) => Number(x.slice(-10)) - Number(y.slice(-10)));
    expect(names.map((n) => n.slice(-18, -10))).toEqual(['__WRIT__', '__WRIT__', '__READ__', '__READ__']);
    // W2 watches W1 (and its own node: W1 is its sole blocker); both readers watch W2 (the next-lower
    // writer), not R3 or W1.
    expect(recB.watched('watchData')).toEqual([`/rw/${names[1]}`, `/rw/${names[0]}`]);
    expect(recC.watched('watchData')).toEqual([`/rw/${names[1]}`]);
    expect(recD.watched('watchData')).toEqual([`/rw/${names[1]}`]);
    await w1.release();
    const write2 = await within(w2.promise, WAIT_MS, 'the second writer');
    await roundTrip(c, d);
    expect(r3.settled || r4.settled).toBe(false);
    // W1's release woke nobody but W2: the readers issued no new watch.
    expect(recC.watched('watchData')).toHaveLength(1);
    expect(recD.watched('watchData')).toHaveLength(1);
    await write2.release();
    const [read3, read4] = await within(Promise.all([r3.promise, r4.promise]), WAIT_MS, 'both readers');
    expect(read3.held && read4.held).toBe(true);
    expect(read3.fencingToken > write2.fencingToken && write2.fencingToken > w1.fencingToken).toBe(true);
    await Promise.all([read3.release(), read4.release()]);
  });

  test('read-write lock - readers and writers on several clients never overlap wrongly', async ({ env }) => {
    const clients = [env.zk, await env.connect(), await env.connect()];
    let readers = 0;
    let writers = 0;
    let violations = 0;
    let maxReaders = 0;
    const writeTokens: bigint[] = [];
    const worker = async (zk: ZooKeeper, plan: ('r' | 'w')[]): Promise<void> => {
      for (const kind of plan) {
        const side = kind === 'r' ? rw(zk).readLock() : rw(zk).writeLock();
        const lease: Lease = await within(side.acquire(), WAIT_MS, `${kind} acquire`);
        if (kind === 'w') {
          writers++;
          writeTokens.push(lease.fencingToken);
          if (writers > 1 || readers > 0) violations++;
        } else {
          readers++;
          maxReaders = Math.max(maxReaders, readers);
          if (writers > 0) violations++;
        }
        await zk.exists('/');
        if (kind === 'w') writers--;
        else readers--;
        await lease.release();
      }
    };
    await Promise.all([
      worker(clients[0]!, ['r', 'w', 'r', 'r', 'w']),
      worker(clients[1]!, ['r', 'r', 'w', 'r', 'r']),
      worker(clients[2]!, ['w', 'r', 'r', 'w', 'r']),
      worker(clients[0]!, ['r', 'r', 'r', 'w', 'r']),
    ]);
    expect(violations).toBe(0);
    expect(writeTokens).toHaveLength(6);
    for (let i = 1; i < writeTokens.length; i++) expect(writeTokens[i]! > writeTokens[i - 1]!).toBe(true);
    expect(await env.zk.getChildren('/rw')).toEqual([]);
  });

  test('read-write lock - timeout and abort leave no node', async ({ env }) => {
    const other = await env.connect();
    const writer = await rw(env.zk).writeLock().acquire();
    expect(await errorOf(rw(other).readLock().acquire({ timeout: 100 }))).toBeInstanceOf(AcquireTimeoutError);
    const controller = new AbortController();
    const aborted = rw(other).writeLock().acquire({ signal: controller.signal });
    await roundTrip(other);
    const reason = new Error('give up');
    controller.abort(reason);
    expect(await errorOf(aborted)).toBe(reason);
    const children = await other.getChildren('/rw');
    expect(children).toEqual([writer.path.slice('/rw/'.length)]);
    await writer.release();
  });
});
