/**
 * One implementation's fault-run figures from what its cell collected: the runners' results (through
 * cell.ts figures(), the same violation checks as every other cell), the store's hand-off timeline, the
 * faults as they happened, and the lock path's children at DONE.
 */
import { type CellSpec, figures } from '../cell.js';
import type { LockStats } from '../fenced-store.js';
import type { PreparedImpl } from '../runners/registry.js';
import type { RunnerResult } from '../protocol.js';
import type { FaultImplResult, FaultWindow } from './report.js';
import type { Schedule } from './schedule.js';
import { bucketCounts, firstAfter, longestGap, windowRates } from './timeline.js';

export const BUCKET_MS = 100;
/** Buckets the chart averages over (500 ms). */
export const SMOOTHING_BUCKETS = 5;

/**
 * Hand-offs this soon after a leader kill were granted before it: no grant can follow a leader's death
 * before another leads, and electing one takes longer (fast leader election alone waits 200 ms).
 */
export const GRANTED_BEFORE_KILL_MS = 100;

/** Per-worker counters in the runners' notes that add up over the workers (the rest: any worker's). */
const SUMMED_NOTES = ['sessionsReplaced', 'sessionReopenFailures', 'tokenFallbackReads', 'errorsInWindow', 'staleWritesInWindow'];

export interface CellOutcome {
  prepared: PreparedImpl;
  schedule: Schedule;
  contenders: number;
  workers: number;
  holdMs: number;
  sessionTimeoutMs: number;
  warmupMs: number;
  /** Empty when the cell broke off before RESULT. */
  results: RunnerResult[];
  /** Hand-off times, ms since GO. */
  timeline: number[];
  store: LockStats;
  faults: FaultWindow[];
  skippedFaults: string[];
  /** Children of the lock path at DONE; null when DONE did not come. */
  children: string[] | null;
  error: string | undefined;
  wallMs: number;
}

export function faultFigures(o: CellOutcome): FaultImplResult {
  const { schedule } = o;
  const windowMs = schedule.windowMs;
  const spec: CellSpec = {
    prepared: o.prepared,
    n: o.contenders,
    holdMs: o.holdMs,
    workers: o.workers,
    measureMs: windowMs,
    sessionTimeoutMs: o.sessionTimeoutMs,
    readRatio: 0,
    index: 0,
    repeat: 0,
  };
  const cell = figures(spec, o.results, { ms: o.warmupMs, steady: false }, o.store, undefined, undefined, undefined, o.wallMs);
  const inWindow = o.timeline.filter((t) => t >= 0 && t < windowMs);
  const faults = o.faults.map((f) => ({ ...f, ...windowRates(o.timeline, f.startMs, f.endMs, schedule.calmMs, windowMs) }));
  const kill = faults.find((f) => f.kind === 'leader-kill');
  const notes = { ...(cell.notes ?? {}) };
  for (const key of SUMMED_NOTES) {
    const values = o.results.map((r) => r.notes?.[key]).filter((v): v is string => v !== undefined);
    if (values.length > 0) notes[key] = String(values.reduce((s, v) => s + (Number(v) || 0), 0));
  }
  return {
    impl: o.prepared.impl,
    status: o.error === undefined ? 'ok' : 'failed',
    ...(o.error !== undefined ? { error: o.error } : {}),
    windowMs,
    acquisitions: cell.acquisitions,
    handoffs: inWindow.length,
    handoffsPerS: Math.round((inWindow.length * 10_000) / windowMs) / 10,
    latencyUs: cell.latencyUs,
    longestGap: longestGap(o.timeline, 0, windowMs),
    gapAfterLeaderKillMs: kill === undefined ? null : firstGranted(o.timeline, kill.startMs, windowMs),
    electionMs: kill?.electedMs === undefined ? null : kill.electedMs - kill.startMs,
    recoveryAfterLeaderKillMs: kill?.recoveryMs ?? null,
    errors: o.results.length > 0 ? cell.errors : null,
    sessionsReplaced: o.results.length > 0 ? Number(notes['sessionsReplaced'] ?? 0) : null,
    orphans: o.children === null ? null : o.children.length,
    orphanNames: (o.children ?? []).slice(0, 10),
    // Without RESULT (a cell that broke off) this is the store's count alone: no holds to check.
    violations: cell.violations,
    storeOverlaps: o.store.overlaps,
    staleWrites: o.store.stale,
    timestampViolations: cell.timestampViolations,
    violationExamples: cell.violationExamples,
    faults,
    skippedFaults: o.skippedFaults,
    timeline: { bucketMs: BUCKET_MS, counts: bucketCounts(o.timeline, 0, windowMs, BUCKET_MS) },
    wallMs: Math.round(o.wallMs),
    notes,
  };
}

/** From a leader kill to the first hand-off granted after it (GRANTED_BEFORE_KILL_MS); null if none in the window. */
function firstGranted(times: readonly number[], killMs: number, windowMs: number): number | null {
  const t = firstAfter(times, killMs + GRANTED_BEFORE_KILL_MS);
  return t === undefined || t > windowMs ? null : t - killMs;
}
