/**
 * Repeats folded into one row per (implementation, N, hold): the median and the min-max of each figure
 * over the repeats, and ratios between implementations computed per repeat (cells of the same repeat
 * ran close together in time, in a rotated order) and then summarized the same way.
 */
import { isZkts } from './runners/registry.js';
import type { Implementation } from './protocol.js';
import type { CellResult } from './report.js';
import { round } from './stats.js';

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[], digits = 2): Spread | null {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  const median = v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { median: round(median, digits), min: round(v[0]!, digits), max: round(v.at(-1)!, digits) };
}

export interface CellSummary {
  impl: Implementation;
  n: number;
  holdMs: number;
  /** Repeats that produced figures, and those that failed. */
  runs: number;
  failed: number;
  handoffsPerS: Spread | null;
  p50Us: Spread | null;
  p99Us: Spread | null;
  maxUs: Spread | null;
  requestsPerAcquisition: Spread | null;
  notificationsPerHandoff: Spread | null;
  flushesPerAcquisition: Spread | null;
  cpuUsPerAcquisition: Spread | null;
  serverCpuUsPerAcquisition: Spread | null;
  fractionOfCeiling: Spread | null;
  warmupMs: Spread | null;
  /** Repeats whose warm-up met the steady-state rule (the rest hit its cap). */
  steadyRuns: number;
  /** Sum over the repeats (must be 0). */
  violations: number;
  /** For zkts's implementations: handoffs/s over each peer's, per repeat. */
  ratioVs: Partial<Record<Implementation, Spread>>;
  /** The peer with the highest median handoffs/s in this (N, hold), and the ratio against it. */
  bestPeer: Implementation | null;
  ratioVsBestPeer: Spread | null;
}

const pick = (cells: readonly CellResult[], f: (c: CellResult) => number | null | undefined, digits = 2): Spread | null =>
  spread(
    cells.map((c) => f(c)).filter((x): x is number => x !== null && x !== undefined),
    digits,
  );

/** One summary per (implementation, N, hold) that ran, in the order the cells first appear. */
export function summarizeCells(cells: readonly CellResult[]): CellSummary[] {
  const keys: string[] = [];
  const groups = new Map<string, CellResult[]>();
  for (const c of cells) {
    const k = `${c.impl}|${c.n}|${c.holdMs}`;
    if (!groups.has(k)) {
      groups.set(k, []);
      keys.push(k);
    }
    groups.get(k)!.push(c);
  }
  const ok = (impl: Implementation, n: number, holdMs: number): CellResult[] =>
    (groups.get(`${impl}|${n}|${holdMs}`) ?? []).filter((c) => c.status === 'ok');
  const summaries = keys.map((k): CellSummary => {
    const all = groups.get(k)!;
    const good = all.filter((c) => c.status === 'ok');
    const { impl, n, holdMs } = all[0]!;
    return {
      impl,
      n,
      holdMs,
      runs: good.length,
      failed: all.length - good.length,
      handoffsPerS: pick(good, (c) => c.handoffsPerS, 1),
      p50Us: pick(good, (c) => c.latencyUs?.p50, 0),
      p99Us: pick(good, (c) => c.latencyUs?.p99, 0),
      maxUs: pick(good, (c) => c.latencyUs?.max, 0),
      requestsPerAcquisition: pick(good, (c) => c.requestsPerAcquisition),
      notificationsPerHandoff: pick(good, (c) => c.notificationsPerHandoff),
      flushesPerAcquisition: pick(good, (c) => c.flushesPerAcquisition),
      cpuUsPerAcquisition: pick(good, (c) => c.cpuUsPerAcquisition, 0),
      serverCpuUsPerAcquisition: pick(good, (c) => c.serverCpuUsPerAcquisition, 0),
      fractionOfCeiling: pick(good, (c) => c.fractionOfCeiling, 3),
      warmupMs: pick(good, (c) => c.warmupMs, 0),
      steadyRuns: good.filter((c) => c.warmupSteady).length,
      violations: all.reduce((s, c) => s + c.violations, 0),
      ratioVs: {},
      bestPeer: null,
      ratioVsBestPeer: null,
    };
  });
  for (const s of summaries) {
    if (!isZkts(s.impl)) continue;
    const mine = ok(s.impl, s.n, s.holdMs);
    let best: CellSummary | undefined;
    for (const p of summaries) {
      if (isZkts(p.impl) || p.n !== s.n || p.holdMs !== s.holdMs || p.handoffsPerS === null) continue;
      const theirs = ok(p.impl, p.n, p.holdMs);
      const ratios: number[] = [];
      for (const m of mine) {
        const same = theirs.find((t) => t.repeat === m.repeat);
        if (same !== undefined && same.handoffsPerS > 0) ratios.push(m.handoffsPerS / same.handoffsPerS);
      }
      const r = spread(ratios);
      if (r !== null) s.ratioVs[p.impl] = r;
      if (best === undefined || p.handoffsPerS.median > best.handoffsPerS!.median) best = p;
    }
    s.bestPeer = best?.impl ?? null;
    s.ratioVsBestPeer = best === undefined ? null : (s.ratioVs[best.impl] ?? null);
  }
  return summaries;
}
