/**
 * Codec throughput: zkts's Jute codec against node-zookeeper-client's, in the same process and run.
 *
 *   npx tsx bench/codec/main.ts [--quick] [--json <file>] [--only <case-id-substring>] [--wall]
 *
 * Before timing, every case is checked for equivalence (the same frame bytes out of both encoders; the
 * same header, data, Stat and names out of both decoders); any difference aborts the run with exit 1.
 * See bench/README.md for the method and the meaning of each column.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { CASES } from './cases.js';
import { type Timing, clockName, compare, cpuBaseline, sink, useWallClock } from './harness.js';
import { NZC_VERSION } from './nzc.js';
import { type CodecRow, codecTable } from './report.js';

interface Options {
  quick: boolean;
  json: string | undefined;
  only: string | undefined;
  wall: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { quick: false, json: undefined, only: undefined, wall: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = argv[++i];
    else if (a === '--only') o.only = argv[++i];
    else if (a === '--wall') o.wall = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: tsx bench/codec/main.ts [--quick] [--json <file>] [--only <case-id-substring>] [--wall]');
      process.exit(0);
    } else {
      console.error(`unknown argument ${a}`);
      process.exit(2);
    }
  }
  if (argv.includes('--json') && o.json === undefined) {
    console.error('--json needs a file name');
    process.exit(2);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const timing: Timing = opts.quick
  ? { warmupMs: 150, rounds: 5, roundMs: 60, minOps: 20 }
  : { warmupMs: 500, rounds: 10, roundMs: 200, minOps: 50 };
if (opts.wall) useWallClock();
const cases = CASES.filter((c) => opts.only === undefined || c.id.includes(opts.only));

// 1. Equivalence: both codecs must do the same work, or the comparison is worthless.
for (const c of cases) {
  try {
    c.check();
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    console.error('codec bench aborted: the two codecs disagree, so their timings would not be comparable');
    process.exit(1);
  }
}
console.log(`equivalence: ${cases.length} cases checked (same frame bytes / same decoded values)`);

// 2. Machine and CPU baseline.
const cpuModel = cpus()[0]?.model.trim() ?? 'unknown';
const loadBefore = loadavg()[0]!;
const baseline = cpuBaseline();
console.log(`machine: ${cpus().length} CPUs, ${cpuModel}, node ${process.version}, node-zookeeper-client ${NZC_VERSION}`);
console.log(
  `cpu baseline: xorshift32 x 50M in ${baseline.ms.toFixed(1)} ms ${clockName} (${baseline.mopsPerSec.toFixed(0)} Msteps/s; lower ms = faster machine)`,
);
if (loadBefore > cpus().length / 2) {
  console.log(
    `warning: 1-min load average ${loadBefore.toFixed(2)} on ${cpus().length} CPUs: other work is running, so absolute rates are low and noisy (the interleaved ratios hold up better)`,
  );
}
console.log(
  `method: ${timing.warmupMs} ms warm-up per side, then ${timing.rounds} rounds of >= ${timing.roundMs} ms per side, sides back to back and alternating; rates are records per ${clockName}-clock second, median over rounds; ratio = median of per-round ratios${opts.quick ? ' (--quick)' : ''}`,
);
console.log('');

// 3. Timing.
const rows: CodecRow[] = [];
const t0 = Date.now();
for (const c of cases) {
  const r = compare(c.zkts, c.nzc, timing);
  const row: CodecRow = {
    id: c.id,
    label: c.label,
    kind: c.kind,
    bytes: c.bytes,
    zkts: { opsPerSec: r.a.opsPerSec, mbPerSec: (r.a.opsPerSec * c.bytes) / 1e6, rounds: r.a.rounds },
    nzc: { opsPerSec: r.b.opsPerSec, mbPerSec: (r.b.opsPerSec * c.bytes) / 1e6, rounds: r.b.rounds },
    ratio: r.ratio,
    ratios: r.ratios,
  };
  rows.push(row);
  process.stderr.write(`  ${c.id}: ${row.ratio.toFixed(2)}x\n`);
}
const elapsedS = (Date.now() - t0) / 1000;

// 4. Report.
console.log(codecTable(rows));
const minRatio = Math.min(...rows.map((r) => r.ratio));
console.log('');
const loadAfter = loadavg()[0]!;
console.log(
  `lowest ratio ${minRatio.toFixed(2)}x; timed in ${elapsedS.toFixed(1)} s; 1-min load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after (sink ${sink & 1})`,
);

if (opts.json !== undefined) {
  const out = {
    bench: 'codec',
    date: new Date().toISOString(),
    command: `npx tsx bench/codec/main.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine: { cpus: cpus().length, cpuModel, node: process.version, platform: `${process.platform}-${process.arch}` },
    peer: { name: 'node-zookeeper-client', version: NZC_VERSION },
    timing,
    clock: clockName,
    cpuBaseline: baseline,
    loadAverage: { before: loadBefore, after: loadAfter },
    results: rows,
    minRatio,
  };
  writeFileSync(opts.json, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${opts.json}`);
}
