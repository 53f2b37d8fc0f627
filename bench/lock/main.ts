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
import type { GoalResult } from './report.js';
import { type Written, writeResults } from './results.js';
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
  return runKind(opts, progress, {
    what: 'lock benchmark',
    run: () => runBenchmark(opts, progress, command),
    write: (r) => files(writeResults(r, opts.outDir, { jsonOnly: opts.jsonOnly, latest: opts.latest, saveAs: opts.saveAs })),
    text: (r) => `${textTables(r)}\n${legend()}`,
    violations: (r) =>
      r.cells
        .filter((c) => c.violations > 0)
        .map((c) => ({ where: `${c.impl} N=${c.n} hold ${c.holdMs}`, label: c.impl, examples: c.violationExamples })),
    allFailed: (r) => r.cells.every((c) => c.status !== 'ok'),
  });
}

/** What one kind of run (default, --faults, --shared-session) needs to be run, written, printed and judged. */
interface RunKind<R extends { violations: number; goals: readonly GoalResult[] }> {
  /** Names the run in error lines. */
  what: string;
  run(): Promise<R>;
  /** Writes the result files; returns their paths. */
  write(report: R): string[];
  /** The tables printed after the run. */
  text(report: R): string;
  /** Where violations were seen, each with examples. */
  violations(report: R): { where: string; label: string; examples: readonly string[] }[];
  allFailed(report: R): boolean;
}

/**
 * Runs one kind: exit code 2 when it could not run (bad setup, servers not started), 1 on any
 * mutual-exclusion violation or when every implementation failed, else 0.
 */
async function runKind<R extends { violations: number; goals: readonly GoalResult[] }>(
  opts: BenchOptions,
  progress: Progress,
  kind: RunKind<R>,
): Promise<number> {
  let report: R;
  try {
    report = await kind.run();
  } catch (err) {
    process.stderr.write(`${kind.what}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 2;
  }
  const written = kind.write(report);
  if (opts.jsonOnly) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    progress.line('');
    progress.line(kind.text(report));
    progress.line('');
    for (const g of report.goals)
      progress.line(`goal ${g.met === null ? 'not measured' : g.met ? 'met' : 'NOT met'}: ${g.goal}: ${g.detail}`);
    progress.line('');
    progress.line(`results: ${written.map((f) => relative(process.cwd(), f)).join(', ')}`);
  }
  if (report.violations > 0) {
    const bad = kind.violations(report);
    process.stderr.write(
      `\n!!! MUTUAL EXCLUSION VIOLATED (${kind.what}): ${report.violations} violation(s) in ${bad.map((b) => b.where).join(', ')} !!!\n`,
    );
    for (const b of bad) process.stderr.write(`  ${b.label}: ${b.examples.join('\n    ')}\n`);
    return 1;
  }
  if (kind.allFailed(report)) {
    process.stderr.write(`\n${kind.what}: every implementation failed (see the errors above and in the result file)\n`);
    return 1;
  }
  return 0;
}

/** The files a write reported, in order. */
function files(written: Written): string[] {
  return [written.json, written.md, ...(written.svgs ?? [])].filter((f): f is string => f !== undefined);
}

/** A fault run (bench/lock/faults/run.ts). */
function faults(opts: BenchOptions, progress: Progress, command: string): Promise<number> {
  return runKind(opts, progress, {
    what: 'lock benchmark under faults',
    run: () => runFaults(opts, progress, command),
    write: (r) => files(writeFaultsResults(r, opts.outDir, { jsonOnly: opts.jsonOnly })),
    text: (r) => `${faultsText(r)}\n${legend()}`,
    violations: (r) =>
      r.results.filter((x) => x.violations > 0).map((x) => ({ where: x.impl, label: x.impl, examples: x.violationExamples })),
    allFailed: (r) => r.results.every((x) => x.status !== 'ok'),
  });
}

/** A shared-session run (bench/lock/shared-session.ts). */
function sharedSession(opts: BenchOptions, progress: Progress, command: string): Promise<number> {
  return runKind(opts, progress, {
    what: 'lock benchmark, shared sessions',
    run: () => runShared(opts, progress, command),
    write: (r) => writeShared(r, opts.outDir, opts.latest),
    text: (r) => sharedTable(r),
    violations: (r) =>
      r.cells
        .filter((c) => c.violations > 0)
        .map((c) => ({ where: `${c.impl} P=${c.workers}`, label: `${c.impl} P=${c.workers}`, examples: c.violationExamples })),
    allFailed: (r) => r.cells.every((c) => c.status !== 'ok'),
  });
}

process.exitCode = await main();
