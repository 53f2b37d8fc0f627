/**
 * Derived figures over the whole run: each cell's fraction of the floor's ceiling, and the goals,
 * checked on the summaries (medians over the repeats, ratios taken per repeat) of this one run.
 */
import type { Implementation } from './protocol.js';
import type { BenchReport, CellResult, GoalResult } from './report.js';
import { round } from './stats.js';
import type { CellSummary, Spread } from './summary.js';

const PEERS_FOR_GOAL: readonly Implementation[] = ['curator', 'nzc-recipe'];
const GOAL_NS = [2, 16, 64];
const RATIO_GOAL = 1.3;

/** Fills fractionOfCeiling in place. */
export function annotateCells(cells: CellResult[], ceilingByHold: Record<string, number> | undefined): void {
  for (const c of cells) {
    if (c.status !== 'ok') continue;
    const ceiling = ceilingByHold?.[String(c.holdMs)];
    c.fractionOfCeiling = ceiling !== undefined && ceiling > 0 ? round(c.handoffsPerS / ceiling, 3) : null;
  }
}

function find(summaries: readonly CellSummary[], impl: Implementation, n: number, holdMs: number): CellSummary | undefined {
  return summaries.find((s) => s.impl === impl && s.n === n && s.holdMs === holdMs && s.runs > 0);
}

const fmt = (v: number, d = 2): string => v.toFixed(d);
const range = (s: Spread, d = 2, unit = ''): string =>
  s.min === s.max ? `${fmt(s.median, d)}${unit}` : `${fmt(s.median, d)}${unit} (${fmt(s.min, d)}-${fmt(s.max, d)})`;

/** Issue 12's goals per runtime: a native transport at least as fast as the runtime's Node-compat path, CPU within 1.2x Node's. */
export const RUNTIME_GOALS = { vsCompat: 1, cpuVsNode: 1.2 } as const;

/** A --runtime run's goals, for each runtime other than Node, on the medians of each N (hold: the shortest). */
function runtimeGoals(summaries: readonly CellSummary[], settings: BenchReport['settings']): GoalResult[] {
  const goals: GoalResult[] = [];
  const hold = Math.min(...settings.holdsMs);
  const versions = settings.runtimes ?? {};
  const median = (impl: Implementation, n: number, f: (s: CellSummary) => Spread | null): number | undefined => {
    const s = find(summaries, impl, n, hold);
    return s === undefined ? undefined : f(s)?.median;
  };
  for (const runtime of ['bun', 'deno'] as const) {
    if (versions[runtime] === undefined) continue;
    const name = versions[runtime];
    const native = `zkts-mutex@${runtime}` as const;
    const ns = settings.ns.join(', ');
    const check = (
      goal: string,
      pairs: (n: number) => [number | undefined, number | undefined],
      ok: (r: number) => boolean,
      unit: string,
    ): GoalResult => {
      let met: boolean | null = true;
      const parts = settings.ns.map((n) => {
        const [a, b] = pairs(n);
        if (a === undefined || b === undefined || b === 0) {
          met = null;
          return `N=${n}: not measured`;
        }
        const r = a / b;
        if (!ok(r) && met !== null) met = false;
        return `N=${n}: ${fmt(r)}x (${Math.round(a)} vs ${Math.round(b)} ${unit})`;
      });
      return { goal, met, detail: parts.join('; ') };
    };
    goals.push(
      check(
        `zkts Mutex on ${name}: the native transport's handoffs/s >= ${RUNTIME_GOALS.vsCompat}x its Node-compat path's at N = ${ns} (hold ${hold} ms; ratio of medians)`,
        (n) => [median(native, n, (s) => s.handoffsPerS), median(`zkts-mutex@${runtime}:node`, n, (s) => s.handoffsPerS)],
        (r) => r >= RUNTIME_GOALS.vsCompat,
        'handoffs/s',
      ),
      check(
        `zkts Mutex on ${name}: client CPU per acquisition <= ${RUNTIME_GOALS.cpuVsNode}x Node's at N = ${ns} (hold ${hold} ms; ratio of medians)`,
        (n) => [median(native, n, (s) => s.cpuUsPerAcquisition), median('zkts-mutex@node', n, (s) => s.cpuUsPerAcquisition)],
        (r) => r <= RUNTIME_GOALS.cpuVsNode,
        'us/acq',
      ),
    );
  }
  return goals;
}

/** The goals, from this run's summaries, for every hold time in the run. */
export function evaluateGoals(report: Pick<BenchReport, 'summaries' | 'settings' | 'floor' | 'violations'>): GoalResult[] {
  const { summaries, settings } = report;
  const goals: GoalResult[] = [];
  if (settings.runtimes !== undefined) {
    return [
      ...runtimeGoals(summaries, settings),
      {
        goal: 'no mutual-exclusion violation in any cell (fenced store and recorded holds)',
        met: report.violations === 0,
        detail: `${report.violations} violations`,
      },
    ];
  }

  for (const hold of settings.holdsMs) {
    for (const peer of PEERS_FOR_GOAL) {
      const parts: string[] = [];
      let met: boolean | null = true;
      for (const n of GOAL_NS) {
        const ratio = find(summaries, 'zkts-mutex', n, hold)?.ratioVs[peer];
        if (ratio === undefined) {
          met = null;
          parts.push(`N=${n}: not measured`);
          continue;
        }
        if (ratio.median < RATIO_GOAL && met !== null) met = false;
        const runs = find(summaries, 'zkts-mutex', n, hold)!.runs;
        parts.push(`N=${n}: ${range(ratio, 2, 'x')} over ${runs} repeat${runs === 1 ? '' : 's'}`);
      }
      goals.push({
        goal: `zkts Mutex handoffs/s >= ${RATIO_GOAL}x ${peer} at N = 2, 16, 64 (hold ${hold} ms; median of per-repeat ratios)`,
        met,
        detail: parts.join('; '),
      });
    }
  }

  {
    const hold = Math.min(...settings.holdsMs);
    const parts: string[] = [];
    let met: boolean | null = true;
    for (const n of GOAL_NS) {
      const f = find(summaries, 'zkts-mutex', n, hold)?.fractionOfCeiling;
      if (f === undefined || f === null) {
        met = null;
        parts.push(`N=${n}: not measured`);
        continue;
      }
      if (f.median < 0.9 && met !== null) met = false;
      parts.push(`N=${n}: ${Math.round(f.median * 100)}%`);
    }
    goals.push({
      goal: `zkts Mutex handoffs/s >= 90% of the floor's ceiling at N = 2, 16, 64 (hold ${hold} ms)`,
      met,
      detail: parts.join('; '),
    });
  }

  {
    const hold = Math.min(...settings.holdsMs);
    const m = find(summaries, 'zkts-mutex', 1, hold)?.p50Us;
    const c = find(summaries, 'curator', 1, hold)?.p50Us;
    const goal = 'with --rtt 2ms: uncontended acquire (N=1, p50) about one round trip faster than Curator';
    if (settings.rttMs <= 0) goals.push({ goal, met: null, detail: 'needs a run with --rtt (e.g. --rtt 2ms)' });
    else if (m == null || c == null) goals.push({ goal, met: null, detail: 'zkts-mutex or curator at N=1 not measured' });
    else {
      const savedMs = (c.median - m.median) / 1000;
      goals.push({
        goal,
        met: savedMs >= 0.75 * settings.rttMs,
        detail: `p50 ${fmt(m.median / 1000)} ms vs ${fmt(c.median / 1000)} ms: ${fmt(savedMs)} ms saved, RTT ${settings.rttMs} ms`,
      });
    }
  }

  {
    const hold = Math.min(...settings.holdsMs);
    const r = find(summaries, 'zkts-mutex', 64, hold)?.requestsPerAcquisition;
    const goal = `requests per acquisition at N = 64: zkts Mutex <= 4 (hold ${hold} ms)`;
    if (r == null) goals.push({ goal, met: null, detail: 'not measured (needs N=64 and mntr)' });
    else goals.push({ goal, met: r.median <= 4, detail: `${range(r)} requests per acquisition` });
  }

  {
    const hold = Math.min(...settings.holdsMs);
    const series = settings.ns
      .map((n) => ({ n, r: find(summaries, 'zkts-simple-lock', n, hold)?.requestsPerAcquisition?.median }))
      .filter((p): p is { n: number; r: number } => p.r != null);
    const goal = `requests per acquisition of zkts SimpleLock grow with N (the herd; hold ${hold} ms)`;
    if (series.length < 2) goals.push({ goal, met: null, detail: 'needs SimpleLock at two or more N' });
    else {
      const growing = series.every((p, i) => i === 0 || p.r > series[i - 1]!.r);
      goals.push({ goal, met: growing, detail: series.map((p) => `N=${p.n}: ${p.r}`).join(', ') });
    }
  }

  goals.push({
    goal: 'no mutual-exclusion violation in any cell (fenced store and recorded holds; the tests show the check fails for a broken lock)',
    met: report.violations === 0,
    detail: `${report.violations} violations`,
  });
  return goals;
}
