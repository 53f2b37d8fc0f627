/**
 * One implementation's fault cell: N contenders over two runner processes, each process reaching the
 * servers through its own proxies (worker-links.ts), measured in one long window while the fault
 * schedule runs. In protocol.ts's terms:
 *
 *   CELL (per worker: its own connect string) → READY; START; warm-up ~2 s; QUIESCE → IDLE; the store
 *   starts the hand-off timeline; GO (measureMs = the schedule's window) and the schedule at once; DONE;
 *   RESULT; the lock path's children (every contender is idle now, so each child is an orphan); CLOSE.
 */
import type { ZkEnsemble } from '../../../test/support/zookeeper/index.js';
import { type WarmupRule, all, warmUp } from '../cell.js';
import type { FencedStore } from '../fenced-store.js';
import type { PreparedImpl } from '../runners/registry.js';
import type { RunnerConfig, RunnerResult } from '../protocol.js';
import type { RunnerPool } from '../runner-pool.js';
import type { RunnerProcess } from '../runner-process.js';
import type { BenchServer } from '../server.js';
import { faultFigures } from './figures.js';
import { type ScheduleRun, runSchedule } from './injector.js';
import type { FaultImplResult, FaultWindow } from './report.js';
import type { Schedule } from './schedule.js';
import type { WorkerLinks } from './worker-links.js';

/** About 2 s whatever the rate does: long enough for the JITs, short next to the minute under faults. */
export const FAULT_WARMUP: WarmupRule = { windowMs: 500, tolerance: 0.05, minMs: 2000, maxMs: 2000 };
/** After the window: contenders finish the acquisition under way (a retry backing off included). */
const DRAIN_MS = 20_000;

export interface FaultCellSpec {
  prepared: PreparedImpl;
  schedule: Schedule;
  contenders: number;
  workers: number;
  holdMs: number;
  sessionTimeoutMs: number;
}

export interface FaultCellContext {
  server: BenchServer;
  ensemble: ZkEnsemble;
  store: FencedStore;
  pool: RunnerPool;
  links: WorkerLinks;
}

export interface FaultCellHooks {
  onProgress(acquisitions: number, measuringForMs: number): void;
  onFault(fault: FaultWindow): void;
}

const sum = (runners: readonly RunnerProcess[]): number => runners.reduce((s, r) => s + r.progress, 0);

export async function runFaultCell(ctx: FaultCellContext, spec: FaultCellSpec, hooks: FaultCellHooks): Promise<FaultImplResult> {
  const t0 = performance.now();
  const { server, store, pool, links } = ctx;
  const lockPath = `${server.root}/faults-${spec.prepared.impl}`;
  let runners: RunnerProcess[] = [];
  let warmupMs = 0;
  let goAt: number | undefined;
  let run: ScheduleRun = { faults: [], skipped: [] };
  let results: RunnerResult[] = [];
  let children: string[] | null = null;
  let error: string | undefined;
  let ok = false;
  try {
    await server.admin((a) => a.mkdirp(lockPath));
    runners = pool.take(spec.workers);
    const share = (w: number): number => Math.floor(spec.contenders / spec.workers) + (w < spec.contenders % spec.workers ? 1 : 0);
    const config = (w: number): RunnerConfig => ({
      impl: spec.prepared.impl,
      connect: links.connectString(w),
      lockPath,
      sessions: share(w),
      holdMs: spec.holdMs,
      measureMs: spec.schedule.windowMs,
      sessionTimeoutMs: spec.sessionTimeoutMs,
      store: store.address,
      worker: w,
    });
    await all(runners, (w) => `CELL ${JSON.stringify(config(w))}`, 'READY', 60_000);
    for (const r of runners) r.send('START');
    warmupMs = (await warmUp(runners, FAULT_WARMUP)).ms;
    await all(runners, 'QUIESCE', 'IDLE', DRAIN_MS);
    store.record(lockPath);
    goAt = performance.now();
    for (const r of runners) r.send('GO');
    const ticker = setInterval(() => hooks.onProgress(sum(runners), performance.now() - goAt!), 250);
    try {
      const done = Promise.all(runners.map((r) => r.expect('DONE', spec.schedule.windowMs + DRAIN_MS)));
      done.catch(() => undefined); // awaited below, once the schedule has restored the ensemble
      run = await runSchedule(spec.schedule, { ensemble: ctx.ensemble, links, goAt, onFault: hooks.onFault });
      await done;
    } finally {
      clearInterval(ticker);
    }
    results = (await Promise.all(runners.map((r) => r.expect('RESULT', 10_000)))).map((json) => JSON.parse(json) as RunnerResult);
    children = await server.admin((a) => a.getChildren(lockPath));
    await all(runners, 'CLOSE', 'CLOSED', 30_000);
    ok = true;
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
    // Contenders that never came back leave their nodes: say how many, which tells a stuck queue.
    const left = await server.admin((a) => a.getChildren(lockPath)).catch(() => undefined);
    if (left !== undefined && goAt !== undefined) error += `; ${left.length} contender node(s) under the lock path at that point`;
  } finally {
    if (!ok) await pool.discard();
  }
  const timeline = goAt === undefined ? [] : store.timeline(lockPath).map((t) => t - goAt!);
  const stats = store.stats(lockPath);
  store.forget(lockPath);
  await server.admin((a) => a.deleteRecursive(lockPath)).catch(() => undefined);
  return faultFigures({
    ...spec,
    warmupMs,
    results,
    timeline,
    store: stats,
    faults: run.faults,
    skippedFaults: run.skipped,
    children,
    error,
    wallMs: performance.now() - t0,
  });
}
