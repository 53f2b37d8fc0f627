/**
 * The shape of a fault run's result (`<out>/faults-<timestamp>.json`), shared by the run, the tables,
 * the Markdown and chart writers and the tests. Times are ms since GO on the orchestrator's clock (the
 * fenced store's), rates hand-offs per second.
 */
import type { Skipped } from '../runners/registry.js';
import type { Implementation } from '../protocol.js';
import type { GoalResult, MachineInfo } from '../report.js';
import type { ServerInfo } from '../server.js';
import type { LatencySummary } from '../stats.js';
import type { FaultKind } from './schedule.js';
import type { Gap, WindowRates } from './timeline.js';

export const FAULTS_SCHEMA = 'zkts-lock-bench-faults/1';

/** One fault as it happened. */
export interface FaultWindow {
  kind: FaultKind;
  label: string;
  /** What it hit, e.g. `member 2` or `worker 1`. */
  target: string;
  startMs: number;
  /** When it was undone (the killed member serving again, SIGCONT, heal, cut restored). */
  endMs: number;
  /** Leader kill: when the other members were seen to have a leader again (polled every 50 ms). */
  electedMs?: number;
  /** e.g. the new leader and how long the election took. */
  detail: string;
}

export type FaultFigures = FaultWindow & WindowRates;

export interface FaultImplResult {
  impl: Implementation;
  status: 'ok' | 'failed';
  error?: string;
  /** The measure window (every fault inside it unless `skippedFaults` says otherwise). */
  windowMs: number;
  /** Acquisitions the runners counted in the window. */
  acquisitions: number;
  /** Hand-offs the store saw in the window, and their rate over it. */
  handoffs: number;
  handoffsPerS: number;
  /** Acquire latency (call to holding) of the window's acquisitions. */
  latencyUs: LatencySummary | null;
  /** The longest stretch without a hand-off in the whole window. */
  longestGap: Gap;
  /**
   * From the leader kill to the first critical section granted after it: the first hand-off at least
   * 100 ms after the kill (figures.ts GRANTED_BEFORE_KILL_MS: one sooner was granted by the old leader
   * and only entered the store after the kill). null without a leader kill or a hand-off after it.
   */
  gapAfterLeaderKillMs: number | null;
  /** Of it: from the kill until the other members were seen to have a new leader (polled every 50 ms). */
  electionMs: number | null;
  /** From the leader kill until the rate was back to half the rate before it (timeline.ts recoveredAt). */
  recoveryAfterLeaderKillMs: number | null;
  /** Failed acquisitions (and releases) the runners retried: their `errors`; null without RESULT. */
  errors: number | null;
  /** Sessions that ended and were replaced (by the runner, or by the library itself: Curator, kazoo); null without RESULT. */
  sessionsReplaced: number | null;
  /** Children of the lock path at DONE, when every contender is idle; null when DONE did not come. */
  orphans: number | null;
  orphanNames: string[];
  /** storeOverlaps + staleWrites + timestampViolations: must be 0. */
  violations: number;
  storeOverlaps: number;
  staleWrites: number;
  timestampViolations: number;
  violationExamples: string[];
  faults: FaultFigures[];
  /** Faults not run (the window had no room left, or the schedule broke off), with why. */
  skippedFaults: string[];
  /** Hand-offs per bucket of `bucketMs` from GO to the window's end: the chart's data. */
  timeline: { bucketMs: number; counts: number[] };
  wallMs: number;
  notes: Record<string, string>;
}

export interface FaultsReport {
  schema: typeof FAULTS_SCHEMA;
  startedAt: string;
  finishedAt: string;
  durationS: number;
  command: string;
  machine: MachineInfo;
  server: ServerInfo;
  settings: {
    schedule: 'full' | 'quick';
    /** The faults in order, as planned. */
    plan: string[];
    calmMs: number;
    windowMs: number;
    contenders: number;
    workers: number;
    holdMs: number;
    sessionTimeoutMs: number;
    warmupMs: number;
    bucketMs: number;
    smoothingMs: number;
    /** Round trip added by the runners' proxies (--rtt). */
    rttMs: number;
  };
  implementations: { impl: Implementation; label: string; version: string }[];
  skipped: Skipped[];
  results: FaultImplResult[];
  /** Sum over the implementations: must be 0. */
  violations: number;
  goals: GoalResult[];
}
