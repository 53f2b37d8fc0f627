/**
 * Figures from a hand-off timeline: the times of the accepted enters the fenced store recorded for one
 * lock (fenced-store.ts record()), in ms since GO, ascending. Rates per window and per 100 ms bucket,
 * the longest stretch without a hand-off, the first hand-off after a moment (a fault's start), and when
 * the rate was back to half of what it was before.
 */

/** A stretch without a hand-off: its length and where it began, ms since GO. */
export interface Gap {
  ms: number;
  atMs: number;
}

/** Hand-offs per bucket of `bucketMs` from `fromMs` up to `toMs` (a last partial bucket counts as one). */
export function bucketCounts(times: readonly number[], fromMs: number, toMs: number, bucketMs: number): number[] {
  const counts = new Array<number>(Math.max(0, Math.ceil((toMs - fromMs) / bucketMs))).fill(0);
  for (const t of times) {
    if (t < fromMs || t >= toMs) continue;
    counts[Math.floor((t - fromMs) / bucketMs)]!++;
  }
  return counts;
}

/**
 * Rates per second from bucket counts, each averaged over the `width` buckets centred on it (fewer at
 * the edges), so a 100 ms timeline reads as a 500 ms one without moving its steps in time.
 */
export function smoothedRates(counts: readonly number[], bucketMs: number, width: number): number[] {
  const half = Math.floor(width / 2);
  return counts.map((_, i) => {
    const lo = Math.max(0, i - half);
    const hi = Math.min(counts.length, i + half + 1);
    let sum = 0;
    for (let j = lo; j < hi; j++) sum += counts[j]!;
    return (sum * 1000) / ((hi - lo) * bucketMs);
  });
}

/** Shortest window a rate is given for: below it one hand-off more or less swings the figure. */
const MIN_RATE_WINDOW_MS = 200;

/** Hand-offs per second in [fromMs, toMs); null when the window is shorter than MIN_RATE_WINDOW_MS. */
export function ratePerS(times: readonly number[], fromMs: number, toMs: number): number | null {
  if (toMs - fromMs < MIN_RATE_WINDOW_MS) return null;
  let n = 0;
  for (const t of times) if (t >= fromMs && t < toMs) n++;
  return (n * 1000) / (toMs - fromMs);
}

/**
 * The longest stretch in [fromMs, toMs] without a hand-off, its edges included: from `fromMs` to the
 * first hand-off, between hand-offs, and from the last one to `toMs` (a lock that stopped handing off
 * before the end shows it).
 */
export function longestGap(times: readonly number[], fromMs: number, toMs: number): Gap {
  let best: Gap = { ms: 0, atMs: fromMs };
  let last = fromMs;
  for (const t of times) {
    if (t < fromMs) continue;
    if (t > toMs) break;
    if (t - last > best.ms) best = { ms: t - last, atMs: last };
    last = t;
  }
  if (toMs - last > best.ms) best = { ms: toMs - last, atMs: last };
  return best;
}

/** The index of the first hand-off at or after `atMs` (times.length when none). */
function indexAt(times: readonly number[], atMs: number): number {
  // Binary search: timelines hold tens of thousands of hand-offs.
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < atMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first hand-off at or after `atMs`, or undefined when none came. */
export function firstAfter(times: readonly number[], atMs: number): number | undefined {
  return times[indexAt(times, atMs)];
}

/** The span and share of the earlier rate that count as recovered (recoveredAt). */
export const RECOVERY_SPAN_MS = 500;
export const RECOVERY_SHARE = 0.5;

/**
 * The first hand-off at or after `atMs` that starts a RECOVERY_SPAN_MS stretch with at least
 * RECOVERY_SHARE of `ratePerS` (and at least one hand-off besides it), ending by `toMs`; undefined when
 * none does. One hand-off after a fault is not a recovery: a lock can trickle on and stall again.
 */
export function recoveredAt(times: readonly number[], atMs: number, ratePerS: number, toMs: number): number | undefined {
  const need = Math.max(2, Math.ceil((ratePerS * RECOVERY_SHARE * RECOVERY_SPAN_MS) / 1000));
  let j = indexAt(times, atMs);
  for (let i = j; i < times.length && times[i]! + RECOVERY_SPAN_MS <= toMs; i++) {
    while (j < times.length && times[j]! < times[i]! + RECOVERY_SPAN_MS) j++;
    if (j - i >= need) return times[i];
  }
  return undefined;
}

/** A fault's figures on a timeline (ms since GO). */
export interface WindowRates {
  /** Hand-offs/s in the quiet `calmMs` before the fault's start. */
  beforePerS: number | null;
  /** From its start to its end. */
  duringPerS: number | null;
  /** In the `calmMs` after its end (cut at the window's end). */
  afterPerS: number | null;
  /** From its start to the first hand-off at or after it; null when none came in the window. */
  firstHandoffAfterMs: number | null;
  /** From its start until the rate was back to half the rate before (recoveredAt); null if never in the window. */
  recoveryMs: number | null;
  /** The longest stretch without a hand-off from its start to `calmMs` after its end. */
  longestGapMs: number;
}

export function windowRates(times: readonly number[], startMs: number, endMs: number, calmMs: number, windowMs: number): WindowRates {
  const afterEnd = Math.min(endMs + calmMs, windowMs);
  const first = firstAfter(times, startMs);
  const beforePerS = ratePerS(times, Math.max(0, startMs - calmMs), startMs);
  const recovered = beforePerS === null ? undefined : recoveredAt(times, startMs, beforePerS, windowMs);
  return {
    beforePerS,
    duringPerS: ratePerS(times, startMs, endMs),
    afterPerS: ratePerS(times, endMs, afterEnd),
    firstHandoffAfterMs: first === undefined || first > windowMs ? null : first - startMs,
    recoveryMs: recovered === undefined ? null : recovered - startMs,
    longestGapMs: longestGap(times, startMs, Math.max(startMs, afterEnd)).ms,
  };
}
