/**
 * Session timers on the fake clock (ClientCnxn.SendThread.run): the ping after T/3 idle, the read timeout
 * after 2T/3 of silence, the exact send time behind lastAckedSendTime, and client-declared expiry after 4/3 T
 * without hearing from any server. T = 30 s here, so the ticker runs every second.
 */
import { describe, expect, it } from 'vitest';
import { ConnectionLossError, SessionExpiredError } from '../../../src/errors.js';
import { KeeperState } from '../../../src/protocol/constants.js';
import type { RawWatchEvent } from '../../../src/session/watches.js';
import { established, getData, harness, settle } from '../../support/session-harness.js';
import { track } from '../../support/promises.js';

const T = 30_000;
/** The ticker's period for T = 30 s: the granularity of every timer check. */
const TICK = 1000;

describe('session timers', () => {
  it('ping - sent after T/3 without sending, not before, as a header-only xid -2 frame', async () => {
    const h = harness();
    const conn = await established(h, { timeOut: T });
    await h.clock.advance(T / 3 - 1);
    expect(conn.requests()).toEqual([]);
    await h.clock.advance(TICK);
    expect(conn.requests()).toEqual([{ xid: -2, request: { op: 'ping' } }]);
    expect(conn.writes.at(-1)).toEqual(Uint8Array.from([0, 0, 0, 8, 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 0x0b]));
  });

  it('ping - at most one in flight: no second ping until the first is answered', async () => {
    const h = harness();
    const conn = await established(h, { timeOut: T });
    await h.clock.advance(T / 3 + TICK);
    // Answer nothing, but keep the read timeout away with notifications: still only one ping.
    for (let i = 0; i < 5; i++) {
      conn.notify({ type: 3, state: KeeperState.SyncConnected, path: '/keepalive' });
      await h.clock.advance(T / 6);
    }
    expect(conn.requests().filter((r) => r.request.op === 'ping')).toHaveLength(1);
    conn.reply(-2, 0n);
    await h.clock.advance(T / 3 + TICK);
    expect(conn.requests().filter((r) => r.request.op === 'ping')).toHaveLength(2);
  });

  it('ping - sending a request postpones it', async () => {
    const h = harness();
    const conn = await established(h, { timeOut: T });
    await h.clock.advance(T / 6);
    void h.session.submit(getData('/a')).catch(() => {});
    await settle();
    conn.reply(1, 1n, -101);
    await h.clock.advance(T / 3 - 1);
    expect(conn.requests().map((r) => r.request.op)).toEqual(['getData']);
    await h.clock.advance(TICK);
    expect(conn.requests().map((r) => r.request.op)).toEqual(['getData', 'ping']);
  });

  it('read timeout - 2T/3 without any frame drops the connection, fails what is in flight, and reconnects', async () => {
    const h = harness();
    const conn = await established(h, { timeOut: T });
    const pending = track(h.session.submit(getData('/a')));
    await h.clock.advance((2 * T) / 3 - 1);
    expect(h.session.state).toBe('connected');
    expect(conn.closedByClient).toBe(false);
    await h.clock.advance(TICK);
    expect(conn.closedByClient).toBe(true);
    expect(pending.error).toBeInstanceOf(ConnectionLossError);
    expect(h.states).toEqual(['connected', 'disconnected', 'connecting']);
    expect(h.transport.connections).toHaveLength(2);
    expect(h.transport.last.host).toBe('zk2');
  });

  it('read timeout - answered pings keep an idle session connected indefinitely', async () => {
    const h = harness();
    const conn = await established(h, { timeOut: T });
    let answered = 0;
    for (let step = 0; step < 30; step++) {
      await h.clock.advance(TICK * 2);
      const pings = conn.requests().filter((r) => r.request.op === 'ping').length;
      for (; answered < pings; answered++) conn.reply(-2, 0n);
    }
    // 60 s idle, three times the session timeout.
    expect(h.states).toEqual(['connected']);
    expect(conn.requests().filter((r) => r.request.op === 'ping').length).toBeGreaterThanOrEqual(5);
  });

  it('lastAckedSendTime - the send time of the latest answered request or ping, exactly', async () => {
    const h = harness();
    expect(h.session.lastAckedSendTime).toBe(Number.NEGATIVE_INFINITY);
    const connectAt = h.clock.now();
    const conn = await established(h, { timeOut: T });
    // The ConnectRequest renewed the session when the server read it.
    expect(h.session.lastAckedSendTime).toBe(connectAt);

    await h.clock.advance(500);
    const sentAt = h.clock.now();
    void h.session.submit(getData('/a')).catch(() => {});
    void h.session.submit(getData('/b')).catch(() => {});
    await h.clock.advance(300);
    conn.reply(1, 1n, -101);
    await settle();
    expect(h.session.lastAckedSendTime).toBe(sentAt);

    // Unanswered requests, notifications and time passing change nothing.
    const unanswered = h.clock.now();
    void h.session.submit(getData('/c')).catch(() => {});
    await h.clock.advance(100);
    conn.notify({ type: 3, state: KeeperState.SyncConnected, path: '/x' });
    await settle();
    expect(h.session.lastAckedSendTime).toBe(sentAt);
    expect(unanswered).toBeGreaterThan(sentAt);

    conn.reply(2, 2n, -101);
    conn.reply(3, 3n, -101);
    await settle();
    expect(h.session.lastAckedSendTime).toBe(unanswered);

    // A ping counts from when it was sent, not from when its reply came.
    await h.clock.advanceUntil(() => conn.requests().some((r) => r.request.op === 'ping'), T);
    const pingAt = h.clock.now();
    await h.clock.advance(700);
    conn.reply(-2, 3n);
    await settle();
    expect(h.session.lastAckedSendTime).toBe(pingAt);
  });

  it('lastAckedSendTime - a late reply to an older request cannot move it back', async () => {
    const h = harness({ requestTimeout: 2000 });
    const conn = await established(h, { timeOut: T });
    const firstAt = h.clock.now();
    void h.session.submit(getData('/slow')).catch(() => {});
    await h.clock.advance(3000);
    const secondAt = h.clock.now();
    void h.session.submit(getData('/fast')).catch(() => {});
    await settle();
    conn.reply(1, 1n, -101);
    await settle();
    expect(h.session.lastAckedSendTime).toBe(firstAt);
    conn.reply(2, 2n, -101);
    await settle();
    expect(h.session.lastAckedSendTime).toBe(secondAt);
  });

  it('client expiry - disconnected for 4/3 T since the last frame heard: expired, everything fails, no more attempts', async () => {
    const h = harness();
    const conn = await established(h, { timeOut: T });
    const events: RawWatchEvent[] = [];
    h.session.watches.add('data', '/w', (e) => events.push(e));
    const lastHeard = h.clock.now();
    h.transport.decide = () => 'refuse';
    await h.clock.advance(1000);
    conn.serverClose(new Error('ECONNRESET'));
    await settle();
    const queued = track(h.session.submit(getData('/q')));
    await h.clock.advance(lastHeard + Math.floor((T * 4) / 3) - h.clock.now() - 1);
    expect(h.session.state).not.toBe('expired');
    await h.clock.advance(TICK);
    expect(h.session.state).toBe('expired');
    expect(queued.error).toBeInstanceOf(SessionExpiredError);
    expect(events).toEqual([{ type: -1, state: KeeperState.Expired, path: '' }]);
    await expect(h.session.submit(getData('/after'))).rejects.toBeInstanceOf(SessionExpiredError);
    const attempts = h.transport.attempts.length;
    await h.clock.advance(10 * T);
    expect(h.transport.attempts.length).toBe(attempts);
    expect(h.states.at(-1)).toBe('expired');
    expect(h.clock.pending).toBe(0);
  });

  it('client expiry - never declared for a session that was never established', async () => {
    const h = harness();
    h.transport.decide = () => 'refuse';
    h.session.start();
    await h.clock.advance(3 * T);
    expect(h.session.state).toBe('connecting');
    expect(h.transport.attempts.length).toBeGreaterThan(10);
    await h.session.close();
  });
});
