/**
 * A whole run: prepare the implementations (skipping missing peers with one line each), open the
 * servers, measure the floor, warm the server up with one unreported cell, run every cell alone in an order that rotates the implementations from one
 * (N, hold) group to the next (so slow drift in the machine's load does not always hit the same one),
 * then derive ratios and goals. The servers and proxies are closed whatever happens.
 */
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { type CellSpec, failed, runCell } from './cell.js';
import { type BenchOptions, workersFor } from './cli.js';
import { measureFloor } from './floor.js';
import { annotateCells, evaluateGoals } from './goals.js';
import { LABELS, type PreparedImpl, prepareImpls } from './peers.js';
import type { Progress } from './progress.js';
import { type BenchReport, type CellResult, type FloorReport, type MachineInfo, SCHEMA } from './report.js';
import { openServer } from './server.js';
import { ceilingHandoffsPerSecond, round } from './stats.js';
import { ms } from './table.js';

export function machineInfo(loadBefore: number): MachineInfo {
  const c = cpus();
  return {
    cpus: c.length,
    cpuModel: c[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    loadBefore,
    loadAfter: round(loadavg()[0]!, 2),
  };
}

/** (N, hold) groups in order; within each, the implementations rotated by the group's index. */
export function planCells(opts: BenchOptions, ready: readonly PreparedImpl[]): Omit<CellSpec, 'index'>[] {
  const cells: Omit<CellSpec, 'index'>[] = [];
  let group = 0;
  for (const holdMs of opts.holds) {
    for (const n of opts.ns) {
      const k = ready.length === 0 ? 0 : group % ready.length;
      for (const prepared of [...ready.slice(k), ...ready.slice(0, k)]) {
        cells.push({
          prepared,
          n,
          holdMs,
          workers: workersFor(n, opts.workers),
          warmupMs: prepared.impl === 'curator' ? opts.jvmWarmupMs : opts.warmupMs,
          measureMs: opts.measureMs,
          sessionTimeoutMs: opts.sessionTimeoutMs,
          readRatio: opts.readRatio,
        });
      }
      group++;
    }
  }
  return cells;
}

function summaryOf(c: CellResult): string {
  if (c.status !== 'ok') return `FAILED: ${c.error ?? '?'}`;
  const parts = [`${Math.round(c.handoffsPerS)} handoffs/s`];
  if (c.latencyUs) parts.push(`p50 ${ms(c.latencyUs.p50)} ms`, `p99 ${ms(c.latencyUs.p99)} ms`);
  if (c.requestsPerAcquisition !== null) parts.push(`${c.requestsPerAcquisition} req/acq`);
  parts.push(c.violations === 0 ? '0 violations' : `${c.violations} VIOLATIONS`);
  return parts.join(', ');
}

export async function runBenchmark(opts: BenchOptions, progress: Progress, command: string): Promise<BenchReport> {
  const startedAt = new Date();
  const loadBefore = round(loadavg()[0]!, 2);
  const { ready, skipped } = prepareImpls(opts.impls);
  for (const s of skipped) progress.line(`skipping ${s.impl}: ${s.reason}`);
  const cells: CellResult[] = [];
  let floor: FloorReport | null = null;
  let floorError: string | undefined;
  let serverInfo: BenchReport['server'] | undefined;
  try {
    progress.line(opts.connect ? `using ${opts.connect}` : `starting a local ZooKeeper (${opts.ensemble > 1 ? `ensemble of ${opts.ensemble}` : 'standalone'})...`);
    const server = await openServer({ connect: opts.connect, ensemble: opts.ensemble, forceSync: opts.forceSync, rttMs: opts.rttMs });
    serverInfo = server.info;
    try {
      progress.line(`server: ${server.info.kind}, ZooKeeper ${server.info.version}, forceSync ${server.info.forceSync}; root ${server.root}`);
      progress.begin('floor');
      try {
        const dir = `${server.root}/floor`;
        await server.admin((a) => a.mkdirp(dir));
        const f = await measureFloor({
          hosts: server.clientHosts,
          dir,
          iterations: opts.floorIterations,
          warmupIterations: Math.max(50, Math.round(opts.floorIterations / 5)),
          sync: server.info.members > 1,
        });
        const ceilingHandoffsPerS: Record<string, number> = {};
        for (const h of opts.holds) ceilingHandoffsPerS[String(h)] = ceilingHandoffsPerSecond(f.notifyUs.p50, h);
        floor = { ...f, ceilingHandoffsPerS };
        progress.end(
          `create+delete p50 ${ms(f.createDeleteUs.p50)} ms, delete→notification p50 ${ms(f.notifyUs.p50)} ms p99 ${ms(f.notifyUs.p99)} ms; ceiling ${Object.entries(
            ceilingHandoffsPerS,
          )
            .map(([h, c]) => `${c}/s at hold ${h} ms`)
            .join(', ')}`,
        );
      } catch (err) {
        floorError = err instanceof Error ? err.message : String(err);
        progress.end(`FAILED: ${floorError}`);
      }

      const plan = planCells(opts, ready);
      // The floor warms the server's create/delete/watch paths; one throwaway contended cell warms the
      // rest (listings, getData watches, many sessions) so the first measured cell is not also the
      // server's JIT warm-up. Its figures are not kept.
      const first = plan[0];
      if (first !== undefined) {
        progress.begin(`server warm-up (${first.prepared.impl} N=4, not reported)`);
        const w = await runCell(
          server,
          { ...first, n: Math.min(4, Math.max(...opts.ns)), holdMs: 0, workers: 1, warmupMs: 1800, measureMs: 200, index: plan.length },
          { onProgress: () => undefined, onOther: () => undefined },
        ).catch((err: unknown) => failed(first, err instanceof Error ? err.message : String(err), 0));
        progress.end(w.status === 'ok' ? 'done' : `failed (${w.error ?? '?'}), going on`);
      }
      for (const [index, spec] of plan.entries()) {
        progress.begin(`[${index + 1}/${plan.length}] ${spec.prepared.impl} N=${spec.n} hold ${spec.holdMs} ms${spec.workers > 1 ? ` (${spec.workers} workers)` : ''}`);
        let result: CellResult;
        try {
          result = await runCell(server, { ...spec, index }, {
            onProgress: (acq, forMs) => progress.update(acq, forMs),
            onOther: (line) => {
              if (opts.verbose) progress.line(`  ${spec.prepared.impl}: ${line}`);
            },
          });
        } catch (err) {
          result = failed(spec, err instanceof Error ? err.message : String(err), 0);
        }
        cells.push(result);
        progress.end(summaryOf(result));
      }
    } finally {
      await server.close();
    }
  } finally {
    for (const p of ready) p.dispose();
  }

  const finishedAt = new Date();
  annotateCells(cells, floor?.ceilingHandoffsPerS);
  const settings: BenchReport['settings'] = {
    ns: opts.ns,
    holdsMs: opts.holds,
    warmupMs: opts.warmupMs,
    jvmWarmupMs: opts.jvmWarmupMs,
    measureMs: opts.measureMs,
    rttMs: opts.rttMs,
    quick: opts.quick,
    workers: opts.workers === undefined ? 'one runner process per 64 sessions' : `${opts.workers} runner processes per cell`,
    sessionTimeoutMs: opts.sessionTimeoutMs,
    readRatio: opts.readRatio,
    order: 'each implementation alone; implementations rotated from one (N, hold) group to the next',
  };
  const report: BenchReport = {
    schema: SCHEMA,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationS: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    command,
    machine: machineInfo(loadBefore),
    server: serverInfo ?? { kind: 'not started', version: 'unknown', forceSync: 'unknown', settings: [], members: 0, rttMs: opts.rttMs, root: '' },
    settings,
    floor,
    ...(floorError !== undefined ? { floorError } : {}),
    implementations: ready.map((p) => ({ impl: p.impl, label: LABELS[p.impl], version: p.version })),
    skipped,
    cells,
    violations: cells.reduce((s, c) => s + c.violations, 0),
    goals: [],
  };
  report.goals = evaluateGoals(report);
  return report;
}
