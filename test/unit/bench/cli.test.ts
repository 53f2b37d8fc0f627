/** The lock benchmark's command line (bench/lock/cli.ts): defaults, values, and refusals. */
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../bench/lock/cli.js';

describe('bench cli', () => {
  it('cli - the defaults: a standalone server with fsync, N 1 to 64, hold 0 and 1 ms, every implementation', () => {
    const o = parseArgs([])!;
    expect(o).toMatchObject({
      connect: undefined,
      ensemble: 1,
      forceSync: true,
      rttMs: 0,
      ns: [1, 2, 16, 64],
      holds: [0, 1],
      otherHolds: [0],
    });
    expect(o.impls).toContain('zkts-mutex');
    expect(o.impls).toContain('curator');
    // The goal cells (N = 2, 16, 64) three times, the rest once.
    expect([...o.repeats.entries()]).toEqual([
      [1, 1],
      [2, 3],
      [16, 3],
      [64, 3],
    ]);
  });

  it('cli - --hold or --repeat make every implementation run every hold time', () => {
    expect(parseArgs(['--hold', '0,1'])!.otherHolds).toEqual([0, 1]);
    expect(parseArgs(['--repeat', '2'])!).toMatchObject({ otherHolds: [0, 1] });
    expect([...parseArgs(['--repeat', '2'])!.repeats.values()]).toEqual([2, 2, 2, 2]);
  });

  it('cli - --force-sync no, --rtt 2ms, --n and --impl lists (sorted, without repeats)', () => {
    const o = parseArgs(['--force-sync', 'no', '--rtt=2ms', '--n', '64,2,2', '--impl', 'zkts-mutex,curator'])!;
    expect(o).toMatchObject({ forceSync: false, rttMs: 2, ns: [2, 64], impls: ['zkts-mutex', 'curator'] });
  });

  it('cli - refuses what it cannot honour, naming the option', () => {
    expect(() => parseArgs(['--force-sync', 'maybe'])).toThrow('--force-sync: yes or no');
    expect(() => parseArgs(['--force-sync', 'no', '--connect', 'zk1:2181'])).toThrow('--force-sync applies to servers the run starts');
    expect(() => parseArgs(['--impl', 'etcd'])).toThrow('--impl: unknown implementation etcd');
    expect(() => parseArgs(['--colour', 'red'])).toThrow('unknown option --colour');
    expect(parseArgs(['--help'])).toBeNull();
  });

  it('cli - --faults: an ensemble of 3 this run starts, the four lock implementations, a 4 s session timeout', () => {
    const o = parseArgs(['--ensemble', '3', '--faults'])!;
    expect(o).toMatchObject({
      faults: 'full',
      ensemble: 3,
      sessionTimeoutMs: 4000,
      impls: ['zkts-mutex', 'curator', 'nzc-recipe', 'kazoo'],
    });
    expect(parseArgs(['--ensemble=3', '--faults-quick', '--impl', 'zkts-mutex'])).toMatchObject({ faults: 'quick', impls: ['zkts-mutex'] });
    expect(parseArgs([])!.faults).toBeUndefined();
    expect(parseArgs([])!.sessionTimeoutMs).toBe(10_000);
  });

  it('cli - --faults refuses --connect, another ensemble size, and the options of the usual cells', () => {
    expect(() => parseArgs(['--faults', '--connect', 'zk1:2181'])).toThrow(
      '--faults kills, pauses and isolates servers, so it needs servers this run starts',
    );
    expect(() => parseArgs(['--faults'])).toThrow('--faults needs a run-started ensemble of 3 (--ensemble 3)');
    expect(() => parseArgs(['--faults', '--ensemble', '1'])).toThrow('--faults needs a run-started ensemble of 3');
    expect(() => parseArgs(['--faults-quick', '--ensemble', '5'])).toThrow('--faults-quick needs a run-started ensemble of 3');
    expect(() => parseArgs(['--faults', '--ensemble', '3', '--n', '4'])).toThrow('--n does not apply');
    expect(() => parseArgs(['--faults', '--ensemble', '3', '--quick'])).toThrow('--quick does not apply');
  });

  it('cli - --runtime: zkts Mutex on Node and each runtime, native and Node-compat; N 1, 16, 64, hold 0, 5 repeats each', () => {
    const o = parseArgs(['--runtime', 'deno,bun', '--save-as', 'lock-runtimes'])!;
    expect(o).toMatchObject({ runtimes: ['deno', 'bun'], ns: [1, 16, 64], holds: [0], repeatAll: true, saveAs: 'lock-runtimes' });
    expect(o.impls).toEqual(['zkts-mutex@node', 'zkts-mutex@deno', 'zkts-mutex@deno:node', 'zkts-mutex@bun', 'zkts-mutex@bun:node']);
    expect([...o.repeats.values()]).toEqual([5, 5, 5]);
    expect(parseArgs(['--runtime', 'node', '--quick'])!).toMatchObject({ impls: ['zkts-mutex@node'], ns: [1, 16, 64] });
  });

  it('cli - --runtime refuses an unknown runtime, --impl and --faults; --save-as takes a bare name', () => {
    expect(() => parseArgs(['--runtime', 'bun,workerd'])).toThrow('--runtime: unknown runtime workerd');
    expect(() => parseArgs(['--runtime', 'bun', '--impl', 'curator'])).toThrow('not with --impl or --faults');
    expect(() => parseArgs(['--runtime', 'bun', '--ensemble', '3', '--faults'])).toThrow('not with --impl or --faults');
    expect(() => parseArgs(['--save-as', '../x'])).toThrow('--save-as: a file name without a folder');
  });
});
