/**
 * ValidityKeeper (src/session/validity-keeper.ts) on the fake clock, against a fake session that answers
 * renewal requests after a set round trip and feeds SessionValidity as the real session does.
 * T = 10 s: π = 3 s, renewal due 3.5 s after the proven send time, margins up to 2.5 s.
 */
import { describe, expect, it } from 'vitest';
import { ClientClosedError, InvalidArgumentError, SessionExpiredError } from '../../../src/errors.js';
import { ValidityKeeper } from '../../../src/session/validity-keeper.js';
import { SessionValidity } from '../../../src/session/validity.js';
import { FakeClock } from '../../support/fake-clock.js';

const T = 10_000;
const RTT = 2;

function fixture(options: { refuseWrites?: boolean } = {}) {
  const clock = new FakeClock(1000);
  const validity = new SessionValidity();
  const sent: { kind: 'sync' | 'write'; at: number }[] = [];
  const failures: string[] = [];
  let ready = true;
  let ended: Error | undefined;
  const keeper = new ValidityKeeper(validity, {
    clock,
    ready: () => ready,
    failed: (kind) => failures.push(kind),
    ended: () => ended,
    send(kind) {
      const sentAt = clock.now();
      const applied = validity.applied;
      sent.push({ kind, at: sentAt });
      return new Promise<boolean>((resolve) => {
        clock.setTimeout(() => {
          const receivedAt = clock.now();
          validity.answered(sentAt, receivedAt);
          if (kind === 'write' && options.refuseWrites) {
            resolve(false);
            return;
          }
          validity.leaderAnswered(sentAt);
          if (kind === 'write') validity.committed(applied);
          resolve(true);
        }, RTT);
      });
    },
  });
  // A fresh session, created at 1000.
  validity.connected(clock.now(), clock.now() + 1, T, { newSession: true, readOnly: false });
  return {
    clock,
    validity,
    keeper,
    sent,
    failures,
    setReady: (r: boolean) => (ready = r),
    end: (e: Error) => {
      ended = e;
      keeper.stop();
    },
  };
}

describe('validity keeper', () => {
  it('sends nothing while nobody holds it', async () => {
    const f = fixture();
    await f.clock.advance(5 * T);
    expect(f.sent).toEqual([]);
    expect(f.clock.pending).toBe(0);
  });

  it('idle and held: a sync then a write about every 0.3 T, and the proof never gets older than 0.6 T + a few RTT', async () => {
    const f = fixture();
    const hold = f.keeper.hold();
    let worstAge = 0;
    for (let t = 0; t < 20 * T; t += 50) {
      await f.clock.advance(50);
      // From the first renewal on (before it, nothing had been answered since the connect here).
      if (t > T) worstAge = Math.max(worstAge, f.clock.now() - f.validity.provenSendTime);
    }
    const syncs = f.sent.filter((s) => s.kind === 'sync').length;
    const writes = f.sent.filter((s) => s.kind === 'write').length;
    // 20 T of holding: one proof per π + 3 RTT ≈ 0.3 T, each costing two requests (a write also serves
    // as the next cycle's Y1 when it comes late enough, saving a sync now and then).
    expect(writes).toBeGreaterThanOrEqual(60);
    expect(writes).toBeLessThanOrEqual(70);
    expect(syncs + writes).toBeGreaterThanOrEqual(120);
    expect(syncs + writes).toBeLessThanOrEqual(140);
    expect(worstAge).toBeLessThanOrEqual(0.6 * T + 10 * RTT + 50);
    // So the largest supported margin (T/4) leaves the lease valid at all times.
    expect(f.validity.validUntil - 0.25 * T).toBeGreaterThan(f.clock.now());
    hold.release();
    const before = f.sent.length;
    await f.clock.advance(5 * T);
    expect(f.sent.length).toBeLessThanOrEqual(before + 2); // at most the cycle already under way
    expect(f.clock.pending).toBe(0);
  });

  it("the session's own proofs postpone renewal: a busy session pays nothing", async () => {
    const f = fixture();
    const hold = f.keeper.hold();
    // A lock loop: every 10 ms a leader-passing write is answered, and proves what the previous one applied.
    let applied = f.validity.applied;
    for (let t = 0; t < 5 * T; t += 10) {
      await f.clock.advance(10);
      const now = f.clock.now();
      f.validity.answered(now - RTT, now);
      f.validity.leaderAnswered(now - RTT);
      f.validity.committed(applied);
      applied = f.validity.applied;
    }
    expect(f.sent).toEqual([]);
    hold.release();
  });

  it('a failing write is retried after a pause, and reported once per streak', async () => {
    const f = fixture({ refuseWrites: true });
    f.keeper.hold();
    await f.clock.advance(2 * T);
    const writes = f.sent.filter((s) => s.kind === 'write');
    expect(writes.length).toBeGreaterThan(3);
    expect(writes.length).toBeLessThan(30); // paused (π/3) between attempts, not a hot loop
    expect(f.failures).toEqual(['write']);
  });

  it('nothing is sent while not connected to a read-write server; poke() resumes', async () => {
    const f = fixture();
    f.setReady(false);
    f.keeper.hold();
    await f.clock.advance(2 * T);
    expect(f.sent).toEqual([]);
    f.setReady(true);
    f.keeper.poke();
    await f.clock.advance(RTT * 3);
    // Nothing was answered meanwhile (no pings here): the first sync makes an answer, which a sync π later credits.
    expect(f.sent.map((s) => s.kind)).toEqual(['sync']);
    await f.clock.advance(0.3 * T + RTT * 3);
    expect(f.sent.map((s) => s.kind)).toEqual(['sync', 'sync', 'write']);
  });

  describe('ready(margin)', () => {
    it('resolves at once when the proof is fresh when the hold starts', async () => {
      const f = fixture();
      const hold = f.keeper.hold();
      let done = false;
      void hold.ready(T / 10).then(() => (done = true));
      await f.clock.advance(0);
      expect(done).toBe(true);
      expect(f.sent).toEqual([]);
    });

    it('waits for a proof obtained while held when the proof was stale at the start (an idle session)', async () => {
      const f = fixture();
      await f.clock.advance(0.7 * T); // idle: still valid (0.2 T left with the default margin), but stale
      const hold = f.keeper.hold();
      let doneAt: number | undefined;
      void hold.ready(T / 10).then(() => (doneAt = f.clock.now()));
      await f.clock.advance(T);
      expect(doneAt).toBeDefined();
      expect(f.validity.proofs).toBeGreaterThan(1);
      expect(f.validity.validUntil - T / 10).toBeGreaterThan(doneAt! + 0.2 * T);
    });

    it('rejects a margin above a quarter of the session timeout', async () => {
      const f = fixture();
      const hold = f.keeper.hold();
      await expect(hold.ready(T / 4 + 1)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(hold.ready(-1)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(hold.ready(T / 4)).resolves.toBeUndefined();
    });

    it('rejects when the session ends while waiting, and when its hold is released', async () => {
      const f = fixture();
      f.setReady(false);
      await f.clock.advance(2 * T);
      const hold = f.keeper.hold();
      const waiting = hold.ready(0);
      const expired = new SessionExpiredError('gone');
      f.end(expired);
      await expect(waiting).rejects.toBe(expired);

      const g = fixture();
      g.setReady(false);
      await g.clock.advance(2 * T);
      const other = g.keeper.hold();
      const waiting2 = other.ready(0);
      other.release();
      await expect(waiting2).rejects.toBeInstanceOf(ClientClosedError);
    });
  });
});
