/**
 * Timing harness: warm-up, batch calibration, interleaved rounds, medians, and a CPU baseline.
 *
 * Time is process CPU time (process.cpuUsage: user + system, all threads), not wall time: on a shared
 * machine a process can be descheduled for most of a round, which wrecks wall-clock rates but not CPU
 * time. CPU time also charges each side for its background GC and JIT threads, which wall time does
 * not when spare cores run them. `useWallClock()` switches to wall time (performance.now).
 */
import { performance } from 'node:perf_hooks';

export interface Timing {
  warmupMs: number;
  rounds: number;
  roundMs: number;
  /** A round runs at least this many records even if that takes longer than roundMs. */
  minOps: number;
}

export interface SideResult {
  /** Median records per CPU-second over the rounds. */
  opsPerSec: number;
  /** Every round's records per CPU-second, in order. */
  rounds: number[];
  checksum: number;
}

export interface Comparison {
  a: SideResult;
  b: SideResult;
  /** a/b per round; each round runs a and b back to back, so each ratio sees the same machine state. */
  ratios: number[];
  /** Median of `ratios`. */
  ratio: number;
}

/** Sink for checksums so the JIT cannot prove any result unused. */
export let sink = 0;

/** CPU milliseconds used by this process so far. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

let clock: () => number = cpuMs;
export let clockName = 'CPU';

/** Times with performance.now() instead of process CPU time. */
export function useWallClock(): void {
  clock = () => performance.now();
  clockName = 'wall';
}

/** Runs `run` for about warmupMs of CPU time while finding a batch size of about 5 ms; returns it. */
function calibrate(run: (n: number) => number, warmupMs: number): number {
  let n = 1;
  let batch = 1;
  const start = clock();
  for (;;) {
    const t0 = clock();
    sink ^= run(n);
    const dt = clock() - t0;
    if (dt < 2) {
      n *= 2;
    } else {
      batch = Math.max(1, Math.round((n * 5) / dt));
      n = batch;
      if (clock() - start >= warmupMs) return batch;
    }
  }
}

/**
 * One round: batches until roundMs of CPU time and minOps are both reached (or 10 x roundMs of wall time
 * passed, so a starved process still finishes); returns records per CPU-second.
 */
function round(run: (n: number) => number, batch: number, t: Timing): { rate: number; checksum: number } {
  let ops = 0;
  let checksum = 0;
  const wall0 = Date.now();
  const t0 = clock();
  let elapsed = 0;
  do {
    checksum = (checksum + run(batch)) % 0x40000000;
    ops += batch;
    elapsed = clock() - t0;
  } while ((elapsed < t.roundMs || ops < t.minOps) && Date.now() - wall0 < 10 * t.roundMs);
  return { rate: (ops * 1000) / elapsed, checksum };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Warms both sides, then runs `t.rounds` rounds, each timing a and b back to back and alternating which
 * goes first, so slow drift (thermal, GC heap growth, other load) hits both equally. Returns each side's
 * median rate and the median of the per-round ratios.
 */
export function compare(a: (n: number) => number, b: (n: number) => number, t: Timing): Comparison {
  const batchA = calibrate(a, t.warmupMs);
  const batchB = calibrate(b, t.warmupMs);
  const ra: number[] = [];
  const rb: number[] = [];
  let ca = 0;
  let cb = 0;
  for (let i = 0; i < t.rounds; i++) {
    let x: { rate: number; checksum: number };
    let y: { rate: number; checksum: number };
    if (i % 2 === 0) {
      x = round(a, batchA, t);
      y = round(b, batchB, t);
    } else {
      y = round(b, batchB, t);
      x = round(a, batchA, t);
    }
    ra.push(x.rate);
    rb.push(y.rate);
    ca ^= x.checksum;
    cb ^= y.checksum;
  }
  sink ^= ca ^ cb;
  const ratios = ra.map((r, i) => r / rb[i]!);
  return {
    a: { opsPerSec: median(ra), rounds: ra, checksum: ca },
    b: { opsPerSec: median(rb), rounds: rb, checksum: cb },
    ratios,
    ratio: median(ratios),
  };
}

/**
 * A fixed integer workload (xorshift32, 50 M steps): its CPU time tells how fast this machine runs plain
 * JIT-compiled JS, so figures from different machines can be scaled. Median of 3 runs, in ms.
 */
export function cpuBaseline(): { ms: number; mopsPerSec: number } {
  const steps = 50_000_000;
  const runOnce = (): number => {
    let x = 0x12345678;
    let acc = 0;
    for (let i = 0; i < steps; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      acc = (acc + (x & 0xff)) | 0;
    }
    return acc;
  };
  runOnce();
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = clock();
    sink ^= runOnce();
    times.push(clock() - t0);
  }
  const ms = median(times);
  return { ms, mopsPerSec: steps / 1000 / ms };
}
