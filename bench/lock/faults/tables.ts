/**
 * A fault run's two tables, as aligned text for the terminal and as Markdown: one row per implementation
 * (rates, gaps, errors, orphans, violations over the whole window), and one row per implementation and
 * fault (the rate before, during and after it, and how long the lock went without a hand-off).
 */
import { ms } from '../table.js';
import type { FaultImplResult, FaultsReport } from './report.js';

interface Table {
  header: string[];
  rows: string[][];
  /** Columns from the left that are text (left-aligned); the rest are figures. */
  textColumns: number;
}

const s = (v: number | null): string => (v === null ? '-' : (v / 1000).toFixed(2));
const rate = (v: number | null): string => (v === null ? '-' : String(Math.round(v)));

export function summaryTable(results: readonly FaultImplResult[]): Table {
  return {
    header: [
      ...['implementation', 'status', 'handoffs/s', 'p99 ms', 'max ms', 'longest gap s', 'at s'],
      ...[
        'gap after leader kill s',
        'of it election s',
        'half rate after kill s',
        'failed acq',
        'sessions replaced',
        'orphans',
        'violations',
      ],
    ],
    textColumns: 2,
    rows: results.map((r) => [
      r.impl,
      r.status === 'ok' ? 'ok' : 'FAILED',
      rate(r.handoffsPerS),
      r.latencyUs ? ms(r.latencyUs.p99) : '-',
      r.latencyUs ? ms(r.latencyUs.max) : '-',
      s(r.longestGap.ms),
      s(r.longestGap.atMs),
      s(r.gapAfterLeaderKillMs),
      s(r.electionMs),
      s(r.recoveryAfterLeaderKillMs),
      r.errors === null ? '?' : String(r.errors),
      r.sessionsReplaced === null ? '?' : String(r.sessionsReplaced),
      r.orphans === null ? '?' : String(r.orphans),
      r.violations === 0
        ? '0'
        : `${r.violations} !! (${r.storeOverlaps} overlaps, ${r.staleWrites} stale, ${r.timestampViolations} by time)`,
    ]),
  };
}

export function faultTable(results: readonly FaultImplResult[]): Table {
  return {
    header: [
      'implementation',
      'fault',
      'target',
      'start s',
      'end s',
      'before /s',
      'during /s',
      'after /s',
      'first hand-off s',
      'half rate s',
      'longest gap s',
    ],
    textColumns: 3,
    rows: results.flatMap((r) =>
      r.faults.map((f) => [
        r.impl,
        f.label,
        f.target,
        s(f.startMs),
        s(f.endMs),
        rate(f.beforePerS),
        rate(f.duringPerS),
        rate(f.afterPerS),
        s(f.firstHandoffAfterMs),
        s(f.recoveryMs),
        s(f.longestGapMs),
      ]),
    ),
  };
}

export function alignedText(t: Table): string {
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]): string =>
    r
      .map((v, i) => (i < t.textColumns ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(t.header), ...t.rows.map(line)].join('\n');
}

export function markdownTable(t: Table): string {
  return [
    `| ${t.header.join(' | ')} |`,
    `|${t.header.map((_, i) => (i < t.textColumns ? '---' : '---:')).join('|')}|`,
    ...t.rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** The terminal's summary of a run: both tables, skipped faults, failures. */
export function faultsText(r: FaultsReport): string {
  const out = [alignedText(summaryTable(r.results)), '', alignedText(faultTable(r.results))];
  for (const x of r.results) {
    for (const why of x.skippedFaults) out.push(`${x.impl}: skipped ${why}`);
    if (x.status === 'failed') out.push(`${x.impl}: FAILED: ${x.error ?? '?'}`);
    if ((x.orphans ?? 0) > 0) out.push(`${x.impl}: orphan nodes at DONE: ${x.orphanNames.join(', ')}`);
  }
  return out.join('\n');
}
