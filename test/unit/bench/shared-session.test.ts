/**
 * The shared-session cells' figures (bench/lock/shared-session.ts) on synthetic cells: rows per
 * (implementation, P, M), per-repeat ratios against the best peer and the default Mutex, process shares
 * as fractions of an equal share, the goals of issue 15 (met, missed, not measured), the results page's
 * `shared` table, and the plan (P × M sessions over P processes, every cell sharing sessions).
 */
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../bench/lock/cli.js';
import type { Implementation } from '../../../bench/lock/protocol.js';
import type { CellResult } from '../../../bench/lock/report.js';
import type { PreparedImpl } from '../../../bench/lock/runners/registry.js';
import { type SharedReport, planShared, sharedGoals, sharedRows, sharedTable } from '../../../bench/lock/shared-session.js';
import { renderTable } from '../../../bench/shared/results-page.js';
import { cellOf } from '../../support/bench/report-fixture.js';

function cell(
  impl: Implementation,
  p: number,
  m: number,
  handoffsPerS: number,
  shares: number[],
  extra: Partial<CellResult> = {},
): CellResult {
  return {
    ...cellOf(impl === 'zkts-shared' ? 'zkts-mutex' : impl, p * m, 0, { repeat: 0 }),
    impl,
    workers: p,
    handoffsPerS,
    perWorkerAcquisitions: shares,
    fractionOfCeiling: handoffsPerS / 1000,
    ...extra,
  };
}

function report(
  cells: CellResult[],
  processes = [1, 4],
): Pick<SharedReport, 'rows' | 'settings' | 'floor' | 'violations' | 'implementations'> {
  return {
    rows: sharedRows(cells),
    settings: {
      processes,
      perProcess: [16],
      holdsMs: [0],
      repeats: 1,
      measureMs: 1000,
      sessionTimeoutMs: 10_000,
      warmup: '',
      sharedMutex: '',
    },
    floor: null,
    violations: cells.reduce((s, c) => s + c.violations, 0),
    implementations: (['zkts-shared', 'zkts-mutex', 'curator'] as Implementation[]).map((impl) => ({ impl, label: impl, version: '' })),
  };
}

describe('shared-session cells', () => {
  const good = [
    cell('zkts-shared', 1, 16, 12_000, [12_000]),
    cell('zkts-mutex', 1, 16, 900, [900]),
    cell('curator', 1, 16, 1000, [1000]),
    cell('zkts-shared', 4, 16, 4000, [1000, 900, 1100, 1000]),
    cell('zkts-mutex', 4, 16, 800, [200, 200, 200, 200]),
    cell('curator', 4, 16, 700, [175, 175, 175, 175]),
  ];

  it('rows carry P, M, ratios per repeat against the best peer and the default Mutex, and shares of an equal share', () => {
    const rows = sharedRows(good);
    const s1 = rows.find((r) => r.impl === 'zkts-shared' && r.processes === 1)!;
    expect(s1.perProcess).toBe(16);
    expect(s1.bestPeer).toBe('curator');
    expect(s1.ratioVsBestPeer!.median).toBe(12);
    expect(s1.ratioVsMutex!.median).toBeCloseTo(13.33, 2);
    const s4 = rows.find((r) => r.impl === 'zkts-shared' && r.processes === 4)!;
    expect(s4.minShare).toBe(0.9);
    expect(s4.maxShare).toBe(1.1);
    expect(rows.find((r) => r.impl === 'curator' && r.processes === 4)!.ratioVsBestPeer).toBeNull();
  });

  it('the goals: met, missed, and not measured', () => {
    const met = sharedGoals(report(good));
    expect(met.map((g) => g.met)).toEqual([true, true, true, true, true]);
    const unfair = good.map((c) =>
      c.impl === 'zkts-shared' && c.workers === 4 ? { ...c, handoffsPerS: 700, perWorkerAcquisitions: [3000, 100, 100, 800] } : c,
    );
    const missed = sharedGoals(report(unfair));
    expect(missed[2]!.met).toBe(false); // below the default Mutex's total
    expect(missed[3]!.met).toBe(false); // a process got a tenth of its share
    expect(missed[3]!.detail).toContain('0.10-3.00');
    const slow = good.map((c) => (c.impl === 'zkts-shared' && c.workers === 1 ? { ...c, handoffsPerS: 4000, fractionOfCeiling: 4 } : c));
    expect(
      sharedGoals(report(slow))
        .slice(0, 2)
        .map((g) => g.met),
    ).toEqual([false, false]);
    expect(
      sharedGoals(
        report(
          good.filter((c) => c.workers === 1),
          [1],
        ),
      )
        .slice(2, 4)
        .map((g) => g.met),
    ).toEqual([null, null]);
    const violated = sharedGoals(report([...good.slice(0, 5), { ...good[5]!, violations: 2 }]));
    expect(violated[4]!.met).toBe(false);
  });

  it('the results page renders the rows as the shared table', () => {
    const r = {
      ...report(good),
      command: 'npm run bench -- --shared-session',
      machine: { cpus: 2, cpuModel: 'x', memoryGb: 1, os: 'Linux', node: 'v20', loadBefore: 1, loadAfter: 2 },
    };
    const table = renderTable(r, 'shared', new Map());
    expect(table).toContain('`npm run bench -- --shared-session`');
    expect(table).toContain(sharedTable(r));
    expect(table).toMatch(/\| zkts-shared \| 1 \| 16 \| 1 \| 12000 \| 12\.00x \| 13\.33x \| 12\.00x \|/);
    expect(table).toMatch(/\| zkts-shared \| 4 \| 16 \| 1 \| 4000 \| 5\.71x \| 5\.00x \|.* \| 0\.90-1\.10 \| 0 \|/);
  });

  it('the plan: P x M contenders over P processes, every cell sharing sessions, implementations rotated', () => {
    const opts = parseArgs(['--shared-session', '--processes', '1,2', '--per-process', '8'])!;
    expect(opts.sharedSession).toEqual({ processes: [1, 2], perProcess: [8], repeats: 1 });
    expect(opts.holds).toEqual([0]);
    const ready = (['zkts-shared', 'curator'] as Implementation[]).map((impl) => ({ impl }) as PreparedImpl);
    const plan = planShared(opts, ready);
    expect(plan.map((c) => [c.prepared.impl, c.n, c.workers, c.shareSession])).toEqual([
      ['zkts-shared', 8, 1, true],
      ['curator', 8, 1, true],
      ['curator', 16, 2, true],
      ['zkts-shared', 16, 2, true],
    ]);
    expect(() => parseArgs(['--processes', '2'])).toThrow(/--shared-session/);
    expect(() => parseArgs(['--shared-session', '--n', '4'])).toThrow(/--n/);
  });
});
