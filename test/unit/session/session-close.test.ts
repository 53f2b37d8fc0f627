/**
 * close() (as ClientCnxn.close: closeSession queued behind what was submitted): closeSession goes out after
 * everything already queued, the session settles everything and ends 'closed', a second close is harmless,
 * and closing while disconnected or while a connect hangs settles at once and leaves no timer or attempt
 * behind.
 */
import { describe, expect, it } from 'vitest';
import { ClientClosedError, ConnectionLossError } from '../../../src/errors.js';
import { KeeperState } from '../../../src/protocol/constants.js';
import type { RawWatchEvent } from '../../../src/session/watches.js';
import { established, getData, harness, settle } from '../../support/session-harness.js';
import { track } from '../../support/promises.js';

describe('session close', () => {
  it('close - closeSession follows the queued requests in the same write; everything settles', async () => {
    const h = harness();
    const conn = await established(h);
    const events: RawWatchEvent[] = [];
    h.session.watches.add('data', '/w', (e) => events.push(e));
    const a = track(h.session.submit(getData('/a')));
    const b = track(h.session.submit(getData('/b')));
    const closed = track(h.session.close());
    await settle();
    expect(conn.writes).toHaveLength(2);
    expect(conn.requests()).toEqual([
      { xid: 1, request: getData('/a') },
      { xid: 2, request: getData('/b') },
      { xid: 3, request: { op: 'closeSession' } },
    ]);
    // Requests made after close() are refused at once.
    await expect(h.session.submit(getData('/late'))).rejects.toBeInstanceOf(ClientClosedError);
    conn.reply(1, 1n, -101);
    conn.reply(2, 2n, -101);
    await settle();
    expect(closed.settled).toBe(false);
    conn.reply(3, 3n);
    await settle();
    expect(closed.settled).toBe(true);
    expect(closed.error).toBeUndefined();
    expect([a.error, b.error].map((e) => (e as { code: string }).code)).toEqual(['NONODE', 'NONODE']);
    expect(h.session.state).toBe('closed');
    expect(h.states).toEqual(['connected', 'closed']);
    expect(events).toEqual([{ type: -1, state: KeeperState.Closed, path: '' }]);
    expect(conn.closedByClient).toBe(true);
    // The server closing its end afterwards is no disconnect, and nothing reconnects.
    conn.serverClose();
    await h.clock.advance(60_000);
    expect(h.transport.attempts).toHaveLength(1);
    expect(h.states).toEqual(['connected', 'closed']);
  });

  it('close - leaves no timer behind once it has settled', async () => {
    const h = harness();
    const conn = await established(h);
    const closed = h.session.close();
    await settle();
    conn.reply(1, 1n);
    await closed;
    expect(h.clock.pending).toBe(0);
  });

  it('close - idempotent: a second call returns the same promise, a call after the end resolves', async () => {
    const h = harness();
    const conn = await established(h);
    const first = h.session.close();
    const second = h.session.close();
    expect(second).toBe(first);
    await settle();
    conn.reply(1, 1n);
    await first;
    await expect(h.session.close()).resolves.toBeUndefined();
    expect(conn.calls().filter((r) => r.request.op === 'closeSession')).toHaveLength(1);
  });

  it('close - bounded when the server never answers closeSession', async () => {
    const h = harness();
    const conn = await established(h);
    const pending = track(h.session.submit(getData('/a')));
    const closed = track(h.session.close());
    await h.clock.advance(4999);
    expect(closed.settled).toBe(false);
    // closeSession's deadline is min(read timeout, 5 s), with a hard stop 100 ms later.
    await h.clock.advance(101);
    expect(closed.settled).toBe(true);
    expect(pending.error).toBeInstanceOf(ClientClosedError);
    expect(conn.closedByClient).toBe(true);
    expect(h.session.state).toBe('closed');
  });

  it('close - a connection lost while waiting for the closeSession reply ends the close, without reconnecting', async () => {
    const h = harness();
    const conn = await established(h);
    const pending = track(h.session.submit(getData('/a')));
    const closed = track(h.session.close());
    await settle();
    conn.serverClose(new Error('ECONNRESET'));
    await settle();
    expect(closed.settled).toBe(true);
    expect(pending.error).toBeInstanceOf(ConnectionLossError);
    expect(h.states).toEqual(['connected', 'closed']);
    expect(h.transport.attempts).toHaveLength(1);
  });

  it('close - a connection lost before closeSession could be written ends the close at once', async () => {
    const h = harness();
    const conn = await established(h);
    conn.block();
    const sent = track(h.session.submit(getData('/a')));
    await settle();
    const closed = track(h.session.close());
    await settle();
    // Backpressure holds closeSession back; then the connection goes.
    expect(conn.requests().map((r) => r.request.op)).toEqual(['getData']);
    conn.serverClose(new Error('ECONNRESET'));
    await settle();
    expect(closed.settled).toBe(true);
    expect(sent.error).toBeInstanceOf(ConnectionLossError);
    expect(h.session.state).toBe('closed');
    expect(h.clock.pending).toBe(0);
  });

  it('close - while disconnected it settles at once, fails queued requests and sends nothing', async () => {
    const h = harness();
    const first = await established(h);
    h.transport.decide = () => 'refuse';
    first.serverClose();
    await settle();
    const queued = track(h.session.submit(getData('/q')));
    const closed = track(h.session.close());
    await settle();
    expect(closed.settled).toBe(true);
    expect(queued.error).toBeInstanceOf(ClientClosedError);
    expect(h.session.state).toBe('closed');
    expect(h.clock.pending).toBe(0);
    const attempts = h.transport.attempts.length;
    await h.clock.advance(60_000);
    expect(h.transport.attempts).toHaveLength(attempts);
  });

  it('close - while a connect hangs it settles at once, aborts the attempt and leaves no timer', async () => {
    const h = harness();
    h.transport.decide = () => 'hang';
    h.session.start();
    await settle();
    const closed = track(h.session.close());
    await settle();
    expect(closed.settled).toBe(true);
    expect(h.transport.attempts[0]!.signal?.aborted).toBe(true);
    expect(h.clock.pending).toBe(0);
    expect(h.transport.attempts).toHaveLength(1);
  });

  it('close - during the handshake it settles at once and closes the half-open connection', async () => {
    const h = harness();
    h.session.start();
    await settle();
    const conn = h.transport.last;
    const closed = track(h.session.close());
    await settle();
    expect(closed.settled).toBe(true);
    expect(conn.closedByClient).toBe(true);
    expect(conn.requests()).toEqual([]);
    expect(h.clock.pending).toBe(0);
  });

  it('close - before start() it just ends the session', async () => {
    const h = harness();
    await h.session.close();
    expect(h.session.state).toBe('closed');
    h.session.start();
    await settle();
    expect(h.transport.attempts).toHaveLength(0);
  });
});
