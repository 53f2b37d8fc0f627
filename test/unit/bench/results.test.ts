/**
 * The lock benchmark's derived figures and result files: ratios against the best peer, fractions of the
 * floor's ceiling, the goals, the terminal table, and the JSON / Markdown / SVG files a run writes.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { annotateCells, evaluateGoals } from '../../../bench/lock/goals.js';
import { SCHEMA, type BenchReport } from '../../../bench/lock/report.js';
import { renderMarkdown, timestampName, writeResults } from '../../../bench/lock/results.js';
import { perAcquisition, ceilingHandoffsPerSecond } from '../../../bench/lock/stats.js';
import { summarizeCells } from '../../../bench/lock/summary.js';
import { COLUMNS, runtimeTable, textTables } from '../../../bench/lock/table.js';
import { cellOf, sampleReport, sampleRuntimeReport } from '../../support/bench/report-fixture.js';

function annotated(): BenchReport {
  const r = sampleReport();
  annotateCells(r.cells, r.floor!.ceilingHandoffsPerS);
  r.summaries = summarizeCells(r.cells);
  r.goals = evaluateGoals(r);
  return r;
}

describe('results - derived figures', () => {
  it('folds repeats into medians and ranges; ratios are taken per repeat against the best peer', () => {
    const r = annotated();
    const m = r.summaries.find((c) => c.impl === 'zkts-mutex' && c.n === 16 && c.holdMs === 0)!;
    expect(m.runs).toBe(3);
    expect(m.handoffsPerS).toEqual({ median: 1500, min: 1425, max: 1575 });
    expect(m.bestPeer).toBe('nzc-recipe');
    // Both sides vary alike per repeat, so every per-repeat ratio is 1.5.
    expect(m.ratioVsBestPeer).toEqual({ median: 1.5, min: 1.5, max: 1.5 });
    expect(m.ratioVs.curator!.median).toBeCloseTo(1500 / 900, 2);
    expect(m.fractionOfCeiling!.median).toBeCloseTo(1500 / 1667, 3);
    const curator = r.summaries.find((c) => c.impl === 'curator' && c.n === 16 && c.holdMs === 0)!;
    expect(curator.ratioVsBestPeer).toBeNull(); // peers get no ratio
    expect(r.summaries.find((c) => c.impl === 'zkts-mutex' && c.n === 1 && c.holdMs === 0)!.runs).toBe(1);
  });

  it('pairs ratios by repeat: a slow repeat of one side is not matched with a fast repeat of the other', () => {
    const cells = [
      cellOf('zkts-mutex', 4, 0, { repeat: 0, handoffsPerS: 100 }),
      cellOf('zkts-mutex', 4, 0, { repeat: 1, handoffsPerS: 200 }),
      cellOf('nzc-recipe', 4, 0, { repeat: 0, handoffsPerS: 50 }),
      cellOf('nzc-recipe', 4, 0, { repeat: 1, handoffsPerS: 200 }),
    ];
    const [m] = summarizeCells(cells);
    expect(m!.ratioVs['nzc-recipe']).toEqual({ median: 1.5, min: 1, max: 2 });
  });

  it('leaves ratios empty for failed cells and when no peer ran', () => {
    const cells = [cellOf('zkts-mutex', 4, 0), cellOf('nzc-recipe', 4, 0, { status: 'failed', handoffsPerS: 0 })];
    annotateCells(cells, undefined);
    const [m, p] = summarizeCells(cells);
    expect(m!.ratioVsBestPeer).toBeNull();
    expect(m!.fractionOfCeiling).toBeNull();
    expect(p!.runs).toBe(0);
    expect(p!.failed).toBe(1);
  });

  it('evaluates the goals from the summaries, at every hold time', () => {
    const goals = annotated().goals;
    const byStart = (s: string) => goals.filter((g) => g.goal.startsWith(s));
    expect(byStart('zkts Mutex handoffs/s >= 1.3x curator').map((g) => g.met)).toEqual([true, true]);
    expect(byStart('zkts Mutex handoffs/s >= 1.3x nzc-recipe').map((g) => g.met)).toEqual([true, true]);
    expect(byStart('zkts Mutex handoffs/s >= 1.3x curator')[0]!.detail).toContain('over 3 repeats');
    expect(byStart("zkts Mutex handoffs/s >= 90% of the floor's ceiling")[0]!.met).toBe(true);
    expect(byStart('with --rtt')[0]!.met).toBeNull();
    expect(byStart('requests per acquisition at N = 64')[0]!.met).toBe(true);
    expect(byStart('requests per acquisition of zkts SimpleLock')[0]!.met).toBe(true);
    expect(byStart('no mutual-exclusion violation')[0]!.met).toBe(true);
  });

  it('reports an unmet goal as false and a missing measurement as null', () => {
    const r = sampleReport();
    r.cells = r.cells.filter((c) => !(c.impl === 'curator' && c.n === 64));
    for (const slow of r.cells.filter((c) => c.impl === 'zkts-mutex' && c.n === 2 && c.holdMs === 0)) {
      slow.handoffsPerS = 1100;
      slow.requestsPerAcquisition = 5;
    }
    annotateCells(r.cells, r.floor!.ceilingHandoffsPerS);
    r.summaries = summarizeCells(r.cells);
    const goals = evaluateGoals(r);
    expect(goals.find((g) => g.goal.includes('1.3x curator'))!.met).toBeNull();
    expect(goals.find((g) => g.goal.includes('1.3x nzc-recipe'))!.met).toBe(false);
    expect(goals.find((g) => g.goal.includes('ceiling'))!.met).toBe(false);
    r.violations = 3;
    expect(evaluateGoals(r).find((g) => g.goal.startsWith('no mutual-exclusion'))!.met).toBe(false);
  });

  it('judges the round-trip goal only in an --rtt run', () => {
    const r = sampleReport();
    r.settings.rttMs = 2;
    r.cells.find((c) => c.impl === 'curator' && c.n === 1 && c.holdMs === 0)!.latencyUs!.p50 = 2500;
    r.cells.find((c) => c.impl === 'zkts-mutex' && c.n === 1 && c.holdMs === 0)!.latencyUs!.p50 = 400;
    r.summaries = summarizeCells(r.cells);
    expect(evaluateGoals(r).find((g) => g.goal.startsWith('with --rtt'))!.met).toBe(true);
  });

  it('computes server costs from mntr deltas and the ceiling from the floor', () => {
    const before = { packetsReceived: 1000, packetsSent: 1100, watchCount: 3, syncBatches: 40 };
    const after = { packetsReceived: 1500, packetsSent: 1800, watchCount: 5, syncBatches: 190 };
    expect(perAcquisition(before, after, 100)).toEqual({
      requestsPerAcquisition: 5,
      notificationsPerHandoff: 2,
      flushesPerAcquisition: 1.5,
    });
    // A server without the sync processor's metrics (before 3.6) reports no flushes.
    expect(perAcquisition({ ...before, syncBatches: 0 }, { ...after, syncBatches: 0 }, 100)!.flushesPerAcquisition).toBeNull();
    expect(perAcquisition(before, after, 0)).toBeUndefined();
    expect(perAcquisition(after, before, 10)).toBeUndefined();
    expect(ceilingHandoffsPerSecond(600, 0)).toBe(1667);
    expect(ceilingHandoffsPerSecond(600, 1)).toBe(625);
  });
});

describe('results - table and files', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('prints one table per hold time with every column and row', () => {
    const text = textTables(annotated());
    expect(text).toContain("hold 0 ms (floor's ceiling 1667 handoffs/s)");
    expect(text).toContain('hold 1 ms');
    for (const c of COLUMNS) expect(text).toContain(c);
    expect(text.split('\n').filter((l) => l.startsWith('zkts-mutex'))).toHaveLength(8);
    expect(text).toMatch(/zkts-mutex\s+16\s+3\s+1500 \[1425-1575\]\s+1\.50x\s+90% \[86%-95%\]/);
  });

  it('writes the JSON, Markdown and both charts, and the latest copies on request', () => {
    dir = mkdtempSync(join(tmpdir(), 'zkts-bench-results-'));
    const r = annotated();
    const written = writeResults(r, dir, { jsonOnly: false, latest: true });
    const stamp = timestampName(r.startedAt);
    expect(stamp).toBe('2026-11-22T03-00-00Z');
    expect(readdirSync(dir).sort()).toEqual(
      [
        `${stamp}.json`,
        `${stamp}.md`,
        `${stamp}-handoffs.svg`,
        `${stamp}-p99.svg`,
        'latest.json',
        'latest.md',
        'latest-handoffs.svg',
        'latest-p99.svg',
      ].sort(),
    );
    expect(written.json).toBe(join(dir, `${stamp}.json`));

    const json = JSON.parse(readFileSync(written.json, 'utf8')) as BenchReport;
    expect(json.schema).toBe(SCHEMA);
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining([
        'startedAt',
        'machine',
        'server',
        'settings',
        'floor',
        'javaFloor',
        'implementations',
        'skipped',
        'cells',
        'summaries',
        'violations',
        'goals',
      ]),
    );
    expect(json.cells).toHaveLength(4 * 2 * (4 + 3 + 3));
    for (const c of json.cells) {
      expect(Object.keys(c)).toEqual(
        expect.arrayContaining([
          'impl',
          'n',
          'holdMs',
          'handoffsPerS',
          'latencyUs',
          'requestsPerAcquisition',
          'notificationsPerHandoff',
          'cpuUsPerAcquisition',
          'violations',
          'fractionOfCeiling',
          'repeat',
          'warmupMs',
          'storeOverlaps',
          'staleWrites',
        ]),
      );
    }

    const md = readFileSync(join(dir, 'latest.md'), 'utf8');
    expect(md).toContain('## Goals');
    expect(md).toContain('#### Hold 0 ms');
    expect(md).toContain(`| ${COLUMNS.join(' | ')} |`);
    expect(md).toContain('![handoffs/s against N](latest-handoffs.svg)');
    expect(md).toContain('kazoo`: skipped, to add it: apt-get install python3-kazoo');
    expect(md).toContain('forceSync yes');
  });

  it('writes only the JSON with --json-only', () => {
    dir = mkdtempSync(join(tmpdir(), 'zkts-bench-results-'));
    writeResults(annotated(), dir, { jsonOnly: true, latest: false });
    expect(readdirSync(dir)).toEqual(['2026-11-22T03-00-00Z.json']);
  });

  it('says loudly in the Markdown when mutual exclusion was violated or the floor is missing', () => {
    const r = annotated();
    r.cells[3]!.violations = 2;
    r.cells[3]!.violationExamples = ['write hold token 5 starts before ...'];
    r.violations = 2;
    r.floor = null;
    r.floorError = 'connection refused';
    const md = renderMarkdown(r, undefined);
    expect(md).toContain('Mutual-exclusion violations: 2 (THE RUN FAILED)');
    expect(md).toContain('write hold token 5 starts before');
    expect(md).toContain('Not measured: connection refused');
  });
});

describe('results - a --runtime run', () => {
  it('goals per runtime: native handoffs/s against its Node-compat path, CPU per acquisition against Node, at every N', () => {
    const r = sampleRuntimeReport();
    const goals = evaluateGoals(r);
    expect(goals.map((g) => [g.goal.split(':')[0], g.met])).toEqual([
      ['zkts Mutex on Bun 1.4.5', true],
      ['zkts Mutex on Bun 1.4.5', true],
      ['zkts Mutex on Deno 2.9.6', false],
      ['zkts Mutex on Deno 2.9.6', false],
      ['no mutual-exclusion violation in any cell (fenced store and recorded holds)', true],
    ]);
    expect(goals[0]!.detail).toBe(
      'N=1: 1.10x (1100 vs 1000 handoffs/s); N=16: 1.10x (1100 vs 1000 handoffs/s); N=64: 1.10x (1100 vs 1000 handoffs/s)',
    );
    expect(goals[2]!.detail).toContain('N=64: 0.95x (900 vs 950 handoffs/s)');
    expect(goals[3]!.detail).toContain('N=1: 1.30x (520 vs 400 us/acq)');
  });

  it('the runtime table: each variant against Node, a native transport against its Node-compat path', () => {
    const lines = runtimeTable(sampleRuntimeReport()).split('\n');
    expect(lines).toHaveLength(2 + 3 * 5);
    expect(lines[2]).toBe('| 1 | zkts Mutex on Node (node:net) | 1 | 1000 | 1.00x | - | 0.50 | 1.20 | 400 | 1.00x |');
    expect(lines[3]).toBe('| 1 | zkts Mutex on Bun (Bun.connect) | 1 | 1100 | 1.10x | 1.10x | 0.50 | 1.20 | 360 | 0.90x |');
    expect(lines[4]).toBe('| 1 | zkts Mutex on Bun (node:net, Node-compat) | 1 | 1000 | 1.00x | - | 0.50 | 1.20 | 420 | 1.05x |');
    expect(renderMarkdown(sampleRuntimeReport(), undefined)).toContain('### By runtime');
    expect(renderMarkdown(sampleReport(), undefined)).not.toContain('### By runtime');
  });
});
