/**
 * The results page's tables (bench/results/README.md) come from stored result files
 * (bench/shared/results-page.ts): every table must equal what its file says, every file it names must be
 * there, and the rendering is checked on the synthetic report. bench/README.md itself quotes no figure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { annotateCells, evaluateGoals } from '../../../bench/lock/goals.js';
import { RESULTS_DIR, blocks, regenerate, renderTable } from '../../../bench/shared/results-page.js';
import { summarizeCells } from '../../../bench/lock/summary.js';
import { sampleReport } from '../../support/bench/report-fixture.js';

describe('results page tables', () => {
  const readme = readFileSync(join(RESULTS_DIR, 'README.md'), 'utf8');

  it('every table names a stored result file, and there is one of each kind', () => {
    const found = blocks(readme);
    expect(new Set(found.map((b) => b.kind))).toEqual(new Set(['cells', 'goals', 'floor', 'codec', 'pipeline', 'lease', 'faults', 'fault-list', 'shared']));
    for (const b of found) expect(existsSync(join(RESULTS_DIR, b.file)), b.file).toBe(true);
  });

  it('every table says what its file says (regenerate with npm run bench:readme)', () => {
    expect(regenerate(readme)).toBe(readme);
  });

  it('renders the summary rows of one hold time, filtered by implementation and N', () => {
    const r = sampleReport();
    annotateCells(r.cells, r.floor!.ceilingHandoffsPerS);
    r.summaries = summarizeCells(r.cells);
    r.goals = evaluateGoals(r);
    const table = renderTable(r, 'cells', new Map([['hold', '1'], ['impl', 'zkts-mutex,curator'], ['n', '16']]));
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^\| zkts-mutex \| 16 \| 3 \| 750 \[713-788\] \| 1\.50x \|/);
    expect(lines[3]).toMatch(/^\| curator \| 16 \| 3 \|/);
    expect(renderTable(r, 'goals', new Map())).toContain('| zkts Mutex handoffs/s >= 1.3x curator at N = 2, 16, 64 (hold 0 ms');
    expect(renderTable(r, 'floor', new Map())).toContain('| zkts v20.20.2 | delete → NodeDeleted | 0.60 | 4.60 | 1667 |');
  });

  it('bench/README.md (the method) quotes no measured figure: rates, ratios and per-request costs live on the results page', () => {
    const method = readFileSync(join(RESULTS_DIR, '..', 'README.md'), 'utf8');
    const figure = /\d+(?:\.\d+)?x\b|\d[\d,]* ?(?:req|handoffs|rec)\/s|\d ?(?:us|µs)\/(?:req|acq)|\d(?:\.\d+)? ?[Mk]\/s|\d ?MB\/s/;
    const quoted = method.split('\n').filter((line) => figure.test(line));
    expect(quoted).toEqual([]);
  });

  it('a table edited by hand no longer matches', () => {
    const r = sampleReport();
    r.summaries = summarizeCells(r.cells);
    const file = JSON.stringify(r);
    const doc = `x\n<!-- bench-table results/x.json cells hold=0 n=16 -->\nstale\n<!-- /bench-table -->\ny\n`;
    const fresh = regenerate(doc, () => file);
    expect(fresh).not.toBe(doc);
    expect(regenerate(fresh, () => file)).toBe(fresh);
    expect(regenerate(fresh.replace('1500', '1600'), () => file)).toBe(fresh);
  });
});
