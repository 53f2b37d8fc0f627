/**
 * Contender names (src/recipes/internal/lock-name.ts): Curator's protected names, the server's `%010d`
 * sequence suffix including the signed 32-bit wrap, serial-number ordering across the wrap, and which
 * children count as contenders (CURATOR-43: anything else in the lock path must be ignored).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROTECTED_PREFIX, compareSeq, parseContender, protectedPrefix, sortContenders } from '../../../src/recipes/internal/lock-name.js';
import { curatorName as contenderName, javaSeq } from '../../support/recipes/contender-names.js';

const LOCK = ['lock-'] as const;
const UUID = '3f2a1c4e-9b7d-4e21-8c3a-0d5e6f7a8b9c';

/** A Curator InterProcessMutex child name for sequence `n`. */
function curatorName(n: number, uuid = UUID): string {
  return contenderName(n, uuid);
}

describe('lock-name - protected prefix', () => {
  it('lock-name - protectedPrefix is _c_<uuid>- and fresh per call', () => {
    const a = protectedPrefix();
    const b = protectedPrefix();
    expect(a.startsWith(PROTECTED_PREFIX)).toBe(true);
    expect(a).toMatch(/^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-$/);
    expect(b).not.toBe(a);
  });
});

describe('lock-name - parseContender', () => {
  it('lock-name - a Curator name parses to its lock name and sequence', () => {
    expect(parseContender(curatorName(42), LOCK)).toEqual({ name: curatorName(42), lockName: 'lock-', seq: 42 });
    expect(parseContender('_c_x-lock-0000000000', LOCK)?.seq).toBe(0);
    expect(parseContender('lock-2147483647', LOCK)?.seq).toBe(2147483647);
  });

  it('lock-name - suffixes past the 2^31 wrap parse as negative numbers', () => {
    // What the server writes after 2147483647: -2147483648 (11 characters), ..., -1000000000, -999999999
    // (sign plus 9 digits, the 10-character %010d width), ..., -000000001, then 0000000000 again.
    expect(javaSeq(-2147483648)).toBe('-2147483648');
    expect(javaSeq(-1)).toBe('-000000001');
    for (const n of [-2147483648, -2147483647, -1000000000, -999999999, -123456789, -10, -1]) {
      expect(parseContender(curatorName(n), LOCK)?.seq, javaSeq(n)).toBe(n);
    }
  });

  it('lock-name - any int32 written as the server writes it round-trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), (n) => {
        expect(parseContender(curatorName(n), LOCK)?.seq).toBe(n);
      }),
    );
  });

  it('lock-name - foreign children are not contenders', () => {
    for (const name of [
      'leases', // a sub-node in the lock path (CURATOR-43)
      'lock-', // no suffix
      'lock-123', // too short
      'lock-00000000001', // too long
      'lock-000000000a',
      'lock-+000000001',
      'lock-2147483648', // beyond int32
      'lock--2147483649',
      `_c_${UUID}-__READ__0000000001`, // another lock name (Curator's read lock)
      `_c_${UUID}-lock-0000000001-extra`,
      '__lock__0000000001', // kazoo's name
      'x-72057594037927936-0000000001', // ZooKeeper's WriteLock recipe
    ]) {
      expect(parseContender(name, LOCK), name).toBeUndefined();
    }
  });

  it('lock-name - several lock names: each child carries the one it ends with', () => {
    const names = ['__READ__', '__WRIT__'];
    expect(parseContender(`_c_${UUID}-__READ__0000000003`, names)).toMatchObject({ lockName: '__READ__', seq: 3 });
    expect(parseContender(`_c_${UUID}-__WRIT__0000000004`, names)).toMatchObject({ lockName: '__WRIT__', seq: 4 });
    expect(parseContender(`_c_${UUID}-lock-0000000004`, names)).toBeUndefined();
  });
});

describe('lock-name - compareSeq', () => {
  it('lock-name - ordinary numbers compare by value', () => {
    expect(compareSeq(1, 2)).toBeLessThan(0);
    expect(compareSeq(2, 1)).toBeGreaterThan(0);
    expect(compareSeq(7, 7)).toBe(0);
    expect(compareSeq(-5, -4)).toBeLessThan(0);
  });

  it('lock-name - -2147483648 comes after 2147483647 (serial arithmetic across the wrap)', () => {
    expect(compareSeq(2147483647, -2147483648)).toBeLessThan(0);
    expect(compareSeq(-2147483648, 2147483647)).toBeGreaterThan(0);
    expect(compareSeq(2147483600, -2147483600)).toBeLessThan(0);
    // The end of the negative range runs into 0 again.
    expect(compareSeq(-1, 0)).toBeLessThan(0);
    expect(compareSeq(-2147483648, -1)).toBeLessThan(0);
  });

  it('lock-name - within 2^31 of each other, order follows creation order', () => {
    fc.assert(
      fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.integer({ min: 1, max: 0x7fffffff }), (a, d) => {
        const b = (a + d) | 0; // created d creations after a, wrapping like the server's int32 cversion
        expect(compareSeq(a, b)).toBeLessThan(0);
        expect(compareSeq(b, a)).toBeGreaterThan(0);
      }),
    );
  });
});

describe('lock-name - sortContenders', () => {
  it('lock-name - Curator names sort oldest first by sequence, not by uuid or string', () => {
    const children = [curatorName(10, 'ffff'), curatorName(9, 'aaaa'), curatorName(100, '0000'), curatorName(11, 'bbbb')];
    expect(sortContenders(children, LOCK).map((c) => c.seq)).toEqual([9, 10, 11, 100]);
  });

  it('lock-name - a queue straddling the wrap keeps creation order', () => {
    const seqs = [2147483645, 2147483646, 2147483647, -2147483648, -2147483647];
    const shuffled = [seqs[3]!, seqs[0]!, seqs[4]!, seqs[2]!, seqs[1]!].map((n) => curatorName(n));
    expect(sortContenders(shuffled, LOCK).map((c) => c.seq)).toEqual(seqs);
    // A string sort (Curator, kazoo) would put every '-…' name first.
    expect([...shuffled].sort()[0]).toBe(curatorName(-2147483647));
  });

  it('lock-name - the last negative numbers before the counter returns to 0 sort before 0', () => {
    const children = [curatorName(1), curatorName(-1), curatorName(0), curatorName(-2)];
    expect(sortContenders(children, LOCK).map((c) => c.seq)).toEqual([-2, -1, 0, 1]);
  });

  it('lock-name - foreign children are left out of the listing', () => {
    const children = ['leases', curatorName(5), `_c_${UUID}-__READ__0000000001`, '__lock__0000000002', curatorName(3), 'lock-12'];
    expect(sortContenders(children, LOCK).map((c) => c.name)).toEqual([curatorName(3), curatorName(5)]);
    expect(sortContenders([], LOCK)).toEqual([]);
  });
});
