/**
 * A fault run's chart: hand-offs per second over the window, one line per implementation (100 ms
 * buckets averaged over 500 ms), each fault a shaded band. Every implementation ran its own schedule,
 * so a fault's times differ a little between them (a restart takes what it takes): its band runs from
 * the earliest start to the latest end among them.
 */
import { COLORS } from '../charts.js';
import { LABELS } from '../runners/registry.js';
import { type Band, type Series, renderChart } from '../svg-chart.js';
import { SMOOTHING_BUCKETS } from './figures.js';
import type { FaultsReport } from './report.js';
import { smoothedRates } from './timeline.js';

/** One band per fault kind, in the order the faults ran. */
export function faultBands(r: Pick<FaultsReport, 'results'>): Band[] {
  const bands = new Map<string, Band>();
  for (const res of r.results) {
    for (const f of res.faults) {
      const b = bands.get(f.kind);
      const from = f.startMs / 1000;
      const to = f.endMs / 1000;
      if (b === undefined) bands.set(f.kind, { from, to, label: f.label });
      else bands.set(f.kind, { from: Math.min(b.from, from), to: Math.max(b.to, to), label: f.label });
    }
  }
  return [...bands.values()].sort((a, b) => a.from - b.from);
}

export function faultsChart(r: FaultsReport): string {
  const series: Series[] = r.results.map((res) => {
    const { bucketMs, counts } = res.timeline;
    return {
      label: LABELS[res.impl],
      color: COLORS[res.impl],
      markers: false,
      points: smoothedRates(counts, bucketMs, SMOOTHING_BUCKETS).map((y, i) => ({ x: ((i + 0.5) * bucketMs) / 1000, y })),
    };
  });
  const windowS = r.settings.windowMs / 1000;
  const step = windowS > 30 ? 5 : 2;
  const xTicks: number[] = [];
  for (let t = 0; t <= windowS; t += step) xTicks.push(t);
  const s = r.settings;
  return renderChart({
    title: 'Lock handoffs per second under faults',
    subtitle: `${r.server.kind} ZooKeeper ${r.server.version}; N = ${s.contenders} over ${s.workers} processes, hold ${s.holdMs} ms, session timeout ${s.sessionTimeoutMs / 1000} s; ${s.bucketMs} ms buckets averaged over ${s.smoothingMs} ms; ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC`,
    xLabel: 'seconds since GO (shaded: a fault, from its earliest start to its latest end over the implementations)',
    yLabel: 'handoffs/s',
    xScale: 'linear',
    yScale: 'linear',
    xTicks,
    panels: [{ title: `${s.schedule === 'full' ? 'full' : 'quick'} schedule`, series }],
    bands: faultBands(r),
    panelWidth: 1000,
    panelHeight: 380,
  });
}
