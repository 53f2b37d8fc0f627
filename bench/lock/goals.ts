/**
 * Derived figures over the whole run: each cell's ratio against the best peer and its fraction of the
 * floor's ceiling, and the goals, checked on ratios measured in this one run.
 */
import { isZkts } from './peers.js';
import type { Implementation } from './protocol.js';
import type { BenchReport, CellResult, GoalResult } from './report.js';
import { round } from './stats.js';

const PEERS_FOR_GOAL: readonly Implementation[] = ['curator', 'nzc-recipe'];
const GOAL_NS = [2, 16, 64];

/** Fills ratioVsBestPeer / bestPeer and fractionOfCeiling in place. */
export function annotateCells(cells: CellResult[], ceilingByHold: Record<string, number> | undefined): void {
  for (const c of cells) {
    if (c.status !== 'ok') continue;
    let best: CellResult | undefined;
    for (const p of cells) {
      if (p.status !== 'ok' || isZkts(p.impl) || p.n !== c.n || p.holdMs !== c.holdMs) continue;
      if (best === undefined || p.handoffsPerS > best.handoffsPerS) best = p;
    }
    c.bestPeer = best?.impl ?? null;
    c.ratioVsBestPeer = best !== undefined && best.handoffsPerS > 0 ? round(c.handoffsPerS / best.handoffsPerS, 2) : null;
    const ceiling = ceilingByHold?.[String(c.holdMs)];
    c.fractionOfCeiling = ceiling !== undefined && ceiling > 0 ? round(c.handoffsPerS / ceiling, 3) : null;
  }
}

function cell(cells: readonly CellResult[], impl: Implementation, n: number, holdMs: number): CellResult | undefined {
  return cells.find((c) => c.impl === impl && c.n === n && c.holdMs === holdMs && c.status === 'ok');
}

const fmt = (v: number, d = 2): string => v.toFixed(d);

/** The goals, from this run's cells (the hold time used is the smallest in the run, normally 0). */
export function evaluateGoals(report: Pick<BenchReport, 'cells' | 'settings' | 'floor'>): GoalResult[] {
  const { cells, settings } = report;
  const hold = Math.min(...settings.holdsMs);
  const goals: GoalResult[] = [];

  for (const peer of PEERS_FOR_GOAL) {
    const parts: string[] = [];
    let met: boolean | null = true;
    for (const n of GOAL_NS) {
      const m = cell(cells, 'zkts-mutex', n, hold);
      const p = cell(cells, peer, n, hold);
      if (m === undefined || p === undefined || p.handoffsPerS === 0) {
        met = null;
        parts.push(`N=${n}: not measured`);
        continue;
      }
      const r = m.handoffsPerS / p.handoffsPerS;
      if (r < 1.3 && met !== null) met = false;
      parts.push(`N=${n}: ${fmt(r)}x (${Math.round(m.handoffsPerS)} vs ${Math.round(p.handoffsPerS)}/s)`);
    }
    goals.push({ goal: `zkts Mutex handoffs/s >= 1.3x ${peer} at N = 2, 16, 64 (hold ${hold} ms)`, met, detail: parts.join('; ') });
  }

  {
    const parts: string[] = [];
    let met: boolean | null = true;
    for (const n of GOAL_NS) {
      const m = cell(cells, 'zkts-mutex', n, hold);
      if (m?.fractionOfCeiling === null || m === undefined) {
        met = null;
        parts.push(`N=${n}: not measured`);
        continue;
      }
      if (m.fractionOfCeiling! < 0.9 && met !== null) met = false;
      parts.push(`N=${n}: ${Math.round(m.fractionOfCeiling! * 100)}%`);
    }
    goals.push({ goal: `zkts Mutex handoffs/s >= 90% of the floor's ceiling at N = 2, 16, 64 (hold ${hold} ms)`, met, detail: parts.join('; ') });
  }

  {
    const m = cell(cells, 'zkts-mutex', 1, hold);
    const c = cell(cells, 'curator', 1, hold);
    const goal = 'with --rtt 2ms: uncontended acquire (N=1, p50) about one round trip faster than Curator';
    if (settings.rttMs <= 0) goals.push({ goal, met: null, detail: 'needs a run with --rtt (e.g. --rtt 2ms)' });
    else if (m?.latencyUs == null || c?.latencyUs == null) goals.push({ goal, met: null, detail: 'zkts-mutex or curator at N=1 not measured' });
    else {
      const savedMs = (c.latencyUs.p50 - m.latencyUs.p50) / 1000;
      goals.push({
        goal,
        met: savedMs >= 0.75 * settings.rttMs,
        detail: `p50 ${fmt(m.latencyUs.p50 / 1000)} ms vs ${fmt(c.latencyUs.p50 / 1000)} ms: ${fmt(savedMs)} ms saved, RTT ${settings.rttMs} ms`,
      });
    }
  }

  {
    const m = cell(cells, 'zkts-mutex', 64, hold);
    const goal = `requests per acquisition at N = 64: zkts Mutex <= 4 (hold ${hold} ms)`;
    if (m?.requestsPerAcquisition == null) goals.push({ goal, met: null, detail: 'not measured (needs N=64 and mntr)' });
    else goals.push({ goal, met: m.requestsPerAcquisition <= 4, detail: `${m.requestsPerAcquisition} requests per acquisition` });
  }

  {
    const series = settings.ns
      .map((n) => ({ n, r: cell(cells, 'zkts-simple-lock', n, hold)?.requestsPerAcquisition }))
      .filter((p): p is { n: number; r: number } => p.r != null);
    const goal = `requests per acquisition of zkts SimpleLock grow with N (the herd; hold ${hold} ms)`;
    if (series.length < 2) goals.push({ goal, met: null, detail: 'needs SimpleLock at two or more N' });
    else {
      const growing = series.every((p, i) => i === 0 || p.r > series[i - 1]!.r);
      goals.push({ goal, met: growing, detail: series.map((p) => `N=${p.n}: ${p.r}`).join(', ') });
    }
  }
  return goals;
}
