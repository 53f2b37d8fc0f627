/**
 * SessionValidity (src/session/validity.ts): which answers prove what about the leader's view of the
 * session. T = 10 s, so π (the bound on the leader's PING period) = 3 s.
 */
import { describe, expect, it } from 'vitest';
import { DRIFT, SessionValidity } from '../../../src/session/validity.js';

const T = 10_000;
const PI = 3_000;
const until = (sentAt: number): number => sentAt + T * (1 - 2 * DRIFT);

/** Connected to a read-write server at 1000 (sent) / 1001 (received), an existing session. */
function reconnected(): SessionValidity {
  const v = new SessionValidity();
  v.connected(1000, 1001, T, { newSession: true, readOnly: false });
  v.connected(5000, 5001, T, { newSession: false, readOnly: false });
  return v;
}

describe('session validity', () => {
  it('a new session is proven from its ConnectRequest send time (createSession was committed)', () => {
    const v = new SessionValidity();
    expect(v.validUntil).toBe(Number.NEGATIVE_INFINITY);
    v.connected(1000, 1010, T, { newSession: true, readOnly: false });
    expect(v.validUntil).toBe(until(1000));
    expect(v.provenSendTime).toBe(1000);
    expect(v.proofs).toBe(1);
  });

  it('a reconnect proves nothing by itself; a write answered OK on it proves its send time', () => {
    const v = reconnected();
    expect(v.validUntil).toBe(until(1000));
    expect(v.applied).toBe(5000); // the REVALIDATE touch precedes everything we send next
    v.committed(v.applied);
    expect(v.validUntil).toBe(until(5000));
  });

  it('answers of reads and pings alone never move the bound, however many', () => {
    const v = reconnected();
    for (let t = 5100; t < 20_000; t += 100) v.answered(t, t + 1);
    expect(v.validUntil).toBe(until(1000));
    expect(v.applied).toBe(5000);
  });

  it('a sync sent π after an answer credits that answer, then a write proves it', () => {
    const v = reconnected();
    v.answered(6000, 6010); // X: a ping
    v.leaderAnswered(6010 + PI - 1); // Y1 too early: the leader may not have pinged the follower since X
    expect(v.applied).toBe(5000);
    v.leaderAnswered(6010 + PI); // Y1 late enough
    expect(v.applied).toBe(6000);
    expect(v.validUntil).toBe(until(1000)); // not proven until a write is answered OK
    v.committed(v.applied);
    expect(v.validUntil).toBe(until(6000));
  });

  it('a write captures what was applied when it was sent: one sent before the sync was answered proves the older value', () => {
    const v = reconnected();
    v.answered(6000, 6010);
    const capturedBefore = v.applied;
    v.leaderAnswered(9100);
    v.committed(capturedBefore);
    expect(v.validUntil).toBe(until(5000));
    v.committed(v.applied);
    expect(v.validUntil).toBe(until(6000));
  });

  it('the bound never moves back', () => {
    const v = reconnected();
    v.committed(5000);
    v.committed(2000);
    expect(v.validUntil).toBe(until(5000));
  });

  it('a read-only server proves nothing, and credits nothing for later', () => {
    const v = new SessionValidity();
    v.connected(1000, 1001, T, { newSession: true, readOnly: true });
    expect(v.validUntil).toBe(Number.NEGATIVE_INFINITY);
    expect(v.applied).toBe(Number.NEGATIVE_INFINITY);
    v.answered(2000, 2001);
    v.leaderAnswered(6000);
    v.committed(v.applied);
    expect(v.validUntil).toBe(Number.NEGATIVE_INFINITY);
  });

  it("a disconnect keeps what is proven but forgets the connection's answers", () => {
    const v = reconnected();
    v.answered(6000, 6010);
    v.disconnected();
    expect(v.validUntil).toBe(until(1000));
    expect(v.applied).toBe(Number.NEGATIVE_INFINITY);
    v.leaderAnswered(20_000);
    v.committed(6000); // a late reply of the old connection: ignored
    expect(v.validUntil).toBe(until(1000));
    // Answers of the old connection do not count on the next one (they touched another server).
    v.connected(30_000, 30_001, T, { newSession: false, readOnly: false });
    v.leaderAnswered(40_000);
    expect(v.applied).toBe(30_000);
  });

  it('ending the session forgets everything', () => {
    const v = reconnected();
    v.ended();
    expect(v.validUntil).toBe(Number.NEGATIVE_INFINITY);
  });

  it('busy connections: merged answers only err towards older send times, never newer', () => {
    const v = reconnected();
    // An answer every 0.1 ms for 2 s: each query must return the largest send time received by then,
    // or an older one, but never one received later.
    const answers: [number, number][] = [];
    for (let s = 6000; s < 8000; s += 0.1) answers.push([s, s + 0.5]);
    for (const [s, r] of answers) v.answered(s, r);
    for (const t of [6000.2, 6500, 7000.05, 7999]) {
      const probe = reconnected();
      for (const [s, r] of answers) probe.answered(s, r);
      probe.leaderAnswered(t + PI);
      const exact = Math.max(5000, ...answers.filter(([, r]) => r <= t).map(([s]) => s));
      expect(probe.applied).toBeLessThanOrEqual(exact);
      expect(probe.applied).toBeGreaterThan(exact - T / 100); // merged by at most one grid step (T/200) and a bit
    }
  });

  it('nextUseful - when a sync could first prove something new', () => {
    const v = reconnected();
    v.committed(5000);
    expect(v.nextUseful()).toBeUndefined(); // nothing answered since 5000 but the connect itself
    v.answered(6000, 6010);
    expect(v.nextUseful()).toBe(6010 + PI);
  });

  it('renewalDue - π plus a small grace after the proven send time', () => {
    const v = reconnected();
    expect(v.renewalDue).toBe(1000 + 0.35 * T);
  });
});
