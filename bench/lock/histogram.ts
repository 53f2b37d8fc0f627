/**
 * A log-linear histogram of non-negative integer values, laid out as HdrHistogram lays out 3 significant
 * digits: values below 2048 are counted exactly; from 2048 up, each power-of-two range [2^k, 2^(k+1)) is
 * split into 1024 equal buckets, so a bucket is never wider than 1/1024 of its values (under 0.1%).
 * Percentiles answer as HdrHistogram's getValueAtPercentile does: the highest value equivalent to the
 * bucket holding the nearest-rank sample (capped at the exact maximum), so a reported percentile is never
 * below the true one and at most 0.1% above it. Count, min, max and mean are exact.
 *
 * Written here rather than taken from a package so the benchmark keeps zkts's zero-dependency footprint;
 * test/unit/bench/histogram.test.ts checks it against a sorted-array reference.
 */

/** Values below this are their own bucket. */
const EXACT = 2048;
/** Buckets per power of two above EXACT. */
const HALF = 1024;

/** Number of bits needed for `v` (v ≥ 1, an integer up to 2^53). */
function bitLength(v: number): number {
  if (v < 0x1_0000_0000) return 32 - Math.clz32(v);
  return 32 + 32 - Math.clz32(Math.floor(v / 0x1_0000_0000));
}

/** Bucket index of an integer value. */
export function bucketOf(v: number): number {
  if (v < EXACT) return v;
  const shift = bitLength(v) - 11; // ≥ 1: v / 2^shift lies in [1024, 2048)
  const sub = Math.floor(v / 2 ** shift);
  return EXACT + (shift - 1) * HALF + (sub - HALF);
}

/** The lowest and highest value counted in bucket `i`. */
export function bucketRange(i: number): [low: number, high: number] {
  if (i < EXACT) return [i, i];
  const shift = Math.floor((i - EXACT) / HALF) + 1;
  const sub = ((i - EXACT) % HALF) + HALF;
  const width = 2 ** shift;
  return [sub * width, (sub + 1) * width - 1];
}

export class Histogram {
  private counts: number[] = [];
  private total = 0;
  private sum = 0;
  private lo = Infinity;
  private hi = -Infinity;

  /** Records one value; negative values count as 0 and fractions are rounded (µs resolution is plenty). */
  record(value: number): void {
    const v = Number.isFinite(value) ? Math.max(0, Math.round(value)) : 0;
    const i = bucketOf(v);
    while (this.counts.length <= i) this.counts.push(0);
    this.counts[i]!++;
    this.total++;
    this.sum += v;
    if (v < this.lo) this.lo = v;
    if (v > this.hi) this.hi = v;
  }

  recordAll(values: Iterable<number>): this {
    for (const v of values) this.record(v);
    return this;
  }

  get count(): number {
    return this.total;
  }

  get min(): number {
    return this.total === 0 ? 0 : this.lo;
  }

  get max(): number {
    return this.total === 0 ? 0 : this.hi;
  }

  get mean(): number {
    return this.total === 0 ? 0 : this.sum / this.total;
  }

  /**
   * The value at percentile `p` (0..100): the nearest-rank sample's bucket, reported as its highest
   * equivalent value (capped at the maximum); p = 0 gives the minimum. 0 for an empty histogram.
   */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    if (p <= 0) return this.lo;
    // Nearest rank, ceil(p% of the count); the epsilon keeps float noise (90 × 10 / 100) from adding a rank.
    const rank = Math.max(1, Math.ceil((Math.min(p, 100) * this.total) / 100 - 1e-9));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(bucketRange(i)[1], this.hi);
    }
    return this.hi;
  }
}
