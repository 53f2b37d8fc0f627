/**
 * Every session timer comes from one function of the session timeout T (as in ClientCnxn): read timeout
 * 2/3 T, ping after 1/3 T idle, connect timeout T / hosts (at least 1 s), client-side expiry after 4/3 T (ZOOKEEPER-4508).
 */
import { describe, expect, it } from 'vitest';
import { backoffDelay, deriveTimeouts } from '../../../src/session/timeouts.js';

describe('session timeouts', () => {
  it('timeouts - derived from T and the number of hosts', () => {
    expect(deriveTimeouts(30_000, 3)).toEqual({
      readTimeout: 20_000,
      pingInterval: 10_000,
      connectTimeout: 10_000,
      expiryTimeout: 40_000,
    });
  });

  it('timeouts - fractions round down to whole milliseconds', () => {
    const t = deriveTimeouts(4000, 3);
    expect(t.readTimeout).toBe(2666);
    expect(t.pingInterval).toBe(1333);
    expect(t.connectTimeout).toBe(1333);
  });

  it('timeouts - the ping always comes before the read timeout, which comes before expiry', () => {
    for (const t of [1, 2, 3, 100, 4000, 40_000, 2 ** 31 - 1]) {
      const d = deriveTimeouts(t, 1);
      expect(d.pingInterval).toBeLessThan(d.readTimeout + 1);
      expect(d.readTimeout).toBeLessThan(d.expiryTimeout);
    }
  });

  it('timeouts - the per-host connect timeout never drops below 1 s', () => {
    expect(deriveTimeouts(4000, 10).connectTimeout).toBe(1000);
    expect(deriveTimeouts(4000, 0).connectTimeout).toBe(4000);
  });

  it('timeouts - an explicit connect timeout wins', () => {
    expect(deriveTimeouts(30_000, 3, 250).connectTimeout).toBe(250);
  });

  it('timeouts - a non-positive session timeout is treated as 1 ms, not as a zero or negative timer', () => {
    const d = deriveTimeouts(0, 1);
    expect(d.expiryTimeout).toBe(1);
    expect(d.readTimeout).toBeGreaterThanOrEqual(0);
  });

  it('backoff - grows with failed passes, capped, and jitter spans [0, cap)', () => {
    const top = (passes: number): number => backoffDelay(passes, () => 0.999_999);
    expect(backoffDelay(1, () => 0)).toBe(0);
    expect(top(1)).toBe(49);
    expect(top(2)).toBe(99);
    expect(top(3)).toBe(199);
    expect(top(4)).toBe(399);
    expect(top(5)).toBe(499);
    expect(top(1000)).toBe(499);
  });
});
