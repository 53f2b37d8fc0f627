/**
 * The session's validity on the wire (memory transport, fake clock; T = 30 s, so π = 9 s): which replies
 * move `validity.validUntil`, and the renewal requests a hold sends (a sync of "/", then a multi holding
 * one check of "/" at any version), in the session's own request order.
 */
import { describe, expect, it } from 'vitest';
import { DRIFT } from '../../../src/session/validity.js';
import type { MemoryConnection } from '../../support/memory-transport.js';
import { statOf } from '../../support/stat.js';
import { type Harness, established, getData, harness, settle } from '../../support/session-harness.js';

const STAT = statOf({ version: 5 });

/** Lets `ms` pass in steps of 1 s, answering every ping (so the read timeout stays away). */
async function idle(h: Harness, conn: MemoryConnection, ms: number): Promise<void> {
  let answered = conn.requests().filter((r) => r.request.op === 'ping').length;
  for (let t = 0; t < ms; t += 1000) {
    await h.clock.advance(Math.min(1000, ms - t));
    const pings = conn.requests().filter((r) => r.request.op === 'ping');
    for (; answered < pings.length; answered++) conn.reply(-2, 0n);
  }
}

const T = 30_000;
const PI = 0.3 * T;
const setData = (path: string) => ({ op: 'setData', path, data: null, version: -1 }) as const;

describe('session validity', () => {
  it('a new session is valid from the ConnectRequest send time; reads and pings never extend it', async () => {
    const h = harness();
    const connectAt = h.clock.now();
    const conn = await established(h, { timeOut: T });
    expect(h.session.validity.validUntil).toBe(connectAt + T * (1 - 2 * DRIFT));
    await idle(h, conn, T / 2);
    const read = h.session.submit(getData('/a'));
    await settle();
    const xid = conn.calls().at(-1)!.xid;
    conn.reply(xid, 5n, 0, 'getData', { data: null, stat: STAT });
    await read;
    expect(h.session.validity.validUntil).toBe(connectAt + T * (1 - 2 * DRIFT));
  });

  it('a write answered OK after a sync sent π after an answer proves that answer', async () => {
    const h = harness();
    const conn = await established(h, { timeOut: T, sessionId: 0x77n });
    await h.clock.advance(1000);
    const readAt = h.clock.now();
    void h.session.submit(getData('/x')).catch(() => {});
    await settle();
    conn.reply(conn.calls().at(-1)!.xid, 1n, -101);
    await h.clock.advance(PI);
    void h.session.submit({ op: 'sync', path: '/' });
    await settle();
    conn.reply(conn.calls().at(-1)!.xid, 2n, 0, 'sync', { path: '/' });
    await settle();
    void h.session.submit(setData('/x')).catch(() => {});
    await settle();
    conn.reply(conn.calls().at(-1)!.xid, 3n, -101); // NONODE: leader-passing, but proves nothing
    await settle();
    expect(h.session.validity.provenSendTime).toBeLessThan(readAt);
    void h.session.submit(setData('/y'));
    await settle();
    conn.reply(conn.calls().at(-1)!.xid, 4n, 0, 'setData', { stat: STAT });
    await settle();
    expect(h.session.validity.provenSendTime).toBe(readAt);
  });

  it('a hold renews with a sync of "/" then a no-op multi, and stops when released', async () => {
    const h = harness();
    const conn = await established(h, { timeOut: T });
    const hold = h.session.holdValidity();
    await h.clock.advance(0.35 * T); // renewal due; nothing answered since the connect: a sync first
    let calls = conn.calls();
    expect(calls.map((c) => c.request)).toEqual([{ op: 'sync', path: '/' }]);
    conn.reply(calls[0]!.xid, 1n, 0, 'sync', { path: '/' });
    await h.clock.advance(PI + 10);
    calls = conn.calls();
    expect(calls.map((c) => c.request.op)).toEqual(['sync', 'sync']);
    conn.reply(calls[1]!.xid, 2n, 0, 'sync', { path: '/' });
    await settle();
    calls = conn.calls();
    expect(calls[2]!.request).toEqual({ op: 'multi', ops: [{ op: 'check', path: '/', version: -1 }] });
    const before = h.session.validity.validUntil;
    conn.reply(calls[2]!.xid, 3n, 0, 'multi', [{ op: 'check' }]);
    await settle();
    expect(h.session.validity.validUntil).toBeGreaterThan(before);
    hold.release();
    const sent = conn.calls().length;
    await idle(h, conn, 2 * T);
    expect(conn.calls()).toHaveLength(sent);
  });

  it('a failed renewal multi proves nothing', async () => {
    const h = harness();
    const conn = await established(h, { timeOut: T });
    await idle(h, conn, T); // answered pings: one is π old, so a sync can prove it at once
    const hold = h.session.holdValidity();
    await settle();
    let calls = conn.calls();
    expect(calls.map((c) => c.request.op)).toEqual(['sync']);
    conn.reply(calls[0]!.xid, 1n, 0, 'sync', { path: '/' });
    await settle();
    calls = conn.calls();
    expect(calls[1]!.request.op).toBe('multi');
    const before = h.session.validity.validUntil;
    conn.reply(calls[1]!.xid, 2n, 0, 'multi', [{ op: 'error', err: -102 }]);
    await settle();
    expect(h.session.validity.validUntil).toBe(before);
    hold.release();
  });

  it('a read-only server proves nothing and gets no renewal requests', async () => {
    const h = harness({ allowReadOnly: true });
    const conn = await established(h, { timeOut: T, readOnly: true });
    expect(h.session.validity.validUntil).toBe(Number.NEGATIVE_INFINITY);
    const hold = h.session.holdValidity();
    await h.clock.advance(T);
    expect(conn.calls()).toEqual([]);
    hold.release();
  });
});
