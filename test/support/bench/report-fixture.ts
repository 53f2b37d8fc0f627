/**
 * A small synthetic lock-benchmark report for the result-file, goal and chart tests: four
 * implementations at N 1, 2, 16, 64 and hold 0 / 1 ms, three repeats of the goal Ns (2, 16, 64) with
 * figures that vary by repeat, chosen so the goals come out known.
 */
import type { Implementation } from '../../../bench/lock/protocol.js';
import { type BenchReport, type CellResult, SCHEMA } from '../../../bench/lock/report.js';
import { summarizeCells } from '../../../bench/lock/summary.js';

const RATE: Record<string, number> = { 'zkts-mutex': 1500, 'nzc-recipe': 1000, curator: 900, 'zkts-simple-lock': 400 };
const REQUESTS: Record<string, (n: number) => number> = {
  'zkts-mutex': (n) => (n === 1 ? 3 : 4),
  'nzc-recipe': (n) => (n === 1 ? 3 : 5),
  curator: (n) => (n === 1 ? 3 : 5),
  'zkts-simple-lock': (n) => 2 + n,
};

export function cellOf(impl: Implementation, n: number, holdMs: number, over: Partial<CellResult> = {}): CellResult {
  const rate = RATE[impl]! / (1 + holdMs);
  return {
    impl,
    n,
    holdMs,
    workers: 1,
    repeat: 0,
    status: 'ok',
    warmupMs: 1500,
    warmupSteady: true,
    acquisitions: Math.round(rate * 1.2),
    measuredMs: 1200,
    handoffsPerS: rate,
    latencyUs: { count: Math.round(rate * 1.2), p50: 500 * n, p90: 800 * n, p99: 1200 * n, max: 2000 * n, mean: 600 * n },
    requestsPerAcquisition: REQUESTS[impl]!(n),
    notificationsPerHandoff: n === 1 ? 0 : 1,
    flushesPerAcquisition: n === 1 ? 2 : 1.5,
    watchCount: n,
    cpuUsPerAcquisition: 300,
    serverCpuUsPerAcquisition: 250,
    violations: 0,
    storeOverlaps: 0,
    staleWrites: 0,
    timestampViolations: 0,
    violationExamples: [],
    errors: 0,
    fractionOfCeiling: null,
    wallMs: 2500,
    ...over,
  };
}

export function sampleReport(): BenchReport {
  const impls: Implementation[] = ['zkts-mutex', 'zkts-simple-lock', 'nzc-recipe', 'curator'];
  const ns = [1, 2, 16, 64];
  const holds = [0, 1];
  // Repeat r of a goal N runs r % 3 * 5% faster: medians are the middle repeat, ranges ±5%.
  const cells = [0, 1, 2].flatMap((repeat) =>
    holds.flatMap((h) =>
      ns
        .filter((n) => repeat === 0 || n !== 1)
        .flatMap((n) =>
          impls.map((i) => {
            const c = cellOf(i, n, h, { repeat });
            const f = 1 + ((repeat + 2) % 3) * 0.05 - 0.05;
            return { ...c, handoffsPerS: Math.round(c.handoffsPerS * f * 10) / 10 };
          }),
        ),
    ),
  );
  return {
    schema: SCHEMA,
    startedAt: '2026-11-22T03:00:00.000Z',
    finishedAt: '2026-11-22T03:03:00.000Z',
    durationS: 180,
    command: 'npm run bench --',
    machine: { cpus: 2, cpuModel: 'AMD EPYC', memoryGb: 24, os: 'Linux 6.1', node: 'v20.20.2', loadBefore: 0.5, loadAfter: 0.7 },
    server: {
      kind: 'standalone',
      version: '3.8.0',
      forceSync: 'yes',
      settings: ['forceSync=yes'],
      members: 1,
      rttMs: 0,
      root: '/zkts-bench/run-x',
    },
    settings: {
      ns,
      holdsMs: holds,
      warmup: 'until steady',
      repeats: { '1': 1, '2': 3, '16': 3, '64': 3 },
      measureMs: 1200,
      rttMs: 0,
      quick: false,
      workers: 'one runner process per 64 sessions',
      sessionTimeoutMs: 10_000,
      readRatio: 0.9,
      order: 'rotated',
    },
    floor: {
      iterations: 800,
      createDeleteUs: { count: 800, p50: 900, p90: 1500, p99: 6000, max: 9000, mean: 1000 },
      notifyUs: { count: 800, p50: 600, p90: 900, p99: 4600, max: 8000, mean: 700 },
      client: 'zkts v20.20.2',
      ceilingHandoffsPerS: { '0': 1667, '1': 625 },
    },
    javaFloor: null,
    implementations: impls.map((impl) => ({ impl, label: impl, version: 'test' })),
    skipped: [{ impl: 'kazoo', reason: 'to add it: apt-get install python3-kazoo' }],
    cells,
    summaries: summarizeCells(cells),
    violations: 0,
    goals: [],
  };
}

/**
 * A synthetic --runtime report (bench/shared/runtimes.ts): zkts's Mutex on Node, Bun and Deno, native and
 * Node-compat, at N 1, 16, 64, hold 0, one repeat. Bun's native transport is faster than its Node-compat
 * path and cheaper than Node; Deno's is slower than its Node-compat path at N = 64 and costs 1.3x Node's CPU.
 */
export function sampleRuntimeReport(): BenchReport {
  const rates: Record<string, [number, number]> = {
    'zkts-mutex@node': [1000, 400],
    'zkts-mutex@bun': [1100, 360],
    'zkts-mutex@bun:node': [1000, 420],
    'zkts-mutex@deno': [900, 520],
    'zkts-mutex@deno:node': [950, 480],
  };
  const impls = Object.keys(rates) as Implementation[];
  const ns = [1, 16, 64];
  const cells = ns.flatMap((n) =>
    impls.map((impl) => {
      const [rate, cpu] = rates[impl]!;
      const handoffsPerS = impl === 'zkts-mutex@deno' && n !== 64 ? 1000 : rate;
      return cellOf('zkts-mutex', n, 0, { impl, handoffsPerS, cpuUsPerAcquisition: cpu });
    }),
  );
  const base = sampleReport();
  return {
    ...base,
    command: 'npm run bench -- --runtime bun,deno',
    settings: {
      ...base.settings,
      ns,
      holdsMs: [0],
      repeats: { '1': 1, '16': 1, '64': 1 },
      runtimes: { node: 'Node v20.20.2', bun: 'Bun 1.4.5', deno: 'Deno 2.9.6' },
    },
    implementations: impls.map((impl) => ({ impl, label: impl, version: 'test' })),
    skipped: [],
    cells,
    summaries: summarizeCells(cells),
  };
}
