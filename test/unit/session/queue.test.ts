/**
 * Queue: the FIFO behind the outbound and in-flight lists. O(1) shift with periodic compaction must
 * never reorder, lose or resurrect items.
 */
import { describe, expect, it } from 'vitest';
import { Queue } from '../../../src/session/queue.js';

describe('queue', () => {
  it('queue - first in, first out; peek does not remove', () => {
    const q = new Queue<number>();
    expect(q.length).toBe(0);
    expect(q.peek()).toBeUndefined();
    expect(q.shift()).toBeUndefined();
    q.push(1);
    q.push(2);
    q.push(3);
    expect(q.peek()).toBe(1);
    expect(q.length).toBe(3);
    expect(q.shift()).toBe(1);
    expect(q.shift()).toBe(2);
    q.push(4);
    expect([...q]).toEqual([3, 4]);
    expect(q.shift()).toBe(3);
    expect(q.shift()).toBe(4);
    expect(q.shift()).toBeUndefined();
    expect(q.length).toBe(0);
  });

  it('queue - order survives compaction across many interleaved pushes and shifts', () => {
    const q = new Queue<number>();
    let pushed = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 300; i++) q.push(pushed++);
      for (let i = 0; i < 250; i++) expect(q.shift()).toBe(expected++);
      expect(q.length).toBe(pushed - expected);
      expect(q.peek()).toBe(expected);
    }
    expect([...q]).toEqual(Array.from({ length: pushed - expected }, (_, i) => expected + i));
  });

  it('queue - drain returns everything oldest first and leaves it empty', () => {
    const q = new Queue<string>();
    for (const s of ['a', 'b', 'c']) q.push(s);
    q.shift();
    expect(q.drain()).toEqual(['b', 'c']);
    expect(q.length).toBe(0);
    expect(q.drain()).toEqual([]);
    q.push('d');
    expect(q.shift()).toBe('d');
  });

  it('queue - retain keeps matching items in order', () => {
    const q = new Queue<number>();
    for (let i = 0; i < 10; i++) q.push(i);
    q.shift();
    q.retain((n) => n % 3 !== 0);
    expect([...q]).toEqual([1, 2, 4, 5, 7, 8]);
    expect(q.length).toBe(6);
    expect(q.shift()).toBe(1);
  });

  it('queue - shifted slots do not keep their items reachable', () => {
    const q = new Queue<{ n: number }>();
    for (let i = 0; i < 5000; i++) q.push({ n: i });
    for (let i = 0; i < 4999; i++) q.shift();
    // Compaction keeps the backing array proportional to the live items, not to everything ever pushed.
    const items = (q as unknown as { items: unknown[] }).items;
    expect(items.length).toBeLessThan(2500);
    expect(q.peek()).toEqual({ n: 4999 });
  });
});
