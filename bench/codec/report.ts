/** The codec benchmark's result rows and its table, for the run's output and for bench/README.md. */

export interface CodecRow {
  id: string;
  label: string;
  kind: string;
  bytes: number;
  zkts: { opsPerSec: number; mbPerSec: number; rounds: number[] };
  nzc: { opsPerSec: number; mbPerSec: number; rounds: number[] };
  /** Median of the per-round ratios. */
  ratio: number;
  ratios: number[];
}

const fmtRate = (x: number): string =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)} M/s` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k/s` : `${x.toFixed(0)} /s`;
const fmtMB = (x: number): string => `${x >= 100 ? x.toFixed(0) : x.toFixed(1)} MB/s`;

/** The Markdown table of a run's rows, aligned for the terminal too. */
export function codecTable(rows: readonly CodecRow[]): string {
  const table: string[][] = [
    ['case', 'bytes', 'zkts rec/s', 'zkts MB/s', 'nzc rec/s', 'nzc MB/s', 'zkts/nzc', 'round ratios'],
    ...rows.map((r) => [
      r.label,
      String(r.bytes),
      fmtRate(r.zkts.opsPerSec),
      fmtMB(r.zkts.mbPerSec),
      fmtRate(r.nzc.opsPerSec),
      fmtMB(r.nzc.mbPerSec),
      `${r.ratio.toFixed(2)}x`,
      `${Math.min(...r.ratios).toFixed(1)}-${Math.max(...r.ratios).toFixed(1)}`,
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const line = (row: string[]): string =>
    `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(table[0]!),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...table.slice(1).map(line),
  ].join('\n');
}
