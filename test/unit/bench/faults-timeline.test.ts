/**
 * The fault run's timeline math (bench/lock/faults/timeline.ts): 100 ms buckets, the smoothing the
 * chart uses, rates over windows, the longest stretch without a hand-off (edges included), the first
 * hand-off after a moment, and a fault's before / during / after figures.
 */
import { describe, expect, it } from 'vitest';
import {
  bucketCounts,
  firstAfter,
  longestGap,
  ratePerS,
  recoveredAt,
  smoothedRates,
  windowRates,
} from '../../../bench/lock/faults/timeline.js';
import { steady } from '../../support/bench/faults-fixture.js';

describe('fault timeline - buckets and smoothing', () => {
  it('counts each hand-off in its bucket, the window half-open, a last partial bucket included', () => {
    expect(bucketCounts([0, 99.9, 100, 250, 399, 400, 450], 0, 450, 100)).toEqual([2, 1, 1, 1, 1]);
    expect(bucketCounts([-5, 5, 1000], 0, 300, 100)).toEqual([1, 0, 0]);
    expect(bucketCounts([], 0, 0, 100)).toEqual([]);
  });

  it('turns counts into rates per second averaged over the buckets around each, fewer at the edges', () => {
    // 100 ms buckets: 10 hand-offs in one bucket is 100/s on its own.
    expect(smoothedRates([10, 10, 10], 100, 1)).toEqual([100, 100, 100]);
    const r = smoothedRates([0, 0, 50, 0, 0], 100, 5);
    expect(r[2]).toBeCloseTo(100); // 50 over 500 ms
    expect(r[0]).toBeCloseTo(50 / 0.3); // the edge averages over 3 buckets
    // A step stays where it is: the smoothing is centred.
    const step = smoothedRates([0, 0, 0, 0, 10, 10, 10, 10], 100, 3);
    expect(step[3]!).toBeLessThan(step[4]!);
    expect(step[3]).toBeCloseTo((10 * 1000) / 300);
  });
});

describe('fault timeline - rates, gaps, first hand-off', () => {
  const times = [...steady(0, 1000, 10), ...steady(2500, 4000, 20)];

  it('rates over half-open windows, and none for a window too short to mean anything', () => {
    expect(ratePerS(times, 0, 1000)).toBeCloseTo(100);
    expect(ratePerS(times, 1000, 2500)).toBe(0);
    expect(ratePerS(times, 2500, 4000)).toBeCloseTo(50);
    expect(ratePerS(times, 0, 100)).toBeNull();
    expect(ratePerS(times, 500, 500)).toBeNull();
  });

  it('finds the longest stretch without a hand-off and where it began', () => {
    expect(longestGap(times, 0, 4000)).toEqual({ ms: 2500 - 990, atMs: 990 });
    // Clipped to the window: a window starting inside the gap measures from its start.
    expect(longestGap(times, 2000, 4000)).toEqual({ ms: 500, atMs: 2000 });
  });

  it('counts the edges: a lock that stopped handing off shows the stretch up to the end', () => {
    expect(longestGap([100, 200], 0, 5000)).toEqual({ ms: 4800, atMs: 200 });
    expect(longestGap([900], 0, 1000)).toEqual({ ms: 900, atMs: 0 });
    expect(longestGap([], 0, 700)).toEqual({ ms: 700, atMs: 0 });
  });

  it('finds the first hand-off at or after a moment', () => {
    expect(firstAfter(times, 995)).toBe(2500);
    expect(firstAfter(times, 990)).toBe(990);
    expect(firstAfter(times, -1)).toBe(0);
    expect(firstAfter(times, 5000)).toBeUndefined();
    expect(firstAfter([], 0)).toBeUndefined();
  });
});

describe('fault timeline - recovery', () => {
  it('is the first hand-off that starts 500 ms at half the earlier rate, not a lone one', () => {
    // Before: 100/s. After 1 s: a trickle of two, a stall, then 60/s from 2 s.
    const times = [1100, 1300, ...steady(2000, 4000, 1000 / 60)];
    expect(recoveredAt(times, 1000, 100, 4000)).toBe(2000);
    // 60/s is not half of 200/s.
    expect(recoveredAt(times, 1000, 200, 4000)).toBeUndefined();
  });

  it('needs the whole 500 ms inside the window, and at least two hand-offs even for a slow lock', () => {
    expect(recoveredAt([1000, 1100, 1200], 900, 100, 1400)).toBeUndefined();
    expect(recoveredAt([1000], 900, 1, 5000)).toBeUndefined();
    expect(recoveredAt([1000, 1400], 900, 1, 5000)).toBe(1000);
    expect(recoveredAt([], 0, 100, 5000)).toBeUndefined();
  });
});

describe('fault timeline - a fault window', () => {
  // 200/s until a fault at 5 s, nothing until 6.2 s, then 100/s; the fault ends at 7 s; window 12 s.
  const times = [...steady(0, 5000, 5), ...steady(6200, 12_000, 10)];

  it('gives the rate before, during and after, the first hand-off after the start and the longest gap', () => {
    const w = windowRates(times, 5000, 7000, 2000, 12_000);
    expect(w.beforePerS).toBeCloseTo(200);
    expect(w.duringPerS).toBeCloseTo(40); // 80 hand-offs in the last 0.8 s of 2 s
    expect(w.afterPerS).toBeCloseTo(100);
    expect(w.firstHandoffAfterMs).toBe(1200);
    expect(w.recoveryMs).toBe(1200); // 100/s is half of 200/s
    expect(w.longestGapMs).toBe(1200);
  });

  it('cuts the after window at the end of the measure window, and says when nothing came back', () => {
    const stopped = steady(0, 5000, 5);
    const w = windowRates(stopped, 5000, 7000, 2000, 8000);
    expect(w.afterPerS).toBe(0); // over 7-8 s only
    expect(w.firstHandoffAfterMs).toBeNull();
    // From the fault's start (not the last hand-off before it) to the end of the window.
    expect(w.longestGapMs).toBe(3000);
    // A fault at the start has no before window to speak of.
    expect(windowRates(times, 100, 2000, 2000, 12_000).beforePerS).toBeNull();
  });

  it('ignores a hand-off after the measure window as the first after the fault', () => {
    expect(windowRates([1000, 9000], 2000, 3000, 2000, 8000).firstHandoffAfterMs).toBeNull();
  });
});
