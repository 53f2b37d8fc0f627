/**
 * The tables of the results page (bench/results/README.md), generated from stored result files, so no
 * figure there is typed by hand. A table sits between two comments that name its source (a result JSON
 * next to the page, committed) and what to show:
 *
 *   <!-- bench-table latest.json cells hold=0 impl=zkts-mutex,curator n=2,16,64 -->
 *   ...generated...
 *   <!-- /bench-table -->
 *
 * Kinds: `cells` (the summary rows for one hold time, optionally filtered), `goals`, `floor` (lock
 * benchmark results), `codec` (bench/codec/main.ts --json), `pipeline` (bench/pipeline/main.ts --json),
 * `lease` (bench/lease/main.ts), `faults` (the per-implementation table of a --faults run),
 * `fault-list` (its per-fault table), `goals` also for a --faults run and a --shared-session run,
 * `shared` (the rows of a --shared-session run: P processes × M acquirers sharing one session).
 * `npm run bench:readme` rewrites every table from its file; test/unit/bench/results-page.test.ts
 * checks that the page matches what its files say.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runtimeKindTable } from './runtime-tables.js';
import { type CodecRow, codecTable } from '../codec/report.js';
import { type LeaseCostRow, leaseCostTable } from '../lease/main.js';
import type { FaultsReport } from '../lock/faults/report.js';
import { faultTable, markdownTable, summaryTable } from '../lock/faults/tables.js';
import { type Report as PipelineReport, renderReport as pipelineTables } from '../pipeline/main.js';
import type { Implementation } from '../lock/protocol.js';
import type { BenchReport } from '../lock/report.js';
import { COLUMNS, ms, summaryRow } from '../lock/table.js';
import { type SharedReport, sharedTable } from '../lock/shared-session.js';

const BLOCK = /<!-- bench-table (\S+) ([\w-]+)((?: \w+=\S+)*) -->\n[\s\S]*?<!-- \/bench-table -->/g;

/** The results page and its files. */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
/** bench/README.md, the method: its blocks (verdicts only, no figures) read files from RESULTS_DIR too. */
export const METHOD_PAGE = join(RESULTS_DIR, '..', 'README.md');

function options(raw: string): Map<string, string> {
  return new Map(
    raw
      .trim()
      .split(' ')
      .filter(Boolean)
      .map((kv) => kv.split('=') as [string, string]),
  );
}

const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;

interface CodecFile {
  date: string;
  command: string;
  machine: { cpus: number; cpuModel: string; node: string };
  loadAverage: { before: number; after: number };
  results: CodecRow[];
}

const load = (before: number, after: number): string => `1-minute load average ${before.toFixed(2)} before, ${after.toFixed(2)} after`;

function codecCaption(f: CodecFile): string {
  const m = f.machine;
  return `Run ${f.date.slice(0, 16).replace('T', ' ')} UTC: \`${f.command}\`; ${m.cpus} CPUs (${m.cpuModel}), Node ${m.node}; ${load(f.loadAverage.before, f.loadAverage.after)}.`;
}

function pipelineCaption(r: PipelineReport): string {
  const m = r.machine;
  return `\`${r.command}\`; ${m.nproc} CPUs (${m.cpu}), Node ${m.node}${m.java === undefined ? '' : `, ${m.java}`}; server: ${r.server}; ${load(m.load1[0], m.load1[1])}.`;
}

/** One table's Markdown from a result file's JSON. */
export function renderTable(json: unknown, kind: string, opts: Map<string, string>): string {
  // The --runtime runs' kinds (pipeline-runtimes, lock-runtimes, runtime-verdicts): bench/shared/runtime-tables.ts.
  const runtime = runtimeKindTable(json, kind);
  if (runtime !== undefined) return runtime;
  if (kind === 'codec') return `${codecCaption(json as CodecFile)}\n\n${codecTable((json as CodecFile).results)}`;
  if (kind === 'lease') return leaseCostTable((json as { rows: LeaseCostRow[] }).rows);
  if (kind === 'pipeline') return `${pipelineCaption(json as PipelineReport)}\n\n${pipelineTables(json as PipelineReport)}`;
  if (kind === 'faults') return markdownTable(summaryTable((json as FaultsReport).results));
  if (kind === 'fault-list') return markdownTable(faultTable((json as FaultsReport).results));
  if (kind === 'shared') {
    const r = json as SharedReport;
    const caption = `\`${r.command}\`; ${r.machine.cpus} CPUs (${r.machine.cpuModel}), Node ${r.machine.node}; ${load(r.machine.loadBefore, r.machine.loadAfter)}; ${r.settings.sharedMutex}.`;
    return `${caption}\n\n${sharedTable(r)}`;
  }
  const report = json as BenchReport;
  switch (kind) {
    case 'cells': {
      const hold = Number(opts.get('hold') ?? '0');
      const impls = opts.get('impl')?.split(',') as Implementation[] | undefined;
      const ns = opts.get('n')?.split(',').map(Number);
      const order = report.implementations.map((i) => i.impl);
      const rows = report.summaries
        .filter((s) => s.holdMs === hold && (impls === undefined || impls.includes(s.impl)) && (ns === undefined || ns.includes(s.n)))
        .sort((a, b) => a.n - b.n || order.indexOf(a.impl) - order.indexOf(b.impl))
        .map(summaryRow);
      return [row([...COLUMNS]), `|${COLUMNS.map((_, i) => (i > 0 ? '---:' : '---')).join('|')}|`, ...rows.map(row)].join('\n');
    }
    case 'goals':
      return [
        '| goal | result | figures |',
        '|---|---|---|',
        ...report.goals.map((g) => row([g.goal, g.met === null ? 'not measured' : g.met ? 'met' : 'NOT met', g.detail])),
      ].join('\n');
    case 'floor': {
      const lines = ['| client | measurement | p50 ms | p99 ms | ceiling at hold 0 (handoffs/s) |', '|---|---|---:|---:|---:|'];
      for (const f of [report.floor, report.javaFloor]) {
        if (f === null || f === undefined) continue;
        lines.push(row([f.client, 'create + delete', ms(f.createDeleteUs.p50), ms(f.createDeleteUs.p99), '']));
        lines.push(
          row([f.client, 'delete → NodeDeleted', ms(f.notifyUs.p50), ms(f.notifyUs.p99), String(f.ceilingHandoffsPerS['0'] ?? '')]),
        );
      }
      return lines.join('\n');
    }
    default:
      throw new Error(`bench-table: unknown kind ${kind}`);
  }
}

/** The page with every table generated from its file (read relative to bench/results/). */
export function regenerate(readme: string, read: (file: string) => string = (f) => readFileSync(join(RESULTS_DIR, f), 'utf8')): string {
  return readme.replace(BLOCK, (_match, file: string, kind: string, raw: string) => {
    return `<!-- bench-table ${file} ${kind}${raw} -->\n${renderTable(JSON.parse(read(file)), kind, options(raw))}\n<!-- /bench-table -->`;
  });
}

/** Every table block of the README: its file, kind and text. */
export function blocks(readme: string): { file: string; kind: string }[] {
  return [...readme.matchAll(BLOCK)].map((m) => ({ file: m[1]!, kind: m[2]! }));
}

// `npm run bench:readme`: rewrites the results page's tables from their files.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const path of [join(RESULTS_DIR, 'README.md'), METHOD_PAGE]) {
    const before = readFileSync(path, 'utf8');
    const after = regenerate(before);
    writeFileSync(path, after);
    process.stdout.write(`${path}: ${blocks(after).length} tables regenerated${after === before ? ' (no change)' : ''}\n`);
  }
}
