/**
 * The results table, one per hold time, rows grouped by N so implementations compare within a group:
 * as aligned text for the terminal and as Markdown for the .md file.
 */
import { LABELS } from './peers.js';
import type { BenchReport, CellResult } from './report.js';

export const COLUMNS = [
  'implementation',
  'N',
  'handoffs/s',
  'vs best peer',
  'of ceiling',
  'p50 ms',
  'p90 ms',
  'p99 ms',
  'max ms',
  'req/acq',
  'notif/handoff',
  'flush/acq',
  'CPU µs/acq',
  'srv CPU µs/acq',
  'violations',
] as const;

/** Milliseconds from microseconds, with the digits that matter at that size. */
export function ms(us: number): string {
  const v = us / 1000;
  return v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0);
}

const opt = (v: number | null, f: (x: number) => string): string => (v === null ? '-' : f(v));

export function cellRow(c: CellResult): string[] {
  if (c.status !== 'ok') return [c.impl, String(c.n), 'failed', ...new Array<string>(COLUMNS.length - 3).fill('')];
  const l = c.latencyUs;
  return [
    c.impl,
    String(c.n),
    String(Math.round(c.handoffsPerS)),
    opt(c.ratioVsBestPeer, (r) => `${r.toFixed(2)}x`),
    opt(c.fractionOfCeiling, (f) => `${Math.round(f * 100)}%`),
    l ? ms(l.p50) : '-',
    l ? ms(l.p90) : '-',
    l ? ms(l.p99) : '-',
    l ? ms(l.max) : '-',
    opt(c.requestsPerAcquisition, (r) => r.toFixed(2)),
    opt(c.notificationsPerHandoff, (r) => r.toFixed(2)),
    opt(c.flushesPerAcquisition, (r) => r.toFixed(2)),
    opt(c.cpuUsPerAcquisition, (r) => String(Math.round(r))),
    opt(c.serverCpuUsPerAcquisition, (r) => String(Math.round(r))),
    c.violations === 0 ? '0' : `${c.violations} !!`,
  ];
}

/** Rows per hold time, N ascending, implementations in the run's order. */
export function rowsByHold(report: Pick<BenchReport, 'cells' | 'settings' | 'implementations'>): { holdMs: number; groups: string[][][] }[] {
  const order = report.implementations.map((i) => i.impl);
  return report.settings.holdsMs.map((holdMs) => ({
    holdMs,
    groups: report.settings.ns
      .map((n) =>
        report.cells
          .filter((c) => c.holdMs === holdMs && c.n === n)
          .sort((a, b) => order.indexOf(a.impl) - order.indexOf(b.impl))
          .map(cellRow),
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

export function legend(): string {
  return Object.entries(LABELS)
    .map(([k, v]) => `${k} = ${v}`)
    .join('; ');
}
