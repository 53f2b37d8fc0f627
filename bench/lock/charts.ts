/**
 * The two charts of a run, one panel per hold time, one line per implementation: handoffs/s against N
 * with the floor's ceiling as a dashed line, and p99 acquire latency against N with the floor's bound
 * (a FIFO waiter behind N − 1 others waits at least N − 1 handoffs) as a dashed line.
 */
import { LABELS } from './runners/registry.js';
import type { Implementation } from './protocol.js';
import type { BenchReport } from './report.js';
import { type ChartSpec, type Series, renderChart } from './svg-chart.js';

export const COLORS: Record<Implementation, string> = {
  'zkts-mutex': '#d62728',
  'zkts-shared': '#8c564b',
  'zkts-simple-lock': '#ff7f0e',
  'zkts-rwlock': '#e377c2',
  'nzc-recipe': '#1f77b4',
  curator: '#2ca02c',
  kazoo: '#9467bd',
  'broken-lock': '#7f7f7f',
  'zkts-mutex@node': '#d62728',
  'zkts-mutex@bun': '#8c564b',
  'zkts-mutex@bun:node': '#c49c94',
  'zkts-mutex@deno': '#17becf',
  'zkts-mutex@deno:node': '#9edae5',
};
const FLOOR_COLOR = '#555555';
const FLOOR_DASH = '6 4';

function subtitle(r: BenchReport): string {
  const rtt = r.settings.rttMs > 0 ? `, RTT +${r.settings.rttMs} ms` : '';
  return `${r.server.kind} ZooKeeper ${r.server.version}${rtt}; ${r.machine.cpus} CPUs; ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC`;
}

/** One line per implementation through the medians of its repeats. */
function implSeries(r: BenchReport, holdMs: number, value: (c: BenchReport['summaries'][number]) => number | undefined): Series[] {
  return r.implementations.map(({ impl }) => ({
    label: LABELS[impl],
    color: COLORS[impl],
    points: r.summaries
      .filter((c) => c.impl === impl && c.holdMs === holdMs && c.runs > 0)
      .map((c) => ({ x: c.n, y: value(c) ?? Number.NaN }))
      .filter((p) => Number.isFinite(p.y)),
  }));
}

export function handoffsChart(r: BenchReport): string {
  const ns = r.settings.ns;
  const spec: ChartSpec = {
    title: 'Lock handoffs per second against contending sessions',
    subtitle: subtitle(r),
    xLabel: 'contending sessions N',
    yLabel: 'handoffs/s',
    xScale: 'log',
    yScale: 'linear',
    xTicks: ns,
    panels: r.settings.holdsMs.map((holdMs) => {
      const series = implSeries(r, holdMs, (c) => c.handoffsPerS?.median);
      const ceiling = r.floor?.ceilingHandoffsPerS[String(holdMs)];
      if (ceiling !== undefined) {
        series.push({
          label: "floor's ceiling (1 / delete→notification p50, + hold)",
          color: FLOOR_COLOR,
          dash: FLOOR_DASH,
          markers: false,
          points: [
            { x: Math.min(...ns), y: ceiling },
            { x: Math.max(...ns), y: ceiling },
          ],
        });
      }
      return { title: `hold ${holdMs} ms`, series };
    }),
  };
  return renderChart(spec);
}

export function p99Chart(r: BenchReport): string {
  const spec: ChartSpec = {
    title: 'p99 acquire latency against contending sessions',
    subtitle: subtitle(r),
    xLabel: 'contending sessions N',
    yLabel: 'p99 acquire latency, ms (log)',
    xScale: 'log',
    yScale: 'log',
    xTicks: r.settings.ns,
    panels: r.settings.holdsMs.map((holdMs) => {
      const series = implSeries(r, holdMs, (c) => (c.p99Us ? c.p99Us.median / 1000 : undefined));
      const notify = r.floor?.notifyUs.p50;
      const waiting = r.settings.ns.filter((n) => n >= 2);
      if (notify !== undefined && waiting.length > 0) {
        series.push({
          label: "floor's bound ((N − 1) × (notification p50 + hold))",
          color: FLOOR_COLOR,
          dash: FLOOR_DASH,
          markers: false,
          points: waiting.map((n) => ({ x: n, y: ((n - 1) * (notify + holdMs * 1000)) / 1000 })),
        });
      }
      return { title: `hold ${holdMs} ms`, series };
    }),
  };
  return renderChart(spec);
}
