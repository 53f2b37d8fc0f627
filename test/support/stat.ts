/** A Stat for scripted replies: every field zero (zxids at `zxid`), with the given overrides. */
import type { Stat } from '../../src/protocol/records/data.js';

export function statOf(overrides: Partial<Stat> = {}, zxid = 1n): Stat {
  return {
    czxid: zxid,
    mzxid: zxid,
    ctime: 0n,
    mtime: 0n,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    dataLength: 0,
    numChildren: 0,
    pzxid: zxid,
    ...overrides,
  };
}
