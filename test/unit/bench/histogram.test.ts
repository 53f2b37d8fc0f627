/**
 * The lock benchmark's histogram (bench/lock/histogram.ts) and latency summaries (bench/lock/stats.ts)
 * against a sorted-array reference: nearest-rank percentiles, exact below 2048, never below the true
 * value and at most 1/1024 above it, exact count/min/max/mean.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Histogram, bucketOf, bucketRange } from '../../../bench/lock/histogram.js';
import { summarize } from '../../../bench/lock/stats.js';

/** Nearest rank: the smallest value with at least p% of the samples at or below it. */
function reference(sorted: readonly number[], p: number): number {
  if (p <= 0) return sorted[0]!;
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100 - 1e-9));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

const PERCENTILES = [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 100];

describe('histogram - buckets', () => {
  it('counts every value below 2048 in its own bucket', () => {
    for (let v = 0; v < 2048; v++) expect(bucketRange(bucketOf(v))).toEqual([v, v]);
  });

  it('puts every value inside its bucket, and buckets are at most 1/1024 of their values wide', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 42 }), (v) => {
        const [lo, hi] = bucketRange(bucketOf(v));
        expect(lo).toBeLessThanOrEqual(v);
        expect(hi).toBeGreaterThanOrEqual(v);
        expect(hi - lo + 1).toBeLessThanOrEqual(Math.max(1, lo / 1024));
      }),
      { numRuns: 2000 },
    );
  });

  it('numbers buckets without gaps or overlaps across powers of two', () => {
    for (const k of [11, 12, 20, 31, 32, 33, 40]) {
      const below = bucketOf(2 ** k - 1);
      const at = bucketOf(2 ** k);
      expect(at).toBe(below + 1);
      expect(bucketRange(below)[1]).toBe(2 ** k - 1);
      expect(bucketRange(at)[0]).toBe(2 ** k);
    }
  });
});

describe('histogram - percentiles against a sorted array', () => {
  it('is exact for values below 2048', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 2048);
    const h = new Histogram().recordAll(values);
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of PERCENTILES) expect(h.percentile(p)).toBe(reference(sorted, p));
  });

  it('is within 0.1% above the true percentile for any sample (and never below it)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 50_000_000 })), { minLength: 1, maxLength: 400 }),
        fc.constantFrom(...PERCENTILES),
        (values, p) => {
          const h = new Histogram().recordAll(values);
          const sorted = [...values].sort((a, b) => a - b);
          const want = reference(sorted, p);
          const got = h.percentile(p);
          expect(got).toBeGreaterThanOrEqual(want);
          expect(got).toBeLessThanOrEqual(want + Math.floor(want / 1024));
          expect(got).toBeLessThanOrEqual(sorted[sorted.length - 1]!);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('uses the nearest rank without float drift (p90 of 10 samples is the 9th)', () => {
    const h = new Histogram().recordAll([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(h.percentile(90)).toBe(9);
    expect(h.percentile(50)).toBe(5);
    expect(h.percentile(99)).toBe(10);
    expect(h.percentile(100)).toBe(10);
  });

  it('keeps count, min, max and mean exact', () => {
    const values = [3, 2_000_001, 17, 4096, 999_999];
    const h = new Histogram().recordAll(values);
    expect(h.count).toBe(5);
    expect(h.min).toBe(3);
    expect(h.max).toBe(2_000_001);
    expect(h.mean).toBe(values.reduce((a, b) => a + b) / 5);
    expect(h.percentile(100)).toBe(2_000_001);
  });

  it('answers 0 when empty and rounds fractional or negative input', () => {
    const h = new Histogram();
    expect([h.count, h.min, h.max, h.mean, h.percentile(50)]).toEqual([0, 0, 0, 0, 0]);
    h.record(-5);
    h.record(2.6);
    expect([h.min, h.max]).toEqual([0, 3]);
  });
});

describe('stats - summarize', () => {
  it('reports p50, p90, p99, max and mean of a latency sample', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => 100 + i * 13);
    const sorted = [...values].sort((a, b) => a - b);
    const s = summarize(values);
    expect(s.count).toBe(10_000);
    expect(s.max).toBe(sorted[sorted.length - 1]);
    for (const [key, p] of [
      ['p50', 50],
      ['p90', 90],
      ['p99', 99],
    ] as const) {
      const want = reference(sorted, p);
      expect(s[key]).toBeGreaterThanOrEqual(want);
      expect(s[key]).toBeLessThanOrEqual(want * (1 + 1 / 1024));
    }
    expect(s.mean).toBeCloseTo(values.reduce((a, b) => a + b) / values.length, 1);
  });
});
