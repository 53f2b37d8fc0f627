/**
 * The results page's tables (bench/results/README.md) come from stored result files
 * (bench/shared/results-page.ts): every table must equal what its file says, every file it names must be
 * there, and the rendering is checked on the synthetic report. bench/README.md itself quotes no figure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { annotateCells, evaluateGoals } from '../../../bench/lock/goals.js';
import { METHOD_PAGE, RESULTS_DIR, blocks, regenerate, renderTable } from '../../../bench/shared/results-page.js';
import { summarizeCells } from '../../../bench/lock/summary.js';
import type { Report as PipelineReport } from '../../../bench/pipeline/main.js';
import { sampleReport, sampleRuntimeReport } from '../../support/bench/report-fixture.js';

/** A --runtime pipeline report: Node, and Bun and Deno each native and Node-compat, on both workloads. */
function pipelineRuntimeReport(): PipelineReport {
  const cell = (opsPerSec: number, cpuUsPerOp: number) => ({
    opsPerSec,
    cpuUsPerOp,
    serverCpuUsPerOp: 50,
    rounds: [{ opsPerSec, cpuUsPerOp }],
  });
  const figures = {
    'zkts@node': cell(20_000, 20),
    'zkts@bun': cell(22_000, 18),
    'zkts@bun:node': cell(21_000, 22),
    'zkts@deno': cell(18_000, 25),
    'zkts@deno:node': cell(19_000, 23),
  } as const;
  const ratios = Object.fromEntries(
    (['node', 'bun', 'bun:node', 'deno', 'deno:node'] as const).map((v) => {
      const c = figures[`zkts@${v}`];
      const compat = v === 'bun' || v === 'deno' ? figures[`zkts@${v}:node`] : undefined;
      return [
        v,
        {
          opsVsNode: c.opsPerSec / 20_000,
          cpuVsNode: c.cpuUsPerOp / 20,
          opsVsCompat: compat === undefined ? null : c.opsPerSec / compat.opsPerSec,
          cpuVsCompat: compat === undefined ? null : c.cpuUsPerOp / compat.cpuUsPerOp,
        },
      ];
    }),
  );
  return {
    machine: { nproc: 2, cpu: 'AMD EPYC', node: 'v20.20.2', java: undefined, load1: [1, 2], baselineMs: 100 },
    server: 'standalone',
    command: 'npx tsx bench/pipeline/main.ts --runtime node,bun,deno',
    task: { gets: 1, getWarmup: 1, pairs: 1, pairWarmup: 1, window: 1, rounds: 1 },
    skipped: [],
    runs: [],
    cells: { getData: figures, createDelete: figures },
    ratios: {},
    runtimes: {
      versions: { node: 'Node v20.20.2', bun: 'Bun 1.4.5', deno: 'Deno 2.9.6' },
      variants: ['node', 'bun', 'bun:node', 'deno', 'deno:node'],
      ratios: { getData: ratios, createDelete: ratios },
    },
    elapsedS: 1,
  };
}

describe('results page tables', () => {
  const readme = readFileSync(join(RESULTS_DIR, 'README.md'), 'utf8');

  it('every table names a stored result file, and there is one of each kind', () => {
    const found = blocks(readme);
    expect(new Set(found.map((b) => b.kind))).toEqual(
      new Set([
        'cells',
        'goals',
        'floor',
        'codec',
        'pipeline',
        'lease',
        'faults',
        'fault-list',
        'shared',
        'pipeline-runtimes',
        'lock-runtimes',
      ]),
    );
    for (const b of found) expect(existsSync(join(RESULTS_DIR, b.file)), b.file).toBe(true);
  });

  it('every table says what its file says (regenerate with npm run bench:readme)', () => {
    expect(regenerate(readme)).toBe(readme);
  });

  it("bench/README.md's runtime verdicts name stored files and say what they say", () => {
    const method = readFileSync(METHOD_PAGE, 'utf8');
    const found = blocks(method);
    expect(found).toEqual([
      { file: 'pipeline-runtimes.json', kind: 'runtime-verdicts' },
      { file: 'lock-runtimes.json', kind: 'runtime-verdicts' },
    ]);
    for (const b of found) expect(existsSync(join(RESULTS_DIR, b.file)), b.file).toBe(true);
    expect(regenerate(method)).toBe(method);
  });

  it('renders a --runtime run: figures against Node and the Node-compat path, and verdicts without figures', () => {
    const pipeline = renderTable(pipelineRuntimeReport(), 'pipeline-runtimes', new Map()).split('\n');
    expect(pipeline).toContain(
      '| getData, 100 B, window 1,000 | zkts on Bun 1.4.5, Bun.connect | 22,000 | 18.0 | 1.10x | 0.90x | 22,000 |',
    );
    expect(pipeline).toContain('| create+delete, window 1,000 pairs | Deno 2.9.6 | 0.95 (missed) | 1.25 (missed) |');
    expect(renderTable(pipelineRuntimeReport(), 'runtime-verdicts', new Map()).split('\n').slice(2)).toEqual([
      '| Bun 1.4.5 (pipeline) | met | met |',
      '| Deno 2.9.6 (pipeline) | missed (getData, createDelete) | missed (getData, createDelete) |',
    ]);
    const lock = sampleRuntimeReport();
    lock.goals = evaluateGoals(lock);
    expect(renderTable(lock, 'lock-runtimes', new Map())).toContain('| 64 | zkts Mutex on Deno (Deno.connect) | 1 | 900 | 0.90x | 0.95x |');
    expect(renderTable(lock, 'runtime-verdicts', new Map()).split('\n').slice(2)).toEqual([
      '| Bun 1.4.5 (lock hand-offs) | met | met |',
      '| Deno 2.9.6 (lock hand-offs) | missed (N = 64) | missed (N = 1, N = 16, N = 64) |',
    ]);
  });

  it('a verdict follows the goal, not the rounded ratio: 799 vs 801 prints 1.00x and still misses >= 1', () => {
    const goal = (what: string, met: boolean, detail: string) => ({ goal: `zkts Mutex on Deno 2.9.6: ${what}`, met, detail });
    const report = {
      goals: [
        goal('native at least as fast', false, 'N=1: 1.02x (736 vs 719 handoffs/s); N=16: 1.00x (799 vs 801 handoffs/s)'),
        goal('client CPU', true, 'N=1: 1.14x (429 vs 376 us/acq); N=16: 1.16x (819 vs 704 us/acq)'),
      ],
    };
    expect(renderTable(report, 'runtime-verdicts', new Map()).split('\n').slice(2)).toEqual([
      '| Deno 2.9.6 (lock hand-offs) | missed (N = 16) | met |',
    ]);
  });

  it('renders the summary rows of one hold time, filtered by implementation and N', () => {
    const r = sampleReport();
    annotateCells(r.cells, r.floor!.ceilingHandoffsPerS);
    r.summaries = summarizeCells(r.cells);
    r.goals = evaluateGoals(r);
    const table = renderTable(
      r,
      'cells',
      new Map([
        ['hold', '1'],
        ['impl', 'zkts-mutex,curator'],
        ['n', '16'],
      ]),
    );
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
