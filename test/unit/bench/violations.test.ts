/**
 * The lock benchmark's mutual-exclusion check (bench/lock/violations.ts): holds from several processes,
 * sorted by fencing token; a writer must neither overlap another hold nor be out of token order;
 * readers may overlap readers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Hold } from '../../../bench/lock/protocol.js';
import { checkHolds } from '../../../bench/lock/violations.js';

const w = (token: number | string, start: number, end: number): Hold => [String(token), 'w', start, end];
const r = (token: number | string, start: number, end: number): Hold => [String(token), 'r', start, end];

describe('violations - exclusive holds', () => {
  it('passes a correct sequence, in any input order (holds come from several processes)', () => {
    const holds = [w(30, 300, 390), w(10, 100, 150), w(20, 200, 250), w(40, 400, 400)];
    expect(checkHolds(holds)).toEqual({ count: 0, examples: [] });
    expect(checkHolds([])).toEqual({ count: 0, examples: [] });
  });

  it('lets one hold end in the microsecond the next starts', () => {
    expect(checkHolds([w(1, 0, 10), w(2, 10, 20)]).count).toBe(0);
  });

  it('flags two overlapping writers', () => {
    const report = checkHolds([w(10, 100, 200), w(20, 150, 250)]);
    expect(report.count).toBe(1);
    expect(report.examples[0]).toContain('token 20');
  });

  it('flags tokens that do not increase in time order, even without an overlap', () => {
    // Token 20 held before token 10: a lock handing out an older node later.
    const report = checkHolds([w(20, 100, 110), w(10, 200, 210)]);
    expect(report.count).toBeGreaterThan(0);
  });

  it('flags a writer nested inside an older, longer hold', () => {
    expect(checkHolds([w(1, 0, 1000), w(2, 10, 20), w(3, 2000, 2001)]).count).toBeGreaterThan(0);
  });

  it('flags a token held twice', () => {
    const report = checkHolds([w(7, 0, 10), w(7, 20, 30)]);
    expect(report.count).toBeGreaterThan(0);
    expect(report.examples.join(' ')).toContain('held twice');
  });

  it('compares tokens as integers beyond 2^53 (czxids are 64-bit)', () => {
    const a = (2n ** 60n + 1n).toString();
    const b = (2n ** 60n + 2n).toString();
    expect(checkHolds([w(b, 200, 300), w(a, 100, 150)]).count).toBe(0);
    expect(checkHolds([w(a, 200, 300), w(b, 100, 150)]).count).toBeGreaterThan(0);
  });

  it('flags a hold that ends before it starts, and an unparsable token', () => {
    expect(checkHolds([w(1, 10, 5)]).count).toBe(1);
    expect(checkHolds([['x1', 'w', 0, 1]]).count).toBe(1);
  });

  it('keeps at most five examples but counts everything', () => {
    const holds = Array.from({ length: 20 }, (_, i) => w(i + 1, 0, 100));
    const report = checkHolds(holds);
    expect(report.count).toBeGreaterThanOrEqual(19);
    expect(report.examples).toHaveLength(5);
  });
});

describe('violations - readers and writers', () => {
  it('lets readers overlap each other, in any order among themselves', () => {
    expect(checkHolds([r(11, 100, 300), r(12, 90, 250), r(13, 120, 130)]).count).toBe(0);
  });

  it('passes readers behind a writer and a writer behind readers', () => {
    const holds = [r(1, 0, 50), r(2, 10, 60), w(3, 70, 80), r(4, 90, 120), r(5, 85, 100), w(6, 130, 140)];
    expect(checkHolds(holds).count).toBe(0);
  });

  it('flags a reader overlapping a writer, whichever token is older', () => {
    expect(checkHolds([w(3, 70, 80), r(4, 75, 120)]).count).toBe(1);
    expect(checkHolds([r(2, 10, 75), w(3, 70, 80)]).count).toBe(1);
  });

  it('flags a reader with an older token that starts after a newer writer', () => {
    expect(checkHolds([w(5, 100, 110), r(4, 200, 210)]).count).toBe(1);
  });
});

/** O(n²) reference: holds that conflict with at least one hold of a smaller token. */
function bruteForce(holds: readonly Hold[]): number {
  let count = 0;
  for (const j of holds) {
    const conflict = holds.some((i) => BigInt(i[0]) < BigInt(j[0]) && (i[1] === 'w' || j[1] === 'w') && i[3] > j[2]);
    if (conflict) count++;
  }
  return count;
}

describe('violations - against a brute-force pair check', () => {
  it('agrees on random schedules with distinct tokens', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 1000 }), { minLength: 0, maxLength: 40 }).chain((tokens) =>
          fc.tuple(
            fc.constant(tokens),
            fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 60 })), {
              minLength: tokens.length,
              maxLength: tokens.length,
            }),
          ),
        ),
        ([tokens, shapes]) => {
          const holds: Hold[] = tokens.map((t, k) => {
            const [reader, start, length] = shapes[k]!;
            return [String(t), reader ? 'r' : 'w', start, start + length];
          });
          expect(checkHolds(holds).count).toBe(bruteForce(holds));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('finds nothing in a correct random mutex schedule, and the one overlap injected into it', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 2, maxLength: 60 }), fc.nat(), (lengths, pick) => {
        let t = 0;
        const holds: Hold[] = lengths.map((len, k) => {
          const h: Hold = [String(1000 + k), 'w', t, t + len];
          t += len + 1;
          return h;
        });
        expect(checkHolds([...holds].reverse()).count).toBe(0);
        const k = 1 + (pick % (holds.length - 1));
        const prev = holds[k - 1]!;
        holds[k] = [holds[k]![0], 'w', prev[3] - 1, holds[k]![3]];
        expect(checkHolds(holds).count).toBe(1);
      }),
      { numRuns: 300 },
    );
  });
});
