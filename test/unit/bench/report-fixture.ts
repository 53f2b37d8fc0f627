/**
 * A small synthetic lock-benchmark report for the result-file, goal and chart tests: three
 * implementations at N 1, 2, 16, 64 and hold 0 / 1 ms, with figures chosen so the goals come out known.
 */
import type { Implementation } from '../../../bench/lock/protocol.js';
import { type BenchReport, type CellResult, SCHEMA } from '../../../bench/lock/report.js';

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
    status: 'ok',
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
    violationExamples: [],
    errors: 0,
    fractionOfCeiling: null,
    ratioVsBestPeer: null,
    bestPeer: null,
    wallMs: 2500,
    ...over,
  };
}

export function sampleReport(): BenchReport {
  const impls: Implementation[] = ['zkts-mutex', 'zkts-simple-lock', 'nzc-recipe', 'curator'];
  const ns = [1, 2, 16, 64];
  const holds = [0, 1];
  const cells = holds.flatMap((h) => ns.flatMap((n) => impls.map((i) => cellOf(i, n, h))));
  return {
    schema: SCHEMA,
    startedAt: '2026-11-22T03:00:00.000Z',
    finishedAt: '2026-11-22T03:03:00.000Z',
    durationS: 180,
    command: 'npm run bench --',
    machine: { cpus: 2, cpuModel: 'AMD EPYC', memoryGb: 24, os: 'Linux 6.1', node: 'v20.20.2', loadBefore: 0.5, loadAfter: 0.7 },
    server: { kind: 'standalone', version: '3.8.0', forceSync: 'yes', settings: ['forceSync=yes'], members: 1, rttMs: 0, root: '/zkts-bench/run-x' },
    settings: {
      ns,
      holdsMs: holds,
      warmupMs: 500,
      jvmWarmupMs: 2000,
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
      ceilingHandoffsPerS: { '0': 1667, '1': 625 },
    },
    implementations: impls.map((impl) => ({ impl, label: impl, version: 'test' })),
    skipped: [{ impl: 'kazoo', reason: 'to add it: apt-get install python3-kazoo' }],
    cells,
    violations: 0,
    goals: [],
  };
}
