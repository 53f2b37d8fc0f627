/**
 * A fault run (`--faults`): start the fenced store and an ensemble of 3 whose members are linked through
 * proxies, give each runner process its own proxies to the members, then for each implementation in
 * turn (its own runner processes) run its fault cell; fold the results into a FaultsReport with goals.
 * Servers, proxies, runner processes and the store are closed whatever happens.
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from '../cli.js';
import { FencedStore } from '../fenced-store.js';
import { runHeader } from '../orchestrator.js';
import { LABELS, prepareImpls } from '../runners/registry.js';
import type { Progress } from '../progress.js';
import { RunnerPool } from '../runner-pool.js';
import { openServer } from '../server.js';
import { round } from '../stats.js';
import { FAULT_WARMUP, type FaultCellSpec, runFaultCell } from './fault-cell.js';
import { BUCKET_MS, SMOOTHING_BUCKETS } from './figures.js';
import { evaluateFaultGoals } from './goals.js';
import { FAULTS_SCHEMA, type FaultImplResult, type FaultsReport } from './report.js';
import { FAULT_LABELS, faultSchedule } from './schedule.js';
import { WorkerLinks } from './worker-links.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CONTENDERS = 8;
const WORKERS = 2;
const HOLD_MS = 1;

const seconds = (ms: number | null): string => (ms === null ? 'none' : `${(ms / 1000).toFixed(2)} s`);

function summaryOf(r: FaultImplResult): string {
  const parts = [
    `${Math.round(r.handoffsPerS)} handoffs/s`,
    `gap after leader kill ${seconds(r.gapAfterLeaderKillMs)}${r.electionMs === null ? '' : ` (election ${seconds(r.electionMs)})`}`,
    `half rate after ${seconds(r.recoveryAfterLeaderKillMs)}`,
    `longest gap ${seconds(r.longestGap.ms)}`,
    `${r.errors ?? '?'} failed acq`,
    `${r.sessionsReplaced ?? '?'} sessions replaced`,
    `${r.orphans ?? '?'} orphans`,
    r.violations === 0 ? '0 violations' : `${r.violations} VIOLATIONS`,
  ];
  return r.status === 'ok' ? parts.join(', ') : `FAILED: ${r.error ?? '?'} (${parts.join(', ')})`;
}

export async function runFaults(opts: BenchOptions, progress: Progress, command: string): Promise<FaultsReport> {
  const startedAt = new Date();
  const loadBefore = round(loadavg()[0]!, 2);
  const schedule = faultSchedule(opts.faults ?? 'full', opts.sessionTimeoutMs);
  const { ready, skipped } = prepareImpls(opts.impls);
  for (const s of skipped) progress.line(`skipping ${s.impl}: ${s.reason}`);
  const results: FaultImplResult[] = [];
  let serverInfo: FaultsReport['server'] | undefined;
  const store = await FencedStore.start();
  try {
    progress.line('starting a local ZooKeeper ensemble of 3, members linked through proxies...');
    // rtt 0 here: the runners reach the members through their own links, which add the round trip.
    const server = await openServer({ connect: undefined, ensemble: 3, forceSync: opts.forceSync, rttMs: 0, linkProxies: true });
    serverInfo = server.info;
    try {
      const ensemble = server.ensemble!;
      const targets = ensemble.members.map((m) => ({ host: m.host, port: m.clientPort }));
      const links = await WorkerLinks.start(WORKERS, targets, opts.rttMs);
      try {
        progress.line(
          `server: ${server.info.kind}, ZooKeeper ${server.info.version}, forceSync ${server.info.forceSync}; root ${server.root}`,
        );
        progress.line(
          `schedule (${schedule.name}): ${schedule.steps.map((s) => FAULT_LABELS[s.kind]).join(', ')}; ${schedule.windowMs / 1000} s window per implementation`,
        );
        for (const prepared of ready) {
          const pool = new RunnerPool(prepared, REPO, (line) => (opts.verbose ? progress.line(`  ${prepared.impl}: ${line}`) : undefined));
          const spec: FaultCellSpec = {
            prepared,
            schedule,
            contenders: CONTENDERS,
            workers: WORKERS,
            holdMs: HOLD_MS,
            sessionTimeoutMs: opts.sessionTimeoutMs,
          };
          progress.begin(`${prepared.impl} under faults (N=${CONTENDERS}, ${WORKERS} workers, hold ${HOLD_MS} ms)`);
          try {
            const result = await runFaultCell({ server, ensemble, store, pool, links }, spec, {
              onProgress: (acquisitions, forMs) => progress.update(acquisitions, forMs),
              onFault: (f) => progress.line(`  ${(f.startMs / 1000).toFixed(1)} s: ${f.label} (${f.target}), ${f.detail}`),
            });
            results.push(result);
            progress.end(summaryOf(result));
          } finally {
            await pool.close();
          }
        }
      } finally {
        await links.close();
      }
    } finally {
      await server.close();
    }
  } finally {
    await store.close();
    for (const p of ready) p.dispose();
  }

  const finishedAt = new Date();
  return {
    schema: FAULTS_SCHEMA,
    ...runHeader(startedAt, finishedAt, command, loadBefore, serverInfo, opts.rttMs),
    settings: {
      schedule: schedule.name,
      plan: schedule.steps.map((s) => FAULT_LABELS[s.kind]),
      calmMs: schedule.calmMs,
      windowMs: schedule.windowMs,
      contenders: CONTENDERS,
      workers: WORKERS,
      holdMs: HOLD_MS,
      sessionTimeoutMs: opts.sessionTimeoutMs,
      warmupMs: FAULT_WARMUP.minMs,
      bucketMs: BUCKET_MS,
      smoothingMs: BUCKET_MS * SMOOTHING_BUCKETS,
      rttMs: opts.rttMs,
    },
    implementations: ready.map((p) => ({ impl: p.impl, label: LABELS[p.impl], version: p.version })),
    skipped,
    results,
    violations: results.reduce((s, r) => s + r.violations, 0),
    goals: evaluateFaultGoals(results),
  };
}
