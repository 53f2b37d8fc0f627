/**
 * The recipes' decisions over a listing of the lock path, no server needed: which contender holds, which
 * node a waiter watches, whether that node is its only blocker (the hand-off without a re-read, condition 1
 * in docs/locks.md) and the look-ahead. Listings use Curator's names (`_c_<uuid>-lock-<seq>`, `__READ__`,
 * `__WRIT__`, `lease-`) mixed with children that are not contenders, and order by sequence, never by the
 * protection prefix.
 *
 * The exclusive rule (Mutex, a writer, LeaderElection) is exported and checked directly. The shared rule
 * (a reader) and the Semaphore's count are private to their recipes, so they are checked through the
 * recipes on an in-memory server: what a contender holds, and which nodes its one SetWatches request arms
 * (our own node is armed only when a hand-off without a re-read can follow).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { ZooKeeper } from '../../../src/index.js';
import { type Decision, exclusive } from '../../../src/recipes/internal/contention.js';
import { sortContenders } from '../../../src/recipes/internal/lock-name.js';
import { ReadWriteLock } from '../../../src/recipes/read-write-lock.js';
import { Semaphore } from '../../../src/recipes/semaphore.js';
import { MemoryZooKeeper } from '../../support/memory-zookeeper.js';
import { settle } from '../../support/fake-clock.js';
import { eventually, track, within } from '../../support/promises.js';
import { curatorName } from '../../support/recipes/contender-names.js';

const LOCK = ['lock-'] as const;
const READ = '__READ__';
const WRITE = '__WRIT__';
const RW = [READ, WRITE] as const;
/** UUIDs whose string order is the reverse of the sequence order used with them. */
const U = [
  'ffffffff-0000-4000-8000-000000000001',
  'aaaaaaaa-0000-4000-8000-000000000002',
  '55555555-0000-4000-8000-000000000003',
  '00000000-0000-4000-8000-000000000004',
];

/** Children that are not contenders of a `lock-` lock: sub-nodes, other recipes' names, malformed suffixes. */
const FOREIGN = [
  'leases',
  `_c_${U[0]}-${READ}0000000001`,
  '__lock__0000000002',
  `_c_${U[1]}-lock-0000000003-extra`,
  'lock-12',
  'x-72057594037927936-0000000004',
];

/** The exclusive rule's decision for the contender named `ours` in this listing. */
function exclusiveFor(children: readonly string[], ours: string, names: readonly string[] = LOCK): Decision {
  const contenders = sortContenders(children, names);
  const index = contenders.findIndex((c) => c.name === ours);
  if (index === -1) throw new Error(`${ours} is not a contender`);
  return exclusive(contenders, index);
}

describe('recipe decisions - the exclusive rule over listings', () => {
  // Sequences 7, 8, 9, 10 carried by UUIDs in the opposite string order, listed shuffled among foreign children.
  const [a, b, c, d] = [7, 8, 9, 10].map((seq, i) => curatorName(seq, U[i]!));
  const listing = [FOREIGN[0]!, c!, FOREIGN[1]!, a!, FOREIGN[2]!, d!, FOREIGN[3]!, b!, FOREIGN[4]!, FOREIGN[5]!];

  it('the oldest contender holds, wherever the listing puts it', () => {
    expect(exclusiveFor(listing, a!)).toStrictEqual({ hold: true });
  });

  it('second in line watches the oldest, its sole blocker, and has no look-ahead', () => {
    expect(exclusiveFor(listing, b!)).toStrictEqual({ hold: false, watch: a, soleBlocker: true });
  });

  it("deeper in line: the predecessor, not the sole blocker, and the predecessor's predecessor as look-ahead", () => {
    expect(exclusiveFor(listing, c!)).toStrictEqual({ hold: false, watch: b, soleBlocker: false, next: a });
    expect(exclusiveFor(listing, d!)).toStrictEqual({ hold: false, watch: c, soleBlocker: false, next: b });
  });

  it('order is by sequence, not by the protection prefix (a string sort would put the last contender first)', () => {
    expect([a, b, c, d].sort()[0]).toBe(d);
    expect(sortContenders(listing, LOCK).map((x) => x.seq)).toEqual([7, 8, 9, 10]);
    expect(exclusiveFor([d!, a!], d!)).toStrictEqual({ hold: false, watch: a, soleBlocker: true });
  });

  it('children that are not contenders are never holders, blockers or look-aheads', () => {
    const alone = curatorName(3, U[2]!);
    expect(exclusiveFor([...FOREIGN, alone], alone)).toStrictEqual({ hold: true });
    // Curator's unprotected name (`lock-<seq>`) is a contender.
    expect(exclusiveFor([...FOREIGN, 'lock-0000000001', alone], alone)).toStrictEqual({
      hold: false,
      watch: 'lock-0000000001',
      soleBlocker: true,
    });
  });

  it('across the sequence wrap the contender created before it is older', () => {
    const [x, y, z] = [2147483646, 2147483647, -2147483648].map((seq, i) => curatorName(seq, U[i]!));
    expect(exclusiveFor([z!, x!, y!], x!)).toStrictEqual({ hold: true });
    expect(exclusiveFor([z!, x!, y!], z!)).toStrictEqual({ hold: false, watch: y, soleBlocker: false, next: x });
  });

  it('a writer counts readers and writers alike: behind a reader it waits for that reader', () => {
    const r0 = curatorName(0, U[0]!, READ);
    const r1 = curatorName(1, U[1]!, READ);
    const w2 = curatorName(2, U[2]!, WRITE);
    const mutexNode = curatorName(1, U[3]!); // a Mutex's name in the same path: not a read-write contender
    expect(exclusiveFor([w2, r1, mutexNode, r0], w2, RW)).toStrictEqual({ hold: false, watch: r1, soleBlocker: false, next: r0 });
    expect(exclusiveFor([w2, mutexNode], w2, RW)).toStrictEqual({ hold: true });
  });

  it('for any queue: hold at the head, else the next older contender, sole blocker second in line, the one before it as look-ahead', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 12 }),
        fc.nat(),
        fc.nat(),
        (seqs, pick, shift) => {
          // Sequences within 2^31 of each other, shifted so that some queues straddle the wrap.
          const shifted = seqs.map((s) => ((s >>> 1) + shift) | 0);
          if (new Set(shifted).size !== shifted.length) return;
          const names = shifted.map((s, i) => curatorName(s, U[i % U.length]!));
          const ours = names[pick % names.length]!;
          const older = shifted
            .map((s, i) => ({ name: names[i]!, rel: (s - shifted[pick % names.length]!) | 0 }))
            .filter((x) => x.rel < 0)
            .sort((p, q) => q.rel - p.rel); // nearest older first
          const expected: Decision =
            older.length === 0
              ? { hold: true }
              : older.length === 1
                ? { hold: false, watch: older[0]!.name, soleBlocker: true }
                : { hold: false, watch: older[0]!.name, soleBlocker: false, next: older[1]!.name };
          expect(exclusiveFor([...names].reverse(), ours)).toStrictEqual(expected);
        },
      ),
    );
  });
});

// ---------------------------------------------------------------- through the recipes

let server: MemoryZooKeeper;
let zk: ZooKeeper | undefined;

async function open(): Promise<ZooKeeper> {
  server = new MemoryZooKeeper();
  zk = await server.connect();
  return zk;
}

afterEach(async () => {
  await zk?.close();
  zk = undefined;
});

/** Puts other sessions' contenders under `dir` and makes our next node's sequence `nextSeq`. */
function contenders(dir: string, names: readonly string[], nextSeq: number): void {
  for (const name of names) server.put(`${dir}/${name}`);
  server.setCversion(dir, nextSeq);
}

/** The path of our node under `dir`: the one child not in `others`. */
function oursIn(dir: string, others: readonly string[]): string {
  const mine = server.children(dir).filter((c) => !others.includes(c));
  if (mine.length !== 1) throw new Error(`expected one node of ours in ${dir}, found ${mine.join(', ')}`);
  return `${dir}/${mine[0]}`;
}

const count = (op: 'getChildren' | 'setWatches'): number => server.sent(op).length;
const armed = (): string[][] => server.sent('setWatches').map((r) => r.dataWatches);

describe('recipe decisions - the shared rule (ReadWriteLock)', () => {
  const r0 = curatorName(0, U[0]!, READ);
  const w1 = curatorName(1, U[1]!, WRITE);
  const r1 = curatorName(1, U[1]!, READ);
  const w2 = curatorName(2, U[2]!, WRITE);
  const foreign = ['leases', curatorName(1, U[3]!)];

  it('a reader holds with only readers older (foreign children aside); behind a writer it does not, and leaves no node', async () => {
    const zk = await open();
    contenders('/rw', [r0, r1, ...foreign], 5);
    const lease = await new ReadWriteLock(zk, '/rw').readLock().tryAcquire();
    expect(lease?.path).toBe(oursIn('/rw', [r0, r1, ...foreign]));
    expect(lease!.path).toMatch(/-__READ__0000000005$/);
    await lease!.release();

    server.remove(`/rw/${r1}`);
    server.put(`/rw/${w1}`);
    server.setCversion('/rw', 9);
    expect(await new ReadWriteLock(zk, '/rw').readLock().tryAcquire()).toBeNull();
    expect(server.children('/rw').sort()).toEqual([r0, w1, ...foreign].sort());
  });

  it('a writer holds only at the head: any older reader blocks it', async () => {
    const zk = await open();
    contenders('/rw', [r0, ...foreign], 3);
    expect(await new ReadWriteLock(zk, '/rw').writeLock().tryAcquire()).toBeNull();
    server.remove(`/rw/${r0}`);
    const lease = await new ReadWriteLock(zk, '/rw').writeLock().tryAcquire();
    expect(lease?.path).toMatch(/-__WRIT__\d{10}$/);
    await lease!.release();
  });

  it('a reader waits for the next older writer, past the readers in between; its deletion grants at once when it was the only writer', async () => {
    const zk = await open();
    const others = [curatorName(0, U[0]!, WRITE), r1, w2, curatorName(3, U[3]!, READ)];
    contenders('/rw', others, 4);
    const acquiring = new ReadWriteLock(zk, '/rw').readLock().acquire();
    await eventually(() => count('setWatches') === 1, 5000, 'the first SetWatches', 2);
    const ours = oursIn('/rw', others);
    // Two writers ahead: wait for the nearer one (w2), not our predecessor (a reader), and not as the sole
    // blocker, so nothing else is armed.
    expect(armed()).toEqual([[`/rw/${w2}`]]);
    server.remove(`/rw/${w2}`);
    await eventually(() => count('setWatches') === 2, 5000, 'the second SetWatches', 2);
    // A re-read, then the oldest writer is the only one left: our own node is armed with it.
    expect(count('getChildren')).toBe(2);
    expect(armed()[1]).toEqual([ours, `/rw/${others[0]}`]);
    server.remove(`/rw/${others[0]}`);
    const lease = await within(acquiring, 5000, 'the read lock');
    expect(lease.path).toBe(ours);
    expect(count('getChildren')).toBe(2); // the sole blocker's deletion was the grant: no re-read
    await lease.release();
  });

  it('a writer behind readers waits for its predecessor with a look-ahead, and holds when the last one goes', async () => {
    const zk = await open();
    const others = [r0, r1];
    contenders('/rw', others, 2);
    const acquiring = new ReadWriteLock(zk, '/rw').writeLock().acquire();
    await eventually(() => count('setWatches') === 1, 5000, 'the SetWatches', 2);
    const ours = oursIn('/rw', others);
    expect(armed()).toEqual([[ours, `/rw/${r1}`, `/rw/${r0}`]]);
    server.remove(`/rw/${r0}`); // the look-ahead: re-read, r1 is now the sole blocker (already armed)
    await eventually(() => count('getChildren') === 2, 5000, 'the re-read', 2);
    server.remove(`/rw/${r1}`);
    const lease = await within(acquiring, 5000, 'the write lock');
    expect(lease.path).toBe(ours);
    expect(count('setWatches')).toBe(1);
    expect(count('getChildren')).toBe(2);
    await lease.release();
  });
});

describe('recipe decisions - the Semaphore counts every lease node', () => {
  const lease = (seq: number, i: number): string => curatorName(seq, U[i]!, 'lease-');

  it('with maxLeases nodes already there, tryAcquire gives up and leaves no node; with fewer it holds', async () => {
    const zk = await open();
    contenders('/sem/leases', [lease(0, 0), lease(1, 1), 'not-a-lease'], 2);
    expect(await new Semaphore(zk, '/sem', 2).tryAcquire()).toBeNull();
    expect(server.children('/sem/leases').sort()).toEqual([lease(0, 0), lease(1, 1), 'not-a-lease'].sort());
    server.remove(`/sem/leases/${lease(1, 1)}`);
    const held = await new Semaphore(zk, '/sem', 2).tryAcquire();
    expect(held?.path).toMatch(/^\/sem\/leases\/_c_.*-lease-\d{10}$/);
    await held!.release();
  });

  it('not a queue: lease nodes newer than ours count too', async () => {
    const zk = await open();
    contenders('/sem/leases', [lease(5, 0), lease(6, 1)], 0);
    expect(await new Semaphore(zk, '/sem', 2).tryAcquire()).toBeNull();
    expect(await new Semaphore(zk, '/sem', 3).tryAcquire()).not.toBeNull();
  });

  it('acquire waits while more than maxLeases exist and holds once one goes (other children never count)', async () => {
    const zk = await open();
    contenders('/sem/leases', [lease(0, 0), lease(1, 1), 'not-a-lease'], 2);
    const acquiring = track(new Semaphore(zk, '/sem', 2).acquire());
    await eventually(() => server.sent('getChildren').some((r) => r.path === '/sem/leases'), 5000, 'the lease listing', 2);
    await settle();
    expect(server.children('/sem/leases')).toHaveLength(4);
    expect(acquiring.settled).toBe(false);
    server.remove(`/sem/leases/${lease(0, 0)}`);
    const held = await within(acquiring.promise, 5000, 'a lease');
    expect(server.children('/sem/leases')).toContain(held.path.slice('/sem/leases/'.length));
    await held.release();
  });
});
