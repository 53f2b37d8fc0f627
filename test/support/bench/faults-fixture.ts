/**
 * A fault run's result built from synthetic cell outcomes through the real figures code
 * (bench/lock/faults/figures.ts): two implementations on the quick schedule, one recovering from the
 * leader kill in 0.5 s, the other in 1.5 s and leaving an orphan node.
 */
import { faultFigures, type CellOutcome } from '../../../bench/lock/faults/figures.js';
import { evaluateFaultGoals } from '../../../bench/lock/faults/goals.js';
import { FAULTS_SCHEMA, type FaultWindow, type FaultsReport } from '../../../bench/lock/faults/report.js';
import { faultSchedule } from '../../../bench/lock/faults/schedule.js';
import { LABELS, type PreparedImpl } from '../../../bench/lock/runners/registry.js';
import type { Hold, Implementation, RunnerResult } from '../../../bench/lock/protocol.js';

export const QUICK = faultSchedule('quick', 4000);

/** Hand-offs every `everyMs` in [from, to). */
export function steady(from: number, to: number, everyMs: number): number[] {
  const out: number[] = [];
  for (let t = from; t < to; t += everyMs) out.push(t);
  return out;
}

export const FAULTS: FaultWindow[] = [
  {
    kind: 'leader-kill',
    label: 'leader kill -9',
    target: 'member 3',
    startMs: 2000,
    endMs: 3500,
    electedMs: 2400,
    detail: 'member 1 led after 0.4 s',
  },
  { kind: 'worker-cutoff', label: 'worker 1 cut off', target: 'worker 1', startMs: 5500, endMs: 11_500, detail: 'black-holed 6 s' },
];

function prepared(impl: Implementation): PreparedImpl {
  return { impl, version: `${impl} 1.0`, command: () => [], dispose: () => undefined };
}

/** One runner's result with `n` holds of 1 ms, tokens increasing, none overlapping. */
function result(impl: Implementation, n: number, replaced: number, offset: number): RunnerResult {
  const holds: Hold[] = [];
  for (let i = 0; i < n; i++) {
    const start = 1_000_000 + (2 * i + offset) * 5000;
    holds.push([String(2 * i + offset + 1), 'w', start, start + 1000]);
  }
  return {
    impl,
    acquisitions: n,
    latenciesUs: new Array<number>(n).fill(4000),
    holds,
    cpuUs: 1000,
    measuredMs: QUICK.windowMs,
    errors: 2,
    staleWrites: 0,
    notes: { library: impl, sessionsReplaced: String(replaced) },
  };
}

export function outcome(impl: Implementation, recoveryMs: number, children: string[] | null): CellOutcome {
  const timeline = [...steady(0, 2000, 5), ...steady(2000 + recoveryMs, 5500, 5), ...steady(10_000, QUICK.windowMs, 5)];
  return {
    prepared: prepared(impl),
    schedule: QUICK,
    contenders: 8,
    workers: 2,
    holdMs: 1,
    sessionTimeoutMs: 4000,
    warmupMs: 2000,
    results: [result(impl, 50, 0, 0), result(impl, 50, 4, 1)],
    timeline,
    store: { enters: timeline.length, overlaps: 0, stale: 0, examples: [] },
    faults: FAULTS,
    skippedFaults: [],
    children,
    error: undefined,
    wallMs: 31_000,
  };
}

export function sampleFaultsReport(): FaultsReport {
  const results = [faultFigures(outcome('zkts-mutex', 500, [])), faultFigures(outcome('curator', 1500, ['_c_x-lock-0000000042']))];
  return {
    schema: FAULTS_SCHEMA,
    startedAt: '2026-12-06T21:00:00.000Z',
    finishedAt: '2026-12-06T21:01:10.000Z',
    durationS: 70,
    command: 'npm run bench -- --ensemble 3 --faults-quick',
    machine: { cpus: 2, cpuModel: 'test cpu', memoryGb: 8, os: 'Linux 6', node: 'v20', loadBefore: 0.5, loadAfter: 1.5 },
    server: {
      kind: 'ensemble of 3',
      version: '3.8.0',
      forceSync: 'yes',
      settings: ['forceSync=yes'],
      members: 3,
      rttMs: 0,
      root: '/zkts-bench/run-x',
    },
    settings: {
      schedule: 'quick',
      plan: ['leader kill -9', 'worker 1 cut off'],
      calmMs: QUICK.calmMs,
      windowMs: QUICK.windowMs,
      contenders: 8,
      workers: 2,
      holdMs: 1,
      sessionTimeoutMs: 4000,
      warmupMs: 2000,
      bucketMs: 100,
      smoothingMs: 500,
      rttMs: 0,
    },
    implementations: (['zkts-mutex', 'curator'] as const).map((impl) => ({ impl, label: LABELS[impl], version: `${impl} 1.0` })),
    skipped: [{ impl: 'kazoo', reason: 'not installed' }],
    results,
    violations: 0,
    goals: evaluateFaultGoals(results),
  };
}
