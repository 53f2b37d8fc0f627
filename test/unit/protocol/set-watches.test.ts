/**
 * splitSetWatches: the watches replayed after a reconnect, split into SetWatches (101) / SetWatches2 (105)
 * requests whose encoded payload stays within 128 KiB, in the Java client's order.
 */
import { describe, expect, it } from 'vitest';
import {
  OpCode,
  type Request,
  SET_WATCHES_MAX_LENGTH,
  type WatchSet,
  decodeRequest,
  encodeRequest,
  sizeRequest,
  splitSetWatches,
} from '../../../src/protocol/index.js';

type Batch = Extract<Request, { op: 'setWatches' | 'setWatches2' }>;
const LISTS = ['data', 'exist', 'child', 'persistent', 'persistentRecursive'] as const;

function lists(b: Batch): Record<(typeof LISTS)[number], string[]> {
  return {
    data: b.dataWatches,
    exist: b.existWatches,
    child: b.childWatches,
    persistent: b.op === 'setWatches2' ? b.persistentWatches : [],
    persistentRecursive: b.op === 'setWatches2' ? b.persistentRecursiveWatches : [],
  };
}

function batches(requests: Request[]): Batch[] {
  for (const r of requests) expect(['setWatches', 'setWatches2']).toContain(r.op);
  return requests as Batch[];
}

/** The batches joined back per list, in batch order. */
function union(requests: Batch[]): Record<(typeof LISTS)[number], string[]> {
  const out: Record<(typeof LISTS)[number], string[]> = {
    data: [],
    exist: [],
    child: [],
    persistent: [],
    persistentRecursive: [],
  };
  for (const b of requests) for (const k of LISTS) out[k].push(...lists(b)[k]);
  return out;
}

/** Deterministic paths of 30-200 characters, some with non-ASCII segments. */
function paths(count: number, tag: string, seed: number): string[] {
  let x = seed;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const len = 30 + (x % 171);
    const head = `/${tag}/${i}/`;
    const fill = i % 10 === 0 ? 'é中' : 'abcdefghij';
    out.push((head + fill.repeat(Math.ceil(len / fill.length))).slice(0, len));
  }
  return out;
}

describe('set-watches - splitting', () => {
  it('set-watches - empty input gives no requests', () => {
    expect(splitSetWatches(5n, {})).toEqual([]);
    expect(splitSetWatches(5n, { data: [], exist: [], child: [], persistent: [], persistentRecursive: [] })).toEqual([]);
  });

  it('set-watches - without persistent entries one SetWatches (101) carries everything', () => {
    const requests = batches(splitSetWatches(7n, { data: ['/a'], exist: ['/b', '/c'], child: ['/d'] }));
    expect(requests).toEqual([
      { op: 'setWatches', relativeZxid: 7n, dataWatches: ['/a'], existWatches: ['/b', '/c'], childWatches: ['/d'] },
    ]);
    expect(OpCode[requests[0]!.op]).toBe(101);
  });

  it('set-watches - any persistent or recursive entry makes it SetWatches2 (105)', () => {
    const a = batches(splitSetWatches(1n, { data: ['/a'], persistent: ['/p'] }));
    expect(a).toEqual([
      {
        op: 'setWatches2',
        relativeZxid: 1n,
        dataWatches: ['/a'],
        existWatches: [],
        childWatches: [],
        persistentWatches: ['/p'],
        persistentRecursiveWatches: [],
      },
    ]);
    const b = batches(splitSetWatches(1n, { persistentRecursive: ['/r'] }));
    expect(b.map((r) => r.op)).toEqual(['setWatches2']);
    expect(OpCode[b[0]!.op]).toBe(105);
  });

  it('set-watches - each batch is 101 or 105 by its own content when split', () => {
    const big = paths(3000, 'd', 1);
    const requests = batches(splitSetWatches(0n, { data: big, persistent: ['/p'] }));
    expect(requests.length).toBeGreaterThan(1);
    expect(requests.slice(0, -1).every((r) => r.op === 'setWatches')).toBe(true);
    expect(requests.at(-1)!.op).toBe('setWatches2');
  });

  it('set-watches - 20,000 paths of 30-200 chars: every payload within 128 KiB, order and content preserved', () => {
    const input: Required<WatchSet> = {
      data: paths(6000, 'data', 1),
      exist: paths(4000, 'exist', 2),
      child: paths(5000, 'child', 3),
      persistent: paths(3000, 'persistent', 4),
      persistentRecursive: paths(2000, 'recursive', 5),
    };
    const requests = batches(splitSetWatches(0x1234n, input));
    expect(requests.length).toBeGreaterThan(10);
    let total = 0;
    for (const r of requests) {
      const size = sizeRequest(r);
      expect(size).toBeLessThanOrEqual(SET_WATCHES_MAX_LENGTH);
      expect(size).toBe(encodeRequest(1, r).length - 4);
      expect(r.relativeZxid).toBe(0x1234n);
      total += size;
    }
    // Batches are reasonably full: no more than one extra batch's worth of slack in total.
    expect(requests.length).toBeLessThanOrEqual(Math.ceil(total / (SET_WATCHES_MAX_LENGTH - 300)) + 1);
    const joined = union(requests);
    // Joined strings compare in one step; toEqual walks 20,000 elements slowly.
    for (const k of LISTS) expect(joined[k].join('\n'), k).toBe(input[k].join('\n'));
    // Order across lists: once a batch has a later list, no later batch goes back to an earlier one.
    let highest = 0;
    for (const r of requests) {
      const l = lists(r);
      const present = LISTS.map((k, i) => (l[k].length > 0 ? i : -1)).filter((i) => i >= 0);
      expect(present[0]!).toBeGreaterThanOrEqual(highest);
      highest = present.at(-1)!;
    }
  });

  it('set-watches - each split request round-trips through the codec', () => {
    const requests = splitSetWatches(3n, { data: paths(2000, 'd', 9), persistentRecursive: paths(10, 'r', 9) });
    for (const r of requests) expect(decodeRequest(encodeRequest(5, r).subarray(4)).request).toEqual(r);
  });

  it('set-watches - a single path longer than the limit gets a batch of its own', () => {
    const huge = `/${'x'.repeat(SET_WATCHES_MAX_LENGTH + 10)}`;
    const requests = batches(splitSetWatches(0n, { data: ['/a', '/b'], exist: [huge], child: ['/c'] }));
    expect(requests.map(lists)).toEqual([
      { data: ['/a', '/b'], exist: [], child: [], persistent: [], persistentRecursive: [] },
      { data: [], exist: [huge], child: [], persistent: [], persistentRecursive: [] },
      { data: [], exist: [], child: ['/c'], persistent: [], persistentRecursive: [] },
    ]);
    expect(sizeRequest(requests[1]!)).toBeGreaterThan(SET_WATCHES_MAX_LENGTH);
  });

  it('set-watches - the limit counts UTF-8 bytes, not characters, and a smaller maxBytes is honoured', () => {
    const wide = Array.from({ length: 100 }, (_, i) => `/${'中'.repeat(50)}${i}`); // ~153 bytes, ~52 chars each
    const max = 2000;
    const requests = batches(splitSetWatches(0n, { child: wide }, max));
    for (const r of requests) expect(sizeRequest(r)).toBeLessThanOrEqual(max);
    expect(union(requests).child).toEqual(wide);
    expect(requests.length).toBeGreaterThanOrEqual(Math.ceil((100 * 157) / max));
  });

  it('set-watches - the batch limit is exact: a batch may fill maxBytes to the byte but not beyond', () => {
    // SetWatches2 fixed part: header 8 + zxid 8 + 5 counts = 36; each path costs 4 + its length.
    const p = (n: number): string => `/${'a'.repeat(n - 1)}`;
    const fits = batches(splitSetWatches(0n, { persistent: [p(30), p(30)] }, 36 + 68));
    expect(fits.length).toBe(1);
    expect(sizeRequest(fits[0]!)).toBe(104);
    const over = batches(splitSetWatches(0n, { persistent: [p(30), p(31)] }, 36 + 68));
    expect(over.map((r) => lists(r).persistent)).toEqual([[p(30)], [p(31)]]);
  });
});
