/**
 * A whole run: prepare the implementations (skipping missing peers with one line each), start the
 * fenced store, open the servers, measure the floor (with zkts's client, and with the Java client when
 * Curator's runner is there), warm the server up with one unreported cell, run every cell alone (planCells),
 * then fold the repeats (summary.ts) and check the goals. Servers, proxies, runner processes and the
 * store are closed whatever happens.
 */
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type CellContext, type CellSpec, WARMUP, type WarmupRule, runCell } from './cell.js';
import { type BenchOptions, GOAL_IMPLS, workersFor } from './cli.js';
import { FencedStore } from './fenced-store.js';
import { type FloorResult, measureFloor } from './server-floor.js';
import { annotateCells, evaluateGoals } from './goals.js';
import { LABELS, type PreparedImpl, prepareImpls } from './runners/registry.js';
import type { Progress } from './progress.js';
import type { FloorConfig, FloorSamples } from './protocol.js';
import { type BenchReport, type CellResult, type FloorReport, type MachineInfo, SCHEMA } from './report.js';
import { RunnerPool } from './runner-pool.js';
import { type ServerInfo, openServer } from './server.js';
import { ceilingHandoffsPerSecond, round, summarize } from './stats.js';
import { summarizeCells } from './summary.js';
import { ms } from './table.js';
import { type RuntimeName, runtimeVersion } from '../shared/runtimes.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

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

/**
 * The fields every kind of run's report opens with: when it ran, the command, the machine, and the server
 * (a placeholder when none was started).
 */
export function runHeader(
  startedAt: Date,
  finishedAt: Date,
  command: string,
  loadBefore: number,
  serverInfo: ServerInfo | undefined,
  rttMs: number,
): { startedAt: string; finishedAt: string; durationS: number; command: string; machine: MachineInfo; server: ServerInfo } {
  return {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationS: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    command,
    machine: machineInfo(loadBefore),
    server: serverInfo ?? { kind: 'not started', version: 'unknown', forceSync: 'unknown', settings: [], members: 0, rttMs, root: '' },
  };
}

/**
 * The cells in run order: repeat by repeat, (N, hold) group by group, the implementations rotated by one
 * from each group to the next (across repeats too), so slow drift in the machine's load does not always
 * hit the same implementation, and the cells of one repeat run close together in time.
 */
export function planCells(opts: BenchOptions, ready: readonly PreparedImpl[]): Omit<CellSpec, 'index'>[] {
  const cells: Omit<CellSpec, 'index'>[] = [];
  let group = 0;
  const rounds = Math.max(...[...opts.repeats.values()], 1);
  const goal = (p: PreparedImpl): boolean => GOAL_IMPLS.includes(p.impl);
  for (let repeat = 0; repeat < rounds; repeat++) {
    for (const holdMs of opts.holds) {
      for (const n of opts.ns) {
        const repeats = opts.repeats.get(n) ?? 1;
        const wanted = ready.filter((p) =>
          goal(p) || opts.repeatAll
            ? repeat < repeats && (goal(p) || opts.otherHolds.includes(holdMs))
            : repeat === 0 && opts.otherHolds.includes(holdMs),
        );
        if (wanted.length === 0) continue;
        const k = (group + repeat) % wanted.length;
        for (const prepared of [...wanted.slice(k), ...wanted.slice(0, k)]) {
          cells.push({
            prepared,
            n,
            holdMs,
            workers: workersFor(n, opts.workers),
            measureMs: opts.measureMs,
            sessionTimeoutMs: opts.sessionTimeoutMs,
            readRatio: opts.readRatio,
            repeat,
          });
        }
        group++;
      }
    }
  }
  return cells;
}

function summaryOf(c: CellResult): string {
  if (c.status !== 'ok') return `FAILED: ${c.error ?? '?'}`;
  const parts = [`${Math.round(c.handoffsPerS)} handoffs/s`];
  if (c.latencyUs) parts.push(`p50 ${ms(c.latencyUs.p50)} ms`, `p99 ${ms(c.latencyUs.p99)} ms`);
  if (c.requestsPerAcquisition !== null) parts.push(`${c.requestsPerAcquisition} req/acq`);
  parts.push(`warm-up ${(c.warmupMs / 1000).toFixed(1)} s${c.warmupSteady ? '' : ' (cap)'}`);
  parts.push(c.violations === 0 ? '0 violations' : `${c.violations} VIOLATIONS`);
  return parts.join(', ');
}

function floorReport(f: FloorResult, client: string, holds: readonly number[]): FloorReport {
  const ceilingHandoffsPerS: Record<string, number> = {};
  for (const h of holds) ceilingHandoffsPerS[String(h)] = ceilingHandoffsPerSecond(f.notifyUs.p50, h);
  return { ...f, client, ceilingHandoffsPerS };
}

/** The same floor with the Java client, through Curator's runner (FLOOR, protocol.ts). */
async function javaFloor(pool: RunnerPool, config: FloorConfig, holds: readonly number[]): Promise<FloorReport> {
  const [runner] = pool.take(1);
  runner!.send(`FLOOR ${JSON.stringify(config)}`);
  const samples = JSON.parse(await runner!.expect('FLOOR', 120_000)) as FloorSamples;
  return floorReport(
    { iterations: config.iterations, createDeleteUs: summarize(samples.createDeleteUs), notifyUs: summarize(samples.notifyUs) },
    samples.client,
    holds,
  );
}

export async function runBenchmark(opts: BenchOptions, progress: Progress, command: string): Promise<BenchReport> {
  const startedAt = new Date();
  const loadBefore = round(loadavg()[0]!, 2);
  const { ready, skipped } = prepareImpls(opts.impls);
  for (const s of skipped) progress.line(`skipping ${s.impl}: ${s.reason}`);
  const cells: CellResult[] = [];
  let floor: FloorReport | null = null;
  let java: FloorReport | null = null;
  let floorError: string | undefined;
  let serverInfo: BenchReport['server'] | undefined;
  const warmup: WarmupRule = { ...WARMUP, maxMs: opts.warmupCapMs };
  const pools = new Map(
    ready.map((p) => [p.impl, new RunnerPool(p, REPO, (line) => (opts.verbose ? progress.line(`  ${p.impl}: ${line}`) : undefined))]),
  );
  const store = await FencedStore.start();
  try {
    progress.line(
      opts.connect
        ? `using ${opts.connect}`
        : `starting a local ZooKeeper (${opts.ensemble > 1 ? `ensemble of ${opts.ensemble}` : 'standalone'})...`,
    );
    const server = await openServer({ connect: opts.connect, ensemble: opts.ensemble, forceSync: opts.forceSync, rttMs: opts.rttMs });
    serverInfo = server.info;
    try {
      progress.line(
        `server: ${server.info.kind}, ZooKeeper ${server.info.version}, forceSync ${server.info.forceSync}; root ${server.root}`,
      );
      progress.begin('floor');
      const dir = `${server.root}/floor`;
      const floorConfig: FloorConfig = {
        connect: server.clientHosts,
        dir,
        iterations: opts.floorIterations,
        warmupIterations: Math.max(50, Math.round(opts.floorIterations / 5)),
        sync: server.info.members > 1,
      };
      try {
        await server.admin((a) => a.mkdirp(dir));
        const f = await measureFloor({
          hosts: floorConfig.connect,
          dir,
          iterations: floorConfig.iterations,
          warmupIterations: floorConfig.warmupIterations,
          sync: floorConfig.sync,
        });
        floor = floorReport(f, `zkts ${process.version}`, opts.holds);
        progress.end(
          `create+delete p50 ${ms(f.createDeleteUs.p50)} ms, delete→notification p50 ${ms(f.notifyUs.p50)} ms p99 ${ms(f.notifyUs.p99)} ms; ceiling ${Object.entries(
            floor.ceilingHandoffsPerS,
          )
            .map(([h, c]) => `${c}/s at hold ${h} ms`)
            .join(', ')}`,
        );
      } catch (err) {
        floorError = err instanceof Error ? err.message : String(err);
        progress.end(`FAILED: ${floorError}`);
      }
      const curator = pools.get('curator');
      if (curator !== undefined) {
        progress.begin('floor with the Java client');
        try {
          java = await javaFloor(curator, floorConfig, opts.holds);
          progress.end(
            `create+delete p50 ${ms(java.createDeleteUs.p50)} ms, delete→notification p50 ${ms(java.notifyUs.p50)} ms (${java.client})`,
          );
        } catch (err) {
          await curator.discard();
          progress.end(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
        }
      }

      const plan = planCells(opts, ready);
      const context = (impl: PreparedImpl): CellContext => ({ server, store, pool: pools.get(impl.impl)!, warmup });
      // The floor warms the server's create/delete/watch paths; one throwaway contended cell warms the
      // rest (listings, getData watches, many sessions) so the first measured cell is not also the
      // server's JIT warm-up. Its figures are not kept.
      const first = plan[0];
      if (first !== undefined) {
        progress.begin(`server warm-up (${first.prepared.impl} N=4, not reported)`);
        const n = Math.min(4, Math.max(...opts.ns));
        const w = await runCell(
          context(first.prepared),
          { ...first, n, holdMs: 0, workers: workersFor(n, opts.workers), measureMs: 200, index: plan.length },
          {
            onProgress: () => undefined,
          },
        );
        progress.end(w.status === 'ok' ? 'done' : `failed (${w.error ?? '?'}), going on`);
      }
      for (const [index, spec] of plan.entries()) {
        const repeat = (opts.repeats.get(spec.n) ?? 1) > 1 ? ` #${spec.repeat + 1}` : '';
        progress.begin(
          `[${index + 1}/${plan.length}] ${spec.prepared.impl} N=${spec.n} hold ${spec.holdMs} ms${repeat}${spec.workers > 1 ? ` (${spec.workers} workers)` : ''}`,
        );
        const result = await runCell(
          context(spec.prepared),
          { ...spec, index },
          { onProgress: (acq, forMs) => progress.update(acq, forMs) },
        );
        cells.push(result);
        progress.end(summaryOf(result));
      }
    } finally {
      await Promise.all([...pools.values()].map((p) => p.close()));
      await server.close();
    }
  } finally {
    await Promise.all([...pools.values()].map((p) => p.discard()));
    await store.close();
    for (const p of ready) p.dispose();
  }

  const finishedAt = new Date();
  annotateCells(cells, floor?.ceilingHandoffsPerS);
  const settings: BenchReport['settings'] = {
    ns: opts.ns,
    holdsMs: opts.holds,
    warmup: `until the acquisitions of two consecutive ${warmup.windowMs} ms windows differ by less than ${Math.round(warmup.tolerance * 100)}%, at least ${warmup.minMs} ms, at most ${warmup.maxMs} ms; runner processes kept across the cells of an implementation`,
    repeats: Object.fromEntries([...opts.repeats.entries()].map(([n, k]) => [String(n), k])),
    measureMs: opts.measureMs,
    rttMs: opts.rttMs,
    quick: opts.quick,
    workers:
      opts.workers === undefined
        ? 'one runner process up to N = 3, at least two from N = 4 (one per 64 sessions beyond 128)'
        : `${opts.workers} runner processes per cell`,
    sessionTimeoutMs: opts.sessionTimeoutMs,
    readRatio: opts.readRatio,
    ...(opts.runtimes === undefined
      ? {}
      : { runtimes: Object.fromEntries((['node', ...opts.runtimes] as RuntimeName[]).map((r) => [r, runtimeVersion(r)])) }),
    order: `each implementation alone; implementations rotated from one (N, hold) group to the next; ${
      opts.repeatAll
        ? 'every implementation repeated as given'
        : `the goal implementations (${GOAL_IMPLS.join(', ')}) repeated as given, the others once at hold ${opts.otherHolds.join(', ')} ms`
    }`,
  };
  const summaries = summarizeCells(cells);
  const report: BenchReport = {
    schema: SCHEMA,
    ...runHeader(startedAt, finishedAt, command, loadBefore, serverInfo, opts.rttMs),
    settings,
    floor,
    ...(floorError !== undefined ? { floorError } : {}),
    javaFloor: java,
    implementations: ready.map((p) => ({ impl: p.impl, label: LABELS[p.impl], version: p.version })),
    skipped,
    cells,
    summaries,
    violations: cells.reduce((s, c) => s + c.violations, 0),
    goals: [],
  };
  report.goals = evaluateGoals(report);
  return report;
}
