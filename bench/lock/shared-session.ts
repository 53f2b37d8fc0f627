/**
 * `npm run bench -- --shared-session`: the cells of issue 15. M acquirers share ONE session in each of P
 * runner processes (RunnerConfig.shareSession), every acquirer looping acquire / fenced-store critical
 * section / release as in the other cells: zkts's SharedMutex (one contender node per session, local
 * hand-offs in memory) against zkts's default Mutex and the peers run the way their users would
 * (Curator: M threads on one CuratorFramework; kazoo: M threads on one KazooClient;
 * node-zookeeper-client: M acquirers on one client). Default P = 1, 2, 4 and M = 16, 64 at hold 0.
 *
 * Same machinery as the other cells (cell.ts: warm-up until steady, QUIESCE, the measure window, the
 * fenced store's mutual-exclusion check); the floor is measured first with zkts's client. Writes
 * bench/results/shared-<timestamp>.json|md, and with --latest shared-session.json|md (the results page).
 *
 * Goals (issue 15): with P = 1, SharedMutex at least 10x the best peer's hand-offs per second and at
 * least 5x the floor's ceiling; with P = 4, at least the default Mutex's total, and every process a fair
 * share (each process's acquisitions within half and one and a half times an equal share); 0 violations.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CellSpec, WARMUP, type WarmupRule, runCell } from './cell.js';
import type { BenchOptions } from './cli.js';
import { FencedStore } from './fenced-store.js';
import { runHeader } from './orchestrator.js';
import type { Progress } from './progress.js';
import type { Implementation } from './protocol.js';
import type { BenchReport, CellResult, FloorReport, GoalResult, MachineInfo } from './report.js';
import { DEFAULT_MAX_HOLD_MS, DEFAULT_MAX_LOCAL_HANDOFFS } from '../../src/recipes/shared-mutex.js';
import { LABELS, type PreparedImpl, type Skipped, isZkts, prepareImpls } from './runners/registry.js';
import { RunnerPool } from './runner-pool.js';
import { measureFloor } from './server-floor.js';
import { openServer } from './server.js';
import { ceilingHandoffsPerSecond, round } from './stats.js';
import { type Spread, spread } from './summary.js';
import { ms } from './table.js';
import { loadavg } from 'node:os';
import { timestampName } from './results.js';

export const SHARED_SCHEMA = 'zkts-lock-bench-shared/1';

/** One (implementation, P, M, hold): medians over its repeats. */
export interface SharedRow {
  impl: Implementation;
  processes: number;
  perProcess: number;
  holdMs: number;
  runs: number;
  failed: number;
  handoffsPerS: Spread | null;
  /** Per repeat against the same repeat's best peer (the peer with the best median here). */
  ratioVsBestPeer: Spread | null;
  bestPeer: Implementation | null;
  /** Per repeat against the same repeat's default zkts Mutex. */
  ratioVsMutex: Spread | null;
  fractionOfCeiling: Spread | null;
  p50Us: Spread | null;
  p99Us: Spread | null;
  maxUs: Spread | null;
  requestsPerAcquisition: Spread | null;
  /** The smallest and largest process share over the repeats, as a fraction of an equal share (1 = 1/P). */
  minShare: number | null;
  maxShare: number | null;
  violations: number;
}

export interface SharedReport {
  schema: typeof SHARED_SCHEMA;
  startedAt: string;
  finishedAt: string;
  durationS: number;
  command: string;
  machine: MachineInfo;
  server: BenchReport['server'];
  settings: {
    processes: number[];
    perProcess: number[];
    holdsMs: number[];
    repeats: number;
    measureMs: number;
    sessionTimeoutMs: number;
    warmup: string;
    sharedMutex: string;
  };
  floor: FloorReport | null;
  implementations: { impl: Implementation; label: string; version: string }[];
  skipped: Skipped[];
  cells: CellResult[];
  rows: SharedRow[];
  violations: number;
  goals: GoalResult[];
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The cells: repeat by repeat, (hold, M, P) group by group, implementations rotated from group to group. */
export function planShared(opts: BenchOptions, ready: readonly PreparedImpl[]): Omit<CellSpec, 'index'>[] {
  const cells: Omit<CellSpec, 'index'>[] = [];
  const share = opts.sharedSession!;
  let group = 0;
  for (let repeat = 0; repeat < share.repeats; repeat++) {
    for (const holdMs of opts.holds) {
      for (const m of share.perProcess) {
        for (const p of share.processes) {
          const k = group++ % ready.length;
          for (const prepared of [...ready.slice(k), ...ready.slice(0, k)]) {
            cells.push({
              prepared,
              n: p * m,
              holdMs,
              workers: p,
              measureMs: opts.measureMs,
              sessionTimeoutMs: opts.sessionTimeoutMs,
              readRatio: opts.readRatio,
              repeat,
              shareSession: true,
            });
          }
        }
      }
    }
  }
  return cells;
}

const ok = (cells: readonly CellResult[]): CellResult[] => cells.filter((c) => c.status === 'ok');

/** Folds the cells into rows and takes the per-repeat ratios. */
export function sharedRows(cells: readonly CellResult[]): SharedRow[] {
  const keys: string[] = [];
  const groups = new Map<string, CellResult[]>();
  for (const c of cells) {
    const k = `${c.impl}|${c.workers}|${c.n / c.workers}|${c.holdMs}`;
    if (!groups.has(k)) {
      groups.set(k, []);
      keys.push(k);
    }
    groups.get(k)!.push(c);
  }
  const sp = (cs: readonly CellResult[], f: (c: CellResult) => number | null | undefined, digits = 0): Spread | null =>
    spread(
      cs.map(f).filter((x): x is number => x !== null && x !== undefined),
      digits,
    );
  const rows = keys.map((k): SharedRow => {
    const all = groups.get(k)!;
    const good = ok(all);
    const shares = good.flatMap((c) => {
      const per = c.perWorkerAcquisitions ?? [];
      const total = per.reduce((s, x) => s + x, 0);
      return total > 0 ? per.map((x) => (x * per.length) / total) : [];
    });
    return {
      impl: all[0]!.impl,
      processes: all[0]!.workers,
      perProcess: all[0]!.n / all[0]!.workers,
      holdMs: all[0]!.holdMs,
      runs: good.length,
      failed: all.length - good.length,
      handoffsPerS: sp(good, (c) => c.handoffsPerS, 1),
      ratioVsBestPeer: null,
      bestPeer: null,
      ratioVsMutex: null,
      fractionOfCeiling: sp(good, (c) => c.fractionOfCeiling, 3),
      p50Us: sp(good, (c) => c.latencyUs?.p50),
      p99Us: sp(good, (c) => c.latencyUs?.p99),
      maxUs: sp(good, (c) => c.latencyUs?.max),
      requestsPerAcquisition: sp(good, (c) => c.requestsPerAcquisition, 3),
      minShare: shares.length > 0 ? round(Math.min(...shares), 2) : null,
      maxShare: shares.length > 0 ? round(Math.max(...shares), 2) : null,
      violations: all.reduce((s, c) => s + c.violations, 0),
    };
  });
  const cellsOf = (r: SharedRow): CellResult[] => ok(groups.get(`${r.impl}|${r.processes}|${r.perProcess}|${r.holdMs}`) ?? []);
  const ratio = (mine: SharedRow, theirs: SharedRow): Spread | null => {
    const rs: number[] = [];
    for (const m of cellsOf(mine)) {
      const t = cellsOf(theirs).find((x) => x.repeat === m.repeat);
      if (t !== undefined && t.handoffsPerS > 0) rs.push(m.handoffsPerS / t.handoffsPerS);
    }
    return spread(rs, 2);
  };
  for (const r of rows) {
    if (!isZkts(r.impl)) continue;
    const same = rows.filter(
      (x) => x.processes === r.processes && x.perProcess === r.perProcess && x.holdMs === r.holdMs && x.handoffsPerS !== null,
    );
    const best = same.filter((x) => !isZkts(x.impl)).sort((a, b) => b.handoffsPerS!.median - a.handoffsPerS!.median)[0];
    if (best !== undefined) {
      r.bestPeer = best.impl;
      r.ratioVsBestPeer = ratio(r, best);
    }
    const mutex = same.find((x) => x.impl === 'zkts-mutex');
    if (mutex !== undefined && r.impl !== 'zkts-mutex') r.ratioVsMutex = ratio(r, mutex);
  }
  return rows;
}

const fx = (s: Spread, d = 2): string =>
  s.min === s.max ? `${s.median.toFixed(d)}x` : `${s.median.toFixed(d)}x (${s.min.toFixed(d)}-${s.max.toFixed(d)})`;

/** The goals of issue 15 over the rows (hold 0, or the smallest hold run). */
export function sharedGoals(r: Pick<SharedReport, 'rows' | 'settings' | 'floor' | 'violations'>): GoalResult[] {
  const hold = Math.min(...r.settings.holdsMs);
  const find = (impl: Implementation, p: number, m: number): SharedRow | undefined =>
    r.rows.find((x) => x.impl === impl && x.processes === p && x.perProcess === m && x.holdMs === hold && x.runs > 0);
  const goals: GoalResult[] = [];
  const each = (goal: string, p: number, test: (row: SharedRow | undefined, m: number) => { met: boolean | null; text: string }): void => {
    if (!r.settings.processes.includes(p)) {
      goals.push({ goal, met: null, detail: `P = ${p} not run` });
      return;
    }
    let met: boolean | null = true;
    const parts: string[] = [];
    for (const m of r.settings.perProcess) {
      const t = test(find('zkts-shared', p, m), m);
      if (t.met === null) met = null;
      else if (!t.met && met !== null) met = false;
      parts.push(`M=${m}: ${t.text}`);
    }
    goals.push({ goal, met, detail: parts.join('; ') });
  };
  each(`P = 1: SharedMutex handoffs/s >= 10x the best peer (hold ${hold} ms; per-repeat ratio, median)`, 1, (row) =>
    row?.ratioVsBestPeer == null
      ? { met: null, text: 'not measured' }
      : { met: row.ratioVsBestPeer.median >= 10, text: `${fx(row.ratioVsBestPeer)} ${row.bestPeer}` },
  );
  each(`P = 1: SharedMutex handoffs/s >= 5x the floor's ceiling (hold ${hold} ms)`, 1, (row) =>
    row?.fractionOfCeiling == null
      ? { met: null, text: 'not measured' }
      : { met: row.fractionOfCeiling.median >= 5, text: fx(row.fractionOfCeiling) },
  );
  each(`P = 4: SharedMutex total handoffs/s >= the default zkts Mutex's (hold ${hold} ms; per-repeat ratio, median)`, 4, (row) =>
    row?.ratioVsMutex == null ? { met: null, text: 'not measured' } : { met: row.ratioVsMutex.median >= 1, text: fx(row.ratioVsMutex) },
  );
  each('P = 4: every process a fair share (its acquisitions between 0.5 and 1.5 equal shares, every repeat)', 4, (row) =>
    row?.minShare == null || row.maxShare === null
      ? { met: null, text: 'not measured' }
      : { met: row.minShare >= 0.5 && row.maxShare <= 1.5, text: `shares ${row.minShare.toFixed(2)}-${row.maxShare.toFixed(2)} of equal` },
  );
  goals.push({ goal: 'no mutual-exclusion violation in any cell', met: r.violations === 0, detail: `${r.violations} violation(s)` });
  return goals;
}

export const SHARED_COLUMNS = [
  'implementation',
  'P',
  'M',
  'runs',
  'handoffs/s',
  'vs best peer',
  'vs zkts Mutex',
  'of ceiling',
  'p50 ms',
  'p99 ms',
  'max ms',
  'req/acq',
  'process shares',
  'violations',
] as const;

const spreadText = (s: Spread | null, f: (x: number) => string): string =>
  s === null ? '-' : s.min === s.max ? f(s.median) : `${f(s.median)} [${f(s.min)}-${f(s.max)}]`;

export function sharedRow(r: SharedRow): string[] {
  if (r.runs === 0)
    return [
      r.impl,
      String(r.processes),
      String(r.perProcess),
      `0/${r.failed}`,
      'failed',
      ...new Array<string>(SHARED_COLUMNS.length - 5).fill(''),
    ];
  return [
    r.impl,
    String(r.processes),
    String(r.perProcess),
    r.failed > 0 ? `${r.runs}/${r.runs + r.failed}` : String(r.runs),
    spreadText(r.handoffsPerS, (x) => String(Math.round(x))),
    spreadText(r.ratioVsBestPeer, (x) => `${x.toFixed(2)}x`),
    spreadText(r.ratioVsMutex, (x) => `${x.toFixed(2)}x`),
    spreadText(r.fractionOfCeiling, (x) => `${x.toFixed(2)}x`),
    spreadText(r.p50Us, ms),
    spreadText(r.p99Us, ms),
    spreadText(r.maxUs, ms),
    spreadText(r.requestsPerAcquisition, (x) => x.toFixed(2)),
    r.minShare === null || r.maxShare === null ? '-' : `${r.minShare.toFixed(2)}-${r.maxShare.toFixed(2)}`,
    String(r.violations),
  ];
}

/** The rows as a Markdown table, ordered by hold, M, P and the run's implementation order. */
export function sharedTable(r: Pick<SharedReport, 'rows' | 'implementations'>): string {
  const order = r.implementations.map((i) => i.impl);
  const rows = [...r.rows].sort(
    (a, b) =>
      a.holdMs - b.holdMs || a.perProcess - b.perProcess || a.processes - b.processes || order.indexOf(a.impl) - order.indexOf(b.impl),
  );
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [
    line(SHARED_COLUMNS),
    `|${SHARED_COLUMNS.map((_, i) => (i > 0 ? '---:' : '---')).join('|')}|`,
    ...rows.map((x) => line(sharedRow(x))),
  ].join('\n');
}

export function sharedMarkdown(r: SharedReport): string {
  const lines = [
    '# Lock benchmark: acquirers sharing one session (issue 15)',
    '',
    `Run ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${r.durationS} s: \`${r.command}\`.`,
    `Machine: ${r.machine.cpus} CPUs (${r.machine.cpuModel}), Node ${r.machine.node}; 1-minute load average ${r.machine.loadBefore} before, ${r.machine.loadAfter} after.`,
    `Server: ${r.server.kind}, ZooKeeper ${r.server.version}, forceSync ${r.server.forceSync}.`,
    `Settings: P (processes) ${r.settings.processes.join(', ')}; M (acquirers sharing one session per process) ${r.settings.perProcess.join(', ')}; hold ${r.settings.holdsMs.join(', ')} ms; ${r.settings.repeats} repeat(s); measure ${r.settings.measureMs} ms; warm-up ${r.settings.warmup}. ${r.settings.sharedMutex}.`,
    r.floor === null
      ? 'Floor: not measured.'
      : `Floor (${r.floor.client}): delete → NodeDeleted p50 ${ms(r.floor.notifyUs.p50)} ms; ceiling ${r.floor.ceilingHandoffsPerS['0'] ?? '-'} handoffs/s at hold 0.`,
    '',
    sharedTable(r),
    '',
    '| goal | result | figures |',
    '|---|---|---|',
    ...r.goals.map((g) => `| ${g.goal} | ${g.met === null ? 'not measured' : g.met ? 'met' : 'NOT met'} | ${g.detail} |`),
    '',
  ];
  for (const c of r.cells.filter((x) => x.status !== 'ok'))
    lines.push(`- ${c.impl} P=${c.workers} M=${c.n / c.workers}: FAILED: ${c.error ?? '?'}`);
  return `${lines.join('\n')}\n`;
}

export function writeShared(r: SharedReport, outDir: string, latest: boolean): string[] {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const name of [`shared-${timestampName(r.startedAt)}`, ...(latest ? ['shared-session'] : [])]) {
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(r, null, 2)}\n`);
    writeFileSync(join(outDir, `${name}.md`), sharedMarkdown(r));
    written.push(join(outDir, `${name}.json`), join(outDir, `${name}.md`));
  }
  return written;
}

export async function runShared(opts: BenchOptions, progress: Progress, command: string): Promise<SharedReport> {
  const startedAt = new Date();
  const loadBefore = round(loadavg()[0]!, 2);
  const { ready, skipped } = prepareImpls(opts.impls);
  for (const s of skipped) progress.line(`skipping ${s.impl}: ${s.reason}`);
  const warmup: WarmupRule = { ...WARMUP, maxMs: opts.warmupCapMs };
  const pools = new Map(
    ready.map((p) => [p.impl, new RunnerPool(p, REPO, (line) => (opts.verbose ? progress.line(`  ${p.impl}: ${line}`) : undefined))]),
  );
  const store = await FencedStore.start();
  const cells: CellResult[] = [];
  let floor: FloorReport | null = null;
  let serverInfo: BenchReport['server'] | undefined;
  try {
    const server = await openServer({ connect: opts.connect, ensemble: opts.ensemble, forceSync: opts.forceSync, rttMs: opts.rttMs });
    serverInfo = server.info;
    try {
      progress.line(
        `server: ${server.info.kind}, ZooKeeper ${server.info.version}, forceSync ${server.info.forceSync}; root ${server.root}`,
      );
      progress.begin('floor');
      const dir = `${server.root}/floor`;
      try {
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
        floor = { ...f, client: `zkts ${process.version}`, ceilingHandoffsPerS };
        progress.end(`delete→notification p50 ${ms(f.notifyUs.p50)} ms; ceiling ${ceilingHandoffsPerS['0'] ?? '-'}/s at hold 0`);
      } catch (err) {
        progress.end(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
      }
      const plan = planShared(opts, ready);
      for (const [index, spec] of plan.entries()) {
        progress.begin(
          `[${index + 1}/${plan.length}] ${spec.prepared.impl} P=${spec.workers} M=${spec.n / spec.workers} hold ${spec.holdMs} ms`,
        );
        const result = await runCell(
          { server, store, pool: pools.get(spec.prepared.impl)!, warmup },
          { ...spec, index },
          { onProgress: (a, f) => progress.update(a, f) },
        );
        const ceiling = floor?.ceilingHandoffsPerS[String(spec.holdMs)];
        if (result.status === 'ok' && ceiling !== undefined && ceiling > 0)
          result.fractionOfCeiling = round(result.handoffsPerS / ceiling, 3);
        cells.push(result);
        progress.end(
          result.status === 'ok'
            ? `${Math.round(result.handoffsPerS)} handoffs/s, p99 ${ms(result.latencyUs?.p99 ?? 0)} ms, shares ${(result.perWorkerAcquisitions ?? []).join('/')}, ${result.violations} violations`
            : `FAILED: ${result.error ?? '?'}`,
        );
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
  const share = opts.sharedSession!;
  const report: SharedReport = {
    schema: SHARED_SCHEMA,
    ...runHeader(startedAt, finishedAt, command, loadBefore, serverInfo, opts.rttMs),
    settings: {
      processes: share.processes,
      perProcess: share.perProcess,
      holdsMs: opts.holds,
      repeats: share.repeats,
      measureMs: opts.measureMs,
      sessionTimeoutMs: opts.sessionTimeoutMs,
      warmup: `until two consecutive ${warmup.windowMs} ms windows differ by less than ${Math.round(warmup.tolerance * 100)}%, at least ${warmup.minMs} ms, at most ${warmup.maxMs} ms`,
      sharedMutex: `SharedMutex defaults: a turn of at most ${DEFAULT_MAX_LOCAL_HANDOFFS} local hand-offs or ${DEFAULT_MAX_HOLD_MS} ms`,
    },
    floor,
    implementations: ready.map((p) => ({ impl: p.impl, label: LABELS[p.impl], version: p.version })),
    skipped,
    cells,
    rows: sharedRows(cells),
    violations: cells.reduce((s, c) => s + c.violations, 0),
    goals: [],
  };
  report.goals = sharedGoals(report);
  return report;
}
