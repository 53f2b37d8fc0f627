/** The lock benchmark's command line (bench/lock/cli.ts): defaults, values, and refusals. */
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../bench/lock/cli.js';

describe('bench cli', () => {
  it('cli - the defaults: a standalone server with fsync, N 1 to 64, hold 0 and 1 ms, every implementation', () => {
    const o = parseArgs([])!;
    expect(o).toMatchObject({ connect: undefined, ensemble: 1, forceSync: true, rttMs: 0, ns: [1, 2, 4, 16, 64], holds: [0, 1] });
    expect(o.impls).toContain('zkts-mutex');
    expect(o.impls).toContain('curator');
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
});
