/**
 * The lock benchmark's plan (orchestrator.ts planCells): which cells run, how often, in what order.
 */
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../bench/lock/cli.js';
import { planCells } from '../../../bench/lock/orchestrator.js';
import type { PreparedImpl } from '../../../bench/lock/runners/registry.js';
import type { Implementation } from '../../../bench/lock/protocol.js';

const prepared = (impl: Implementation): PreparedImpl => ({ impl, version: 'test', command: () => [], dispose: () => undefined });
const ALL: Implementation[] = ['zkts-mutex', 'zkts-simple-lock', 'zkts-rwlock', 'nzc-recipe', 'curator', 'kazoo'];

describe('lock benchmark plan', () => {
  it('the default run: the goal implementations at hold 0 and 1, three repeats at N = 2, 16, 64; the others once at hold 0', () => {
    const cells = planCells(parseArgs([])!, ALL.map(prepared));
    const count = (impl: Implementation): number => cells.filter((c) => c.prepared.impl === impl).length;
    for (const impl of ['zkts-mutex', 'curator', 'nzc-recipe'] as const) expect(count(impl)).toBe(2 * (1 + 3 * 3));
    for (const impl of ['zkts-simple-lock', 'zkts-rwlock', 'kazoo'] as const) expect(count(impl)).toBe(4);
    expect(cells).toHaveLength(72);
    expect(cells.filter((c) => c.prepared.impl === 'kazoo').every((c) => c.holdMs === 0 && c.repeat === 0)).toBe(true);
    // Repeat by repeat: all of repeat 0 first, and within it (N, hold) groups with the order rotated.
    const firstRepeat1 = cells.findIndex((c) => c.repeat === 1);
    expect(cells.slice(firstRepeat1).every((c) => c.repeat >= 1)).toBe(true);
    const group = (n: number, hold: number, repeat: number): Implementation[] =>
      cells.filter((c) => c.n === n && c.holdMs === hold && c.repeat === repeat).map((c) => c.prepared.impl);
    expect(group(16, 0, 1)).not.toEqual(group(16, 0, 2));
    expect(new Set(group(16, 0, 1))).toEqual(new Set(['zkts-mutex', 'nzc-recipe', 'curator']));
  });

  it('--repeat k runs every cell of every implementation k times, at every hold', () => {
    const cells = planCells(parseArgs(['--repeat', '2', '--n', '2', '--hold', '0,1'])!, ALL.map(prepared));
    expect(cells).toHaveLength(ALL.length * 2 * 2);
  });

  it('--quick: N 1, 4, 16 at hold 0, once, two workers from N = 4', () => {
    const cells = planCells(parseArgs(['--quick'])!, ALL.map(prepared));
    expect(cells).toHaveLength(ALL.length * 3);
    expect(cells.every((c) => c.workers === (c.n >= 4 ? 2 : 1))).toBe(true);
  });
});
