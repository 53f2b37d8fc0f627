/**
 * The results table, one per hold time, rows grouped by N so implementations compare within a group:
 * as aligned text for the terminal and as Markdown for the .md file.
 */
import { LABELS } from './runners/registry.js';
import type { BenchReport } from './report.js';
import type { CellSummary, Spread } from './summary.js';

export const COLUMNS = [
  'implementation',
  'N',
  'runs',
  'handoffs/s',
  'vs best peer',
  'of ceiling',
  'p50 ms',
  'p99 ms',
  'max ms',
  'req/acq',
  'notif/handoff',
  'flush/acq',
  'CPU µs/acq',
  'srv CPU µs/acq',
  'warm-up s',
  'violations',
] as const;

/** Milliseconds from microseconds, with the digits that matter at that size. */
export function ms(us: number): string {
  const v = us / 1000;
  return v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0);
}

/** A median, with the min-max range when there were several repeats that differ. */
function spreadText(s: Spread | null, f: (x: number) => string): string {
  if (s === null) return '-';
  return s.min === s.max ? f(s.median) : `${f(s.median)} [${f(s.min)}-${f(s.max)}]`;
}

export function summaryRow(c: CellSummary): string[] {
  if (c.runs === 0) return [c.impl, String(c.n), `0/${c.failed}`, 'failed', ...new Array<string>(COLUMNS.length - 4).fill('')];
  const int = (x: number): string => String(Math.round(x));
  return [
    c.impl,
    String(c.n),
    c.failed > 0 ? `${c.runs}/${c.runs + c.failed}` : String(c.runs),
    spreadText(c.handoffsPerS, int),
    spreadText(c.ratioVsBestPeer, (r) => `${r.toFixed(2)}x`),
    spreadText(c.fractionOfCeiling, (f) => `${Math.round(f * 100)}%`),
    spreadText(c.p50Us, ms),
    spreadText(c.p99Us, ms),
    spreadText(c.maxUs, ms),
    spreadText(c.requestsPerAcquisition, (r) => r.toFixed(2)),
    spreadText(c.notificationsPerHandoff, (r) => r.toFixed(2)),
    spreadText(c.flushesPerAcquisition, (r) => r.toFixed(2)),
    spreadText(c.cpuUsPerAcquisition, int),
    spreadText(c.serverCpuUsPerAcquisition, int),
    `${spreadText(c.warmupMs, (x) => (x / 1000).toFixed(1))}${c.steadyRuns < c.runs ? ` (${c.runs - c.steadyRuns} capped)` : ''}`,
    c.violations === 0 ? '0' : `${c.violations} !!`,
  ];
}

/** Rows per hold time, N ascending, implementations in the run's order. */
export function rowsByHold(
  report: Pick<BenchReport, 'summaries' | 'settings' | 'implementations'>,
): { holdMs: number; groups: string[][][] }[] {
  const order = report.implementations.map((i) => i.impl);
  return report.settings.holdsMs.map((holdMs) => ({
    holdMs,
    groups: report.settings.ns
      .map((n) =>
        report.summaries
          .filter((c) => c.holdMs === holdMs && c.n === n)
          .sort((a, b) => order.indexOf(a.impl) - order.indexOf(b.impl))
          .map(summaryRow),
      )
      .filter((g) => g.length > 0),
  }));
}

const RIGHT = (i: number): boolean => i > 0;

export function textTables(report: BenchReport): string {
  const out: string[] = [];
  for (const { holdMs, groups } of rowsByHold(report)) {
    const rows = groups.flat();
    if (rows.length === 0) continue;
    const widths = COLUMNS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (r: readonly string[]): string => r.map((v, i) => (RIGHT(i) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ');
    const ceiling = report.floor?.ceilingHandoffsPerS[String(holdMs)];
    out.push(`hold ${holdMs} ms${ceiling !== undefined ? ` (floor's ceiling ${ceiling} handoffs/s)` : ''}`);
    out.push(fmt(COLUMNS));
    groups.forEach((g, i) => {
      if (i > 0) out.push('');
      for (const r of g) out.push(fmt(r));
    });
    out.push('');
  }
  return out.join('\n');
}

export function markdownTables(report: BenchReport): string {
  const out: string[] = [];
  for (const { holdMs, groups } of rowsByHold(report)) {
    const rows = groups.flat();
    if (rows.length === 0) continue;
    const ceiling = report.floor?.ceilingHandoffsPerS[String(holdMs)];
    out.push(`#### Hold ${holdMs} ms${ceiling !== undefined ? ` (floor's ceiling: ${ceiling} handoffs/s)` : ''}`, '');
    out.push(`| ${COLUMNS.join(' | ')} |`);
    out.push(`|${COLUMNS.map((_, i) => (RIGHT(i) ? '---:' : '---')).join('|')}|`);
    for (const r of rows) out.push(`| ${r.join(' | ')} |`);
    out.push('');
  }
  return out.join('\n');
}

/**
 * A --runtime run (bench/shared/runtimes.ts): per N, each runtime variant's medians with ratios of medians
 * against Node's (`zkts-mutex@node`) and, for a native transport, against its runtime's Node-compat path.
 */
export function runtimeTable(
  report: Pick<BenchReport, 'summaries' | 'settings' | 'implementations'>,
  holdMs = Math.min(...report.settings.holdsMs),
): string {
  const order = report.implementations.map((i) => i.impl);
  const lines = [
    '| N | zkts Mutex client side | runs | handoffs/s | vs Node | vs Node-compat | p50 ms | p99 ms | CPU µs/acq | CPU vs Node |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const x = (a: number | undefined, b: number | undefined): string =>
    a === undefined || b === undefined || b === 0 ? '-' : `${(a / b).toFixed(2)}x`;
  for (const n of report.settings.ns) {
    const row = (impl: string): CellSummary | undefined =>
      report.summaries.find((s) => s.impl === impl && s.n === n && s.holdMs === holdMs && s.runs > 0);
    const node = row('zkts-mutex@node');
    for (const s of report.summaries
      .filter((c) => c.n === n && c.holdMs === holdMs)
      .sort((a, b) => order.indexOf(a.impl) - order.indexOf(b.impl))) {
      if (s.runs === 0) {
        lines.push(`| ${n} | ${LABELS[s.impl]} | 0/${s.failed} | failed | | | | | | |`);
        continue;
      }
      const variant = s.impl.slice(s.impl.indexOf('@') + 1);
      const compat = variant === 'bun' || variant === 'deno' ? row(`zkts-mutex@${variant}:node`) : undefined;
      const int = (v: number): string => String(Math.round(v));
      lines.push(
        `| ${n} | ${LABELS[s.impl]} | ${s.failed > 0 ? `${s.runs}/${s.runs + s.failed}` : s.runs} | ${spreadText(s.handoffsPerS, int)} | ${x(s.handoffsPerS?.median, node?.handoffsPerS?.median)} | ${
          compat === undefined ? '-' : x(s.handoffsPerS?.median, compat.handoffsPerS?.median)
        } | ${spreadText(s.p50Us, ms)} | ${spreadText(s.p99Us, ms)} | ${spreadText(s.cpuUsPerAcquisition, int)} | ${x(
          s.cpuUsPerAcquisition?.median,
          node?.cpuUsPerAcquisition?.median,
        )} |`,
      );
    }
  }
  return lines.join('\n');
}

export function legend(): string {
  return Object.entries(LABELS)
    .map(([k, v]) => `${k} = ${v}`)
    .join('; ');
}
