/**
 * One cell: one implementation at one N and hold time, alone on the server, on runner processes kept
 * from earlier cells of the same implementation (runner-pool.ts). In protocol.ts's terms:
 *
 *   CELL (a fresh lock path) → READY from all; START; warm-up until the acquisition rate is steady
 *   (WARMUP below); QUIESCE → IDLE from all; `mntr` and server CPU; GO; DONE from all; `mntr` and server
 *   CPU; RESULT from all; CLOSE → CLOSED from all.
 *
 * Every contender is idle at both `mntr` readings, so their deltas belong to exactly the window's
 * acquisitions (plus the sessions' own pings and lease renewals in that time, which are theirs too).
 * Then the mutual-exclusion checks: the fenced store's count of overlaps and stale writes (it saw every
 * critical section as it happened), and the client-side check of the recorded holds (violations.ts).
 */
import type { FencedStore } from './fenced-store.js';
import type { PreparedImpl } from './runners/registry.js';
import type { Hold, RunnerConfig, RunnerResult } from './protocol.js';
import type { CellResult } from './report.js';
import type { RunnerPool } from './runner-pool.js';
import type { RunnerProcess } from './runner-process.js';
import type { BenchServer } from './server.js';
import { type MntrSample, perAcquisition, round, summarize } from './stats.js';
import { checkHolds } from './violations.js';

export interface CellSpec {
  prepared: PreparedImpl;
  n: number;
  holdMs: number;
  workers: number;
  measureMs: number;
  sessionTimeoutMs: number;
  readRatio: number;
  /** Unique within the run: names the lock path. */
  index: number;
  /** Which repeat of this (implementation, N, hold) this is, from 0. */
  repeat: number;
  /** Each runner process's contenders share one session (RunnerConfig.shareSession). */
  shareSession?: boolean;
}

export interface CellHooks {
  /** Called about every 250 ms while measuring, with acquisitions so far summed over the workers. */
  onProgress(acquisitions: number, measuringForMs: number): void;
}

/**
 * The steady-state rule, the same for every implementation: windows of `windowMs`; steady once two
 * consecutive windows' acquisition counts differ by less than `tolerance` of their mean (and are not
 * zero), after at least `minMs`; at the latest after `maxMs` (the cell then says it was not steady).
 */
export interface WarmupRule {
  windowMs: number;
  tolerance: number;
  minMs: number;
  maxMs: number;
}

export const WARMUP: WarmupRule = { windowMs: 500, tolerance: 0.05, minMs: 1000, maxMs: 8000 };

export interface CellContext {
  server: BenchServer;
  store: FencedStore;
  pool: RunnerPool;
  warmup: WarmupRule;
}

/** Bounds: opening sessions, draining a queue after QUIESCE or the window (a herd can take a while). */
function bounds(spec: Omit<CellSpec, 'index' | 'repeat'>): { readyMs: number; drainMs: number } {
  return { readyMs: 60_000 + spec.n * 200, drainMs: spec.measureMs + 30_000 + spec.n * (100 + 10 * spec.holdMs) };
}

/** A cell that produced no figures, with why. */
export function failed(spec: Omit<CellSpec, 'index'>, error: string, wallMs: number): CellResult {
  return {
    impl: spec.prepared.impl,
    n: spec.n,
    holdMs: spec.holdMs,
    workers: spec.workers,
    repeat: spec.repeat,
    status: 'failed',
    error,
    warmupMs: 0,
    warmupSteady: false,
    acquisitions: 0,
    measuredMs: 0,
    handoffsPerS: 0,
    latencyUs: null,
    requestsPerAcquisition: null,
    notificationsPerHandoff: null,
    flushesPerAcquisition: null,
    watchCount: null,
    cpuUsPerAcquisition: null,
    serverCpuUsPerAcquisition: null,
    violations: 0,
    storeOverlaps: 0,
    staleWrites: 0,
    timestampViolations: 0,
    violationExamples: [],
    errors: 0,
    fractionOfCeiling: null,
    wallMs,
  };
}

const sum = (runners: readonly RunnerProcess[]): number => runners.reduce((s, r) => s + r.progress, 0);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sends `command` to every runner, then waits for `answer` from each; the answers' payloads. */
export async function all(
  runners: readonly RunnerProcess[],
  command: string | ((i: number) => string),
  answer: string,
  ms: number,
): Promise<string[]> {
  runners.forEach((r, i) => r.send(typeof command === 'string' ? command : command(i)));
  return Promise.all(runners.map((r) => r.expect(answer, ms)));
}

/** Runs warm-up windows until the rule says steady (or its cap); returns how long it took and whether steady. */
export async function warmUp(runners: readonly RunnerProcess[], rule: WarmupRule): Promise<{ ms: number; steady: boolean }> {
  const t0 = performance.now();
  let last = sum(runners);
  let previous: number | undefined;
  for (;;) {
    await sleep(rule.windowMs);
    const failure = runners.map((r) => r.failure()).find(Boolean);
    if (failure !== undefined) throw new Error(failure);
    const now = sum(runners);
    const count = now - last;
    last = now;
    const elapsed = performance.now() - t0;
    if (previous !== undefined && elapsed >= rule.minMs && count > 0 && previous > 0) {
      if (Math.abs(count - previous) / ((count + previous) / 2) < rule.tolerance) return { ms: Math.round(elapsed), steady: true };
    }
    if (elapsed >= rule.maxMs) return { ms: Math.round(elapsed), steady: false };
    previous = count;
  }
}

export async function runCell(ctx: CellContext, spec: CellSpec, hooks: CellHooks): Promise<CellResult> {
  const t0 = performance.now();
  const { server, store, pool } = ctx;
  const lockPath = `${server.root}/c${String(spec.index).padStart(3, '0')}-${spec.prepared.impl}-n${spec.n}-h${spec.holdMs}`;
  await server.admin((a) => a.mkdirp(lockPath));
  const { readyMs, drainMs } = bounds(spec);
  let runners: RunnerProcess[] = [];
  let ok = false;
  try {
    runners = pool.take(spec.workers);
    const share = (w: number): number => Math.floor(spec.n / spec.workers) + (w < spec.n % spec.workers ? 1 : 0);
    const config = (w: number): RunnerConfig => ({
      impl: spec.prepared.impl,
      connect: server.clientHosts,
      lockPath,
      sessions: share(w),
      holdMs: spec.holdMs,
      measureMs: spec.measureMs,
      sessionTimeoutMs: spec.sessionTimeoutMs,
      store: store.address,
      ...(spec.prepared.impl === 'zkts-rwlock' ? { readRatio: spec.readRatio } : {}),
      worker: w,
      ...(spec.shareSession === true ? { shareSession: true } : {}),
    });
    await all(runners, (w) => `CELL ${JSON.stringify(config(w))}`, 'READY', readyMs);
    for (const r of runners) r.send('START');
    const warm = await warmUp(runners, ctx.warmup);
    await all(runners, 'QUIESCE', 'IDLE', drainMs);
    const before = await server.mntr();
    const cpuBefore = server.cpuUs();
    const goAt = performance.now();
    for (const r of runners) r.send('GO');
    const ticker = setInterval(() => hooks.onProgress(sum(runners), performance.now() - goAt), 250);
    try {
      await Promise.all(runners.map((r) => r.expect('DONE', drainMs)));
    } finally {
      clearInterval(ticker);
    }
    const cpuAfter = server.cpuUs();
    const after = await server.mntr();
    const results = (await Promise.all(runners.map((r) => r.expect('RESULT', 10_000)))).map((json) => JSON.parse(json) as RunnerResult);
    await all(runners, 'CLOSE', 'CLOSED', 30_000);
    ok = true;
    const serverCpu = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
    return figures(spec, results, warm, store.stats(lockPath), before, after, serverCpu, performance.now() - t0);
  } catch (err) {
    return failed(spec, err instanceof Error ? err.message : String(err), performance.now() - t0);
  } finally {
    // A runner that failed, or a cell that broke off midway, leaves processes in an unknown state.
    if (!ok) await pool.discard();
    store.forget(lockPath);
    await server.admin((a) => a.deleteRecursive(lockPath)).catch(() => undefined);
  }
}

export function figures(
  spec: CellSpec,
  results: RunnerResult[],
  warm: { ms: number; steady: boolean },
  storeStats: { enters: number; overlaps: number; stale: number; examples: string[] },
  before: MntrSample | undefined,
  after: MntrSample | undefined,
  serverCpuUs: number | undefined,
  wallMs: number,
): CellResult {
  const acquisitions = results.reduce((s, r) => s + r.acquisitions, 0);
  const latencies: number[] = [];
  const holds: Hold[] = [];
  for (const r of results) {
    for (const v of r.latenciesUs) latencies.push(v);
    for (const h of r.holds) holds.push(h);
  }
  const measuredMs = Math.max(...results.map((r) => r.measuredMs), 1);
  const cost = before !== undefined && after !== undefined ? perAcquisition(before, after, acquisitions) : undefined;
  const check = checkHolds(holds);
  const notes: Record<string, string> = {};
  for (const r of results) Object.assign(notes, r.notes ?? {});
  return {
    impl: spec.prepared.impl,
    n: spec.n,
    holdMs: spec.holdMs,
    workers: spec.workers,
    repeat: spec.repeat,
    status: 'ok',
    warmupMs: warm.ms,
    warmupSteady: warm.steady,
    acquisitions,
    measuredMs,
    // Per the configured window: every runner counts the acquisitions started inside the same length.
    handoffsPerS: round((acquisitions * 1000) / spec.measureMs, 1),
    latencyUs: acquisitions > 0 ? summarize(latencies) : null,
    requestsPerAcquisition: cost?.requestsPerAcquisition ?? null,
    notificationsPerHandoff: cost?.notificationsPerHandoff ?? null,
    flushesPerAcquisition: cost?.flushesPerAcquisition ?? null,
    watchCount: before !== undefined || after !== undefined ? Math.max(before?.watchCount ?? 0, after?.watchCount ?? 0) : null,
    cpuUsPerAcquisition: acquisitions > 0 ? round(results.reduce((s, r) => s + r.cpuUs, 0) / acquisitions, 0) : null,
    serverCpuUsPerAcquisition: acquisitions > 0 && serverCpuUs !== undefined ? round(serverCpuUs / acquisitions, 0) : null,
    violations: storeStats.overlaps + storeStats.stale + check.count,
    storeOverlaps: storeStats.overlaps,
    staleWrites: storeStats.stale,
    timestampViolations: check.count,
    violationExamples: [...storeStats.examples, ...check.examples].slice(0, 5),
    errors: results.reduce((s, r) => s + r.errors, 0),
    fractionOfCeiling: null,
    wallMs: Math.round(wallMs),
    perWorkerAcquisitions: results.map((r) => r.acquisitions),
    notes,
  };
}
