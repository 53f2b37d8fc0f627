/**
 * The shape of a lock-benchmark result (`bench/results/<timestamp>.json`), shared by the orchestrator,
 * the table, the Markdown and SVG writers and the tests. Times are microseconds unless named otherwise.
 */
import type { RuntimeName } from '../shared/runtimes.js';
import type { FloorResult } from './server-floor.js';
import type { Skipped } from './runners/registry.js';
import type { Implementation } from './protocol.js';
import type { ServerInfo } from './server.js';
import type { LatencySummary } from './stats.js';
import type { CellSummary } from './summary.js';

export const SCHEMA = 'zkts-lock-bench/2';

export interface CellResult {
  impl: Implementation;
  /** Contending sessions. */
  n: number;
  holdMs: number;
  /** Runner processes the sessions were spread over. */
  workers: number;
  /** Counted acquisitions of each runner process, in worker order (the shares of a shared-session cell). */
  perWorkerAcquisitions?: number[];
  /** Which repeat of this (implementation, N, hold), from 0. */
  repeat: number;
  status: 'ok' | 'failed';
  error?: string;
  /** Warm-up before the window, and whether it met the steady-state rule (else it hit the cap). */
  warmupMs: number;
  warmupSteady: boolean;
  /** Acquisitions whose acquire started inside the measure window. */
  acquisitions: number;
  measuredMs: number;
  /** acquisitions / measure window: critical sections completed per second. */
  handoffsPerS: number;
  /** Acquire latency, call to holding. */
  latencyUs: LatencySummary | null;
  /** Δ zk_packets_received / acquisitions (null without mntr). */
  requestsPerAcquisition: number | null;
  /** (Δ zk_packets_sent − Δ zk_packets_received) / acquisitions (null without mntr). */
  notificationsPerHandoff: number | null;
  /** Δ zk_cnt_sync_processor_batch_size / acquisitions: fsync'd log flushes per acquisition (null without mntr or before 3.6). */
  flushesPerAcquisition: number | null;
  /** zk_watch_count (watches armed on the server), the larger of its values at MEASURE and at DONE. */
  watchCount: number | null;
  /** Client process CPU (user + system) during the window / acquisitions. */
  cpuUsPerAcquisition: number | null;
  /**
   * Server process CPU (user + system, all members) between MEASURE and DONE / acquisitions; only for
   * servers this run started (read from /proc, 10 ms ticks), null otherwise.
   */
  serverCpuUsPerAcquisition: number | null;
  /** Mutual-exclusion violations (must be 0): storeOverlaps + staleWrites + timestampViolations. */
  violations: number;
  /** The fenced store saw two holders inside at once (warm-up included). */
  storeOverlaps: number;
  /** The fenced store saw a write with a token not above one it had accepted. */
  staleWrites: number;
  /** The recorded holds (client clocks) overlap or go against token order (violations.ts). */
  timestampViolations: number;
  violationExamples: string[];
  /** Failed operations the runner retried or skipped. */
  errors: number;
  /** handoffsPerS / the floor's ceiling at this hold time. */
  fractionOfCeiling: number | null;
  /** Wall time of the whole cell, process start to exit. */
  wallMs: number;
  notes?: Record<string, string>;
}

export interface FloorReport extends FloorResult {
  /** The client the floor was measured with. */
  client: string;
  /** 1 s / (notify p50 + hold), per hold time in ms (keys are the hold times). */
  ceilingHandoffsPerS: Record<string, number>;
}

export interface GoalResult {
  goal: string;
  /** null: not measurable in this run (an implementation or N missing). */
  met: boolean | null;
  detail: string;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  os: string;
  node: string;
  /** 1-minute load average at start and end. */
  loadBefore: number;
  loadAfter: number;
}

export interface BenchReport {
  schema: typeof SCHEMA;
  startedAt: string;
  finishedAt: string;
  durationS: number;
  command: string;
  machine: MachineInfo;
  server: ServerInfo;
  settings: {
    ns: number[];
    holdsMs: number[];
    /** The steady-state rule of every warm-up. */
    warmup: string;
    /** Repeats per N (the goal cells get more by default). */
    repeats: Record<string, number>;
    measureMs: number;
    rttMs: number;
    quick: boolean;
    workers: string;
    sessionTimeoutMs: number;
    readRatio: number;
    order: string;
    /** A --runtime run: the runtimes and their versions (`Bun 1.4.5`); the implementations are zkts-mutex@<variant>. */
    runtimes?: Partial<Record<RuntimeName, string>>;
  };
  /** The floor, measured with zkts's client (the ceiling the figures are compared with). */
  floor: FloorReport | null;
  floorError?: string;
  /** The same floor measured with the Java client in the same run (when Curator's runner is there). */
  javaFloor: FloorReport | null;
  implementations: { impl: Implementation; label: string; version: string }[];
  skipped: Skipped[];
  cells: CellResult[];
  /** The cells folded over their repeats (summary.ts): what the tables, charts and goals show. */
  summaries: CellSummary[];
  /** Sum over cells: must be 0. */
  violations: number;
  goals: GoalResult[];
}
