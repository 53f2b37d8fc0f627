/**
 * One cell: one implementation at one N and hold time, alone on the server. A fresh lock path under the
 * run's root; the cell's runner processes (one per worker); READY from all, a `mntr` snapshot, START to
 * all; `mntr` again at the first MEASURE and after the last DONE (the two bracket the measure window);
 * RESULT from all; then the mutual-exclusion check over every process's holds and the figures.
 */
import { fileURLToPath } from 'node:url';
import type { PreparedImpl } from './peers.js';
import type { Hold, RunnerConfig, RunnerResult } from './protocol.js';
import type { CellResult } from './report.js';
import { RunnerProcess, within } from './runner-process.js';
import type { BenchServer } from './server.js';
import { type MntrSample, perAcquisition, round, summarize } from './stats.js';
import { checkHolds } from './violations.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface CellSpec {
  prepared: PreparedImpl;
  n: number;
  holdMs: number;
  workers: number;
  warmupMs: number;
  measureMs: number;
  sessionTimeoutMs: number;
  readRatio: number;
  /** Unique within the run: names the lock path. */
  index: number;
}

export interface CellHooks {
  /** Called about every 250 ms while measuring, with acquisitions so far summed over the workers. */
  onProgress(acquisitions: number, measuringForMs: number): void;
  onOther(line: string): void;
}

/** Bounds: opening sessions, and draining after the window (a herd's queue can take a while to empty). */
function bounds(spec: CellSpec): { readyMs: number; finishMs: number } {
  return { readyMs: 60_000 + spec.n * 200, finishMs: spec.warmupMs + spec.measureMs + 30_000 + spec.n * (100 + 10 * spec.holdMs) };
}

/** A cell that produced no figures, with why. */
export function failed(spec: Omit<CellSpec, 'index'>, error: string, wallMs: number): CellResult {
  return {
    impl: spec.prepared.impl,
    n: spec.n,
    holdMs: spec.holdMs,
    workers: spec.workers,
    status: 'failed',
    error,
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
    violationExamples: [],
    errors: 0,
    fractionOfCeiling: null,
    ratioVsBestPeer: null,
    bestPeer: null,
    wallMs,
  };
}

export async function runCell(server: BenchServer, spec: CellSpec, hooks: CellHooks): Promise<CellResult> {
  const t0 = performance.now();
  const lockPath = `${server.root}/c${String(spec.index).padStart(3, '0')}-${spec.prepared.impl}-n${spec.n}-h${spec.holdMs}`;
  await server.admin((a) => a.mkdirp(lockPath));
  const { readyMs, finishMs } = bounds(spec);
  const runners: RunnerProcess[] = [];
  const progress: number[] = new Array<number>(spec.workers).fill(0);
  let measureAt: number | undefined;
  let atMeasure: Promise<MntrSample | undefined> | undefined;
  let cpuAtMeasure: number | undefined;
  let cpuAtDone: number | undefined;
  let done = 0;
  let overran = false;
  let allDone: () => void = () => undefined;
  const doneAll = new Promise<void>((r) => (allDone = r));
  try {
    const share = (w: number): number => Math.floor(spec.n / spec.workers) + (w < spec.n % spec.workers ? 1 : 0);
    for (let w = 0; w < spec.workers; w++) {
      const config: RunnerConfig = {
        impl: spec.prepared.impl,
        connect: server.clientHosts,
        lockPath,
        sessions: share(w),
        holdMs: spec.holdMs,
        warmupMs: spec.warmupMs,
        measureMs: spec.measureMs,
        sessionTimeoutMs: spec.sessionTimeoutMs,
        ...(spec.prepared.impl === 'zkts-rwlock' ? { readRatio: spec.readRatio } : {}),
        worker: w,
      };
      runners.push(
        new RunnerProcess(spec.prepared.command(config), REPO, {
          onMeasure: () => {
            if (atMeasure !== undefined) return;
            measureAt = performance.now();
            // CPU read after mntr answered, and at DONE before it: the server's own cost of answering
            // mntr (a few ms of CPU) stays outside the figure.
            atMeasure = server.mntr().then((m) => {
              cpuAtMeasure = server.cpuUs();
              return m;
            });
          },
          onProgress: (acq) => {
            progress[w] = acq;
            if (measureAt !== undefined) hooks.onProgress(progress.reduce((s, v) => s + v, 0), performance.now() - measureAt);
          },
          onDone: () => {
            if (++done === spec.workers) allDone();
          },
          onOther: hooks.onOther,
        }),
      );
    }
    if ((await within(Promise.all(runners.map((r) => r.ready())), readyMs)) === 'timeout') {
      overran = true;
      return failed(spec, `no READY within ${readyMs} ms`, performance.now() - t0);
    }
    const early = runners.map((r) => r.failure()).find(Boolean);
    if (early !== undefined) return failed(spec, early, performance.now() - t0);
    await server.mntr(); // READY snapshot: also makes sure the counters answer before the window
    for (const r of runners) r.start();

    const finished = Promise.all(runners.map((r) => r.finished()));
    const outcome = await within(
      Promise.all([
        finished,
        Promise.race([doneAll, finished]).then(() => {
          cpuAtDone = server.cpuUs();
          return server.mntr();
        }),
      ]),
      finishMs,
    );
    if (outcome === 'timeout') {
      overran = true;
      return failed(spec, `no RESULT within ${finishMs} ms (runners killed)`, performance.now() - t0);
    }
    const afterDone = outcome[1];
    const failure = runners.map((r) => r.failure()).find(Boolean);
    const results = runners.map((r) => r.resultOrUndefined);
    if (failure !== undefined || results.some((r) => r === undefined)) {
      return failed(spec, failure ?? 'a runner exited without RESULT', performance.now() - t0);
    }
    const beforeMeasure = await atMeasure;
    const serverCpu = cpuAtMeasure !== undefined && cpuAtDone !== undefined ? cpuAtDone - cpuAtMeasure : undefined;
    return figures(spec, results as RunnerResult[], beforeMeasure, afterDone, serverCpu, performance.now() - t0);
  } finally {
    for (const r of runners) r.close();
    await Promise.all(runners.map((r) => r.end(overran ? 0 : 5000)));
    await server.admin((a) => a.deleteRecursive(lockPath)).catch(() => undefined);
  }
}

function figures(
  spec: CellSpec,
  results: RunnerResult[],
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
    status: 'ok',
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
    violations: check.count,
    violationExamples: check.examples,
    errors: results.reduce((s, r) => s + r.errors, 0),
    fractionOfCeiling: null,
    ratioVsBestPeer: null,
    bestPeer: null,
    wallMs: Math.round(wallMs),
    notes,
  };
}
