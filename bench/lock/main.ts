/**
 * `npm run bench`: the lock benchmark (bench/README.md, "Lock benchmark"). zkts's Mutex, SimpleLock and
 * ReadWriteLock against node-zookeeper-client with the standard recipe, Curator's InterProcessMutex and
 * kazoo's Lock, each alone, at several contention levels, with the server's floor measured in the same
 * run. Prints a live progress line and a final table; writes bench/results/<timestamp>.{json,md,svg}.
 * With --faults, the same implementations under a fault schedule instead (bench/lock/faults/run.ts);
 * it writes bench/results/faults-<timestamp>.{json,md} and -handoffs.svg.
 *
 * Exit code 1 when any mutual-exclusion violation was seen or every implementation failed; 2 on bad
 * arguments or when the servers could not be started.
 */
import { relative } from 'node:path';
import { type BenchOptions, USAGE, parseArgs } from './cli.js';
import { writeFaultsResults } from './faults/results.js';
import { runFaults } from './faults/run.js';
import { faultsText } from './faults/tables.js';
import { runBenchmark } from './orchestrator.js';
import { Progress } from './progress.js';
import { writeResults } from './results.js';
import { runShared, sharedTable, writeShared } from './shared-session.js';
import { legend, textTables } from './table.js';

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts === null) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const command = ['npm run bench --', ...process.argv.slice(2)].join(' ');
  const progress = new Progress(opts.jsonOnly ? undefined : process.stdout, process.stdout.isTTY === true);
  if (opts.faults !== undefined) return faults(opts, progress, command);
  if (opts.sharedSession !== undefined) return sharedSession(opts, progress, command);
  let report;
  try {
    report = await runBenchmark(opts, progress, command);
  } catch (err) {
    process.stderr.write(`lock benchmark: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 2;
  }
  const written = writeResults(report, opts.outDir, { jsonOnly: opts.jsonOnly, latest: opts.latest, saveAs: opts.saveAs });
  if (opts.jsonOnly) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    progress.line('');
    progress.line(textTables(report));
    progress.line(legend());
    progress.line('');
    for (const g of report.goals)
      progress.line(`goal ${g.met === null ? 'not measured' : g.met ? 'met' : 'NOT met'}: ${g.goal}: ${g.detail}`);
    progress.line('');
    progress.line(
      `results: ${[written.json, written.md, ...(written.svgs ?? [])]
        .filter(Boolean)
        .map((f) => relative(process.cwd(), f!))
        .join(', ')}`,
    );
  }

  const ok = report.cells.filter((c) => c.status === 'ok');
  if (report.violations > 0) {
    process.stderr.write(
      `\n!!! MUTUAL EXCLUSION VIOLATED: ${report.violations} violation(s) in ${report.cells
        .filter((c) => c.violations > 0)
        .map((c) => `${c.impl} N=${c.n} hold ${c.holdMs}`)
        .join(', ')} !!!\n`,
    );
    for (const c of report.cells.filter((x) => x.violations > 0))
      process.stderr.write(`  ${c.impl}: ${c.violationExamples.join('\n    ')}\n`);
    return 1;
  }
  if (ok.length === 0) {
    process.stderr.write('\nlock benchmark: every implementation failed (see the errors above and in the result file)\n');
    return 1;
  }
  return 0;
}

/** A fault run: the same exit codes (1 on any violation or when every implementation failed). */
async function faults(opts: BenchOptions, progress: Progress, command: string): Promise<number> {
  let report;
  try {
    report = await runFaults(opts, progress, command);
  } catch (err) {
    process.stderr.write(`lock benchmark under faults: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 2;
  }
  const written = writeFaultsResults(report, opts.outDir, { jsonOnly: opts.jsonOnly });
  if (opts.jsonOnly) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    progress.line('');
    progress.line(faultsText(report));
    progress.line(legend());
    progress.line('');
    for (const g of report.goals)
      progress.line(`goal ${g.met === null ? 'not measured' : g.met ? 'met' : 'NOT met'}: ${g.goal}: ${g.detail}`);
    progress.line('');
    progress.line(
      `results: ${[written.json, written.md, ...(written.svgs ?? [])]
        .filter(Boolean)
        .map((f) => relative(process.cwd(), f!))
        .join(', ')}`,
    );
  }
  if (report.violations > 0) {
    const bad = report.results.filter((r) => r.violations > 0);
    process.stderr.write(
      `\n!!! MUTUAL EXCLUSION VIOLATED UNDER FAULTS: ${report.violations} violation(s) in ${bad.map((r) => r.impl).join(', ')} !!!\n`,
    );
    for (const r of bad) process.stderr.write(`  ${r.impl}: ${r.violationExamples.join('\n    ')}\n`);
    return 1;
  }
  if (report.results.every((r) => r.status !== 'ok')) {
    process.stderr.write('\nlock benchmark under faults: every implementation failed (see the errors above and in the result file)\n');
    return 1;
  }
  return 0;
}

/** A shared-session run (bench/lock/shared-session.ts): the same exit codes. */
async function sharedSession(opts: BenchOptions, progress: Progress, command: string): Promise<number> {
  let report;
  try {
    report = await runShared(opts, progress, command);
  } catch (err) {
    process.stderr.write(`lock benchmark, shared sessions: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 2;
  }
  const written = writeShared(report, opts.outDir, opts.latest);
  if (opts.jsonOnly) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    progress.line('');
    progress.line(sharedTable(report));
    progress.line('');
    for (const g of report.goals)
      progress.line(`goal ${g.met === null ? 'not measured' : g.met ? 'met' : 'NOT met'}: ${g.goal}: ${g.detail}`);
    progress.line('');
    progress.line(`results: ${written.map((f) => relative(process.cwd(), f)).join(', ')}`);
  }
  if (report.violations > 0) {
    process.stderr.write(`\n!!! MUTUAL EXCLUSION VIOLATED: ${report.violations} violation(s) !!!\n`);
    for (const c of report.cells.filter((x) => x.violations > 0))
      process.stderr.write(`  ${c.impl} P=${c.workers}: ${c.violationExamples.join('\n    ')}\n`);
    return 1;
  }
  if (report.cells.every((c) => c.status !== 'ok')) {
    process.stderr.write('\nlock benchmark, shared sessions: every implementation failed\n');
    return 1;
  }
  return 0;
}

process.exitCode = await main();
