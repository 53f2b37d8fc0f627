/**
 * A fault run's figures, goals, tables, Markdown, chart and files (bench/lock/faults): built from
 * synthetic cell outcomes (test/support/bench/faults-fixture.ts) through the same code a run uses.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { faultBands, faultsChart } from '../../../bench/lock/faults/chart.js';
import { faultFigures } from '../../../bench/lock/faults/figures.js';
import { evaluateFaultGoals } from '../../../bench/lock/faults/goals.js';
import { renderFaultsMarkdown, writeFaultsResults } from '../../../bench/lock/faults/results.js';
import { faultsText } from '../../../bench/lock/faults/tables.js';
import { LABELS } from '../../../bench/lock/runners/registry.js';
import { escapeXml, renderChart } from '../../../bench/lock/svg-chart.js';
import { FAULTS, QUICK, outcome, sampleFaultsReport } from '../../support/bench/faults-fixture.js';
import { wellFormed } from '../../support/bench/well-formed-xml.js';

describe('faults report - figures of one implementation', () => {
  const r = faultFigures(outcome('zkts-mutex', 500, []));

  it('rates and gaps per fault, from the store timeline', () => {
    expect(r.status).toBe('ok');
    expect(r.windowMs).toBe(QUICK.windowMs);
    const [kill, cut] = r.faults;
    expect(kill).toMatchObject({ kind: 'leader-kill', target: 'member 3', firstHandoffAfterMs: 500, longestGapMs: 500 });
    expect(kill!.beforePerS).toBeCloseTo(200);
    expect(cut!.beforePerS).toBeCloseTo(200); // 3.5-5.5 s
    expect(cut!.duringPerS).toBeCloseTo(50); // only 10-11.5 s of 5.5-11.5 s
    expect(cut!.afterPerS).toBeCloseTo(200);
    expect(cut!.firstHandoffAfterMs).toBe(4500);
    expect(r.gapAfterLeaderKillMs).toBe(500);
    expect(r.electionMs).toBe(400); // of the 500 ms, until the new leader was seen
    expect(r.recoveryAfterLeaderKillMs).toBe(500);
    expect(cut!.recoveryMs).toBe(4500);
    expect(r.longestGap).toEqual({ ms: 4505, atMs: 5495 });
    expect(r.timeline.bucketMs).toBe(100);
    expect(r.timeline.counts).toHaveLength(QUICK.windowMs / 100);
    expect(r.timeline.counts[0]).toBe(20);
    expect(r.handoffs).toBe(r.timeline.counts.reduce((s, c) => s + c, 0));
  });

  it('errors, replaced sessions and orphans; per-worker counters summed, the rest kept', () => {
    expect(r.acquisitions).toBe(100);
    expect(r.errors).toBe(4);
    expect(r.sessionsReplaced).toBe(4);
    expect(r.notes['sessionsReplaced']).toBe('4');
    expect(r.notes['library']).toBe('zkts-mutex');
    expect(r.orphans).toBe(0);
    expect(r.violations).toBe(0);
    expect(r.latencyUs!.p50).toBe(4000);
  });

  it('applies the same violation checks as every cell: the store counts and the recorded holds', () => {
    const o = outcome('zkts-mutex', 500, []);
    o.results[1]!.holds.push(['1000', 'w', 1_000_000, 2_000_000]); // overlaps every earlier hold
    o.store = { enters: 1, overlaps: 1, stale: 2, examples: ['x entered while y was inside'] };
    const v = faultFigures(o);
    expect(v.storeOverlaps).toBe(1);
    expect(v.staleWrites).toBe(2);
    expect(v.timestampViolations).toBeGreaterThan(0);
    expect(v.violations).toBe(3 + v.timestampViolations);
    expect(v.violationExamples[0]).toBe('x entered while y was inside');
  });

  it('the gap after a leader kill skips a hand-off the old leader granted, and recovery needs more than one', () => {
    const o = outcome('zkts-mutex', 500, []);
    // One granted just before the kill enters 10 ms after it; one trickles through at 2.5 s, then the
    // lock stalls until 3.4 s.
    o.timeline = [...o.timeline.filter((t) => t < 2000), 2010, 2500, ...o.timeline.filter((t) => t >= 3400)];
    const f = faultFigures(o);
    expect(f.faults[0]!.firstHandoffAfterMs).toBe(10);
    expect(f.gapAfterLeaderKillMs).toBe(500);
    expect(f.recoveryAfterLeaderKillMs).toBe(1400);
  });

  it('a lock that never handed off again after the kill has neither figure', () => {
    const o = outcome('zkts-mutex', 500, []);
    o.timeline = o.timeline.filter((t) => t < 2000);
    const f = faultFigures(o);
    expect(f.gapAfterLeaderKillMs).toBeNull();
    expect(f.recoveryAfterLeaderKillMs).toBeNull();
    expect(f.faults[0]!.longestGapMs).toBe(3500); // from the kill to the end of the quiet phase after it
  });

  it('a cell that broke off: its error, the store figures, and no runner figures', () => {
    const o = { ...outcome('nzc-recipe', 500, null), results: [], error: 'no DONE within 46000 ms' };
    const f = faultFigures(o);
    expect(f).toMatchObject({
      status: 'failed',
      error: 'no DONE within 46000 ms',
      errors: null,
      sessionsReplaced: null,
      orphans: null,
      acquisitions: 0,
    });
    expect(f.handoffs).toBeGreaterThan(0);
    expect(f.faults).toHaveLength(2);
  });
});

describe('faults report - goals', () => {
  it('zkts Mutex: no violations, no orphans, and the shortest outage after the leader kill', () => {
    const goals = sampleFaultsReport().goals;
    expect(goals.map((g) => g.met)).toEqual([true, true, true]);
    expect(goals[2]!.detail).toBe('zkts-mutex 0.50 s (half rate after 0.50 s); curator 1.50 s (half rate after 1.50 s)');
  });

  it('not met when another implementation recovers sooner or zkts leaves an orphan; not measured without it', () => {
    const slower = [faultFigures(outcome('zkts-mutex', 2000, ['_c_a-lock-1'])), faultFigures(outcome('kazoo', 300, []))];
    const goals = evaluateFaultGoals(slower);
    expect(goals[1]).toMatchObject({ met: false, detail: '0 violations, 1 orphans' });
    expect(goals[2]!.met).toBe(false);
    expect(
      evaluateFaultGoals([faultFigures(outcome('kazoo', 300, []))])
        .slice(1)
        .map((g) => g.met),
    ).toEqual([null, null]);
  });
});

describe('faults report - tables and Markdown', () => {
  const report = sampleFaultsReport();

  it('the terminal tables: one row per implementation, one per implementation and fault, orphans named', () => {
    const text = faultsText(report);
    expect(text).toMatch(/^implementation\s+status\s+handoffs\/s/);
    expect(text).toMatch(/\nzkts-mutex\s+ok\s+\d+/);
    expect(text).toMatch(/\ncurator\s+leader kill -9\s+member 3\s+2\.00\s+3\.50\s+200\s+\d+\s+\d+\s+1\.50\s+1\.50/);
    expect(text).toContain('curator: orphan nodes at DONE: _c_x-lock-0000000042');
  });

  it('a runner result that never came shows as ?, not 0', () => {
    const failed = { ...report, results: [faultFigures({ ...outcome('nzc-recipe', 500, null), results: [], error: 'no DONE' })] };
    const row = faultsText(failed).split('\n')[1]!;
    expect(row).toMatch(/^nzc-recipe\s+FAILED/);
    expect(row).toMatch(/\?\s+\?\s+\?\s+0$/);
  });

  it('the Markdown: settings, goals, both tables, the fault details and the chart', () => {
    const md = renderFaultsMarkdown(report, 'faults-x-handoffs.svg');
    expect(md).toContain('# Lock benchmark under faults, 2026-12-06 21:00:00 UTC');
    expect(md).toContain('Schedule (quick): 2000 ms quiet, then leader kill -9, 2000 ms, worker 1 cut off, 2000 ms');
    expect(md).toContain('| zkts Mutex: the shortest gap after the leader kill');
    expect(md).toMatch(/\| zkts-mutex \| ok \| \d+ \|/);
    expect(md).toContain('| curator | worker 1 cut off | worker 1 | 5.50 | 11.50 |');
    expect(md).toContain('- zkts-mutex, leader kill -9 (member 3): member 1 led after 0.4 s.');
    expect(md).toContain('- `kazoo`: skipped, not installed');
    expect(md).toContain('![handoffs/s over time, faults shaded](faults-x-handoffs.svg)');
    expect(md).toContain('Mutual-exclusion violations: 0.');
  });
});

describe('faults report - chart', () => {
  it('is one well-formed SVG with a line per implementation and a shaded band per fault', () => {
    const svg = faultsChart(sampleFaultsReport());
    expect(wellFormed(svg)[0]).toBe('svg');
    for (const impl of ['zkts-mutex', 'curator'] as const) {
      expect(svg.match(new RegExp(`<g class="series" data-label="${escapeXml(LABELS[impl])}"`, 'g'))).toHaveLength(1);
    }
    expect(svg.match(/<g class="band"/g)).toHaveLength(2);
    expect(svg).toContain('<g class="band" data-label="leader kill -9">');
    expect(svg).toContain('>seconds since GO');
    expect(svg).not.toMatch(/NaN|Infinity|<circle/);
    // 260 buckets, one point each.
    const line = svg.split('<g class="series" data-label="zkts Mutex">')[1]!.split('</g>')[0]!;
    expect(line.match(/points="([^"]*)"/)![1]!.split(' ')).toHaveLength(QUICK.windowMs / 100);
  });

  it('a fault band runs from its earliest start to its latest end over the implementations', () => {
    const a = faultFigures(outcome('zkts-mutex', 500, []));
    const b = faultFigures({
      ...outcome('kazoo', 500, []),
      faults: FAULTS.map((f) => ({ ...f, startMs: f.startMs + 100, endMs: f.endMs + 700 })),
    });
    expect(faultBands({ results: [a, b] })).toEqual([
      { from: 2, to: 4.2, label: 'leader kill -9' },
      { from: 5.5, to: 12.2, label: 'worker 1 cut off' },
    ]);
  });

  it('renderChart draws bands under the series, clamped to the panel, labels escaped', () => {
    const svg = renderChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      xScale: 'linear',
      yScale: 'linear',
      panels: [
        {
          title: 'p',
          series: [
            {
              label: 's',
              color: '#000000',
              markers: false,
              points: [
                { x: 0, y: 1 },
                { x: 10, y: 2 },
              ],
            },
          ],
        },
      ],
      bands: [
        { from: 2, to: 4, label: 'a & b' },
        { from: 8, to: 99, label: 'late' },
      ],
    });
    wellFormed(svg);
    expect(svg.indexOf('<g class="band"')).toBeLessThan(svg.indexOf('<g class="series"'));
    expect(svg).toContain('data-label="a &amp; b"');
    const rects = [...svg.matchAll(/<g class="band"[^>]*>\n<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    expect(rects).toHaveLength(2);
    // The second band stops at the panel's right edge (x 0-10 over a 440 px panel: 64 to 422).
    expect(rects[1]![0]! + rects[1]![1]!).toBeCloseTo(422, 0);
  });
});

describe('faults report - files', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('writes faults-<timestamp>.json, .md and -handoffs.svg; only the JSON with jsonOnly', () => {
    dir = mkdtempSync(join(tmpdir(), 'zkts-faults-results-'));
    const report = sampleFaultsReport();
    const written = writeFaultsResults(report, dir, { jsonOnly: false });
    expect(readdirSync(dir).sort()).toEqual([
      'faults-2026-12-06T21-00-00Z-handoffs.svg',
      'faults-2026-12-06T21-00-00Z.json',
      'faults-2026-12-06T21-00-00Z.md',
    ]);
    expect(JSON.parse(readFileSync(written.json, 'utf8'))).toEqual(report);
    expect(readFileSync(written.md!, 'utf8')).toContain('(faults-2026-12-06T21-00-00Z-handoffs.svg)');
    const only = mkdtempSync(join(tmpdir(), 'zkts-faults-json-'));
    try {
      writeFaultsResults(report, only, { jsonOnly: true });
      expect(readdirSync(only)).toEqual(['faults-2026-12-06T21-00-00Z.json']);
    } finally {
      rmSync(only, { recursive: true, force: true });
    }
  });
});
