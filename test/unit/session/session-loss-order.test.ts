/**
 * What a connection loss does to requests (session.ts header): every request made before the loss was
 * observed fails with ConnectionLossError, in flight or still queued behind a full socket; requests made
 * while disconnected wait for the next connection and go out in call order. addAuth goes through the same
 * queue in call order, and is never failed by a connection loss: the next connection's replay answers it.
 */
import { describe, expect, it } from 'vitest';
import { AuthFailedError, ConnectionLossError, RequestTimeoutError, guaranteesNoChange } from '../../../src/errors.js';
import { Xid } from '../../../src/protocol/constants.js';
import { TEST_PASSWORD } from '../../support/memory-transport.js';
import { statOf } from '../../support/stat.js';
import { established, harness, settle } from '../../support/session-harness.js';
import { track } from '../../support/promises.js';

const T = 30_000;
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const setData = (path: string, v: string) => ({ op: 'setData', path, data: bytes(v), version: -1 }) as const;
const auth = (user: string) => ({ scheme: 'digest', auth: bytes(`${user}:pw`) });

describe('session: connection loss and request order', () => {
  it('requests queued behind a full socket fail with the ones in flight; later ones wait for the next connection', async () => {
    const h = harness();
    const conn = await established(h, { timeOut: T, sessionId: 0x77n, passwd: TEST_PASSWORD });
    conn.block(); // the socket's buffer is full: the first write is accepted, later ones wait for drain
    const before = [0, 1, 2, 3].map((i) => track(h.session.submit(setData('/r', `v${i}`))));
    await settle();
    const sentBefore = conn.requests().length;
    expect(sentBefore).toBeGreaterThanOrEqual(1);
    conn.serverClose();
    await settle();
    for (const p of before) expect(p.error).toBeInstanceOf(ConnectionLossError);
    for (const p of before) expect(guaranteesNoChange(p.error)).toBe(false);
    const after = [track(h.session.submit(setData('/r', 'retry0'))), track(h.session.submit(setData('/r', 'retry1')))];
    await settle();
    const next = h.transport.last;
    expect(next).not.toBe(conn);
    next.accept({ sessionId: 0x77n, passwd: TEST_PASSWORD, timeOut: T });
    await settle();
    // Only the calls made after the loss went out, in call order; nothing from before.
    expect(next.calls().map((c) => c.request)).toEqual([setData('/r', 'retry0'), setData('/r', 'retry1')]);
    expect(after.every((p) => !p.settled)).toBe(true);
  });

  it('addAuth is sent in call order: after the requests made before it, ahead of those made after it', async () => {
    const h = harness();
    const conn = await established(h, { timeOut: T });
    void h.session.submit(setData('/a', '1')).catch(() => {});
    const added = track(h.session.addAuth(auth('alice')));
    void h.session.submit(setData('/b', '2')).catch(() => {});
    await settle();
    expect(conn.requests().map((r) => r.request.op)).toEqual(['setData', 'auth', 'setData']);
    // The server answers auth packets at once, ahead of earlier replies: matched apart from the FIFO.
    conn.reply(Xid.auth, 0n);
    await settle();
    expect(added.settled).toBe(true);
    expect(added.error).toBeUndefined();
    conn.reply(1, 5n, 0, 'setData', { stat: statOf() });
    conn.reply(2, 6n, 0, 'setData', { stat: statOf() });
    await settle();
    expect(h.session.state).toBe('connected');
  });

  it('addAuth while disconnected waits, and is answered by the replay on the next connection (sent once)', async () => {
    const h = harness();
    const conn = await established(h, { timeOut: T, sessionId: 0x77n, passwd: TEST_PASSWORD });
    conn.serverClose();
    await settle();
    const added = track(h.session.addAuth(auth('bob')));
    const later = track(h.session.submit(setData('/c', '3')));
    await settle();
    expect(added.settled).toBe(false);
    const next = h.transport.last;
    next.accept({ sessionId: 0x77n, passwd: TEST_PASSWORD, timeOut: T });
    await settle();
    expect(next.requests().map((r) => r.request.op)).toEqual(['auth', 'setData']);
    next.reply(Xid.auth, 0n);
    await settle();
    expect(added.settled).toBe(true);
    expect(added.error).toBeUndefined();
    expect(later.settled).toBe(false);
  });

  it('addAuth in flight when the connection drops does not fail: the replay on the next connection answers it', async () => {
    const h = harness();
    const conn = await established(h, { timeOut: T, sessionId: 0x77n, passwd: TEST_PASSWORD });
    const added = track(h.session.addAuth(auth('carol')));
    await settle();
    expect(conn.requests().map((r) => r.request.op)).toEqual(['auth']);
    conn.serverClose();
    await settle();
    expect(added.settled).toBe(false);
    const next = h.transport.last;
    next.accept({ sessionId: 0x77n, passwd: TEST_PASSWORD, timeOut: T });
    await settle();
    expect(next.requests().map((r) => r.request.op)).toEqual(['auth']);
    next.reply(Xid.auth, 0n, -115);
    await settle();
    expect(added.error).toBeInstanceOf(AuthFailedError);
    expect(h.session.state).toBe('authFailed');
  });

  it('addAuth has a deadline; the credential stays and is still replayed', async () => {
    const h = harness({ requestTimeout: 5000 });
    const conn = await established(h, { timeOut: T, sessionId: 0x77n, passwd: TEST_PASSWORD });
    conn.serverClose();
    await settle();
    let hang = true;
    h.transport.decide = () => (hang ? 'hang' : 'accept');
    const added = track(h.session.addAuth(auth('dave')));
    await h.clock.advance(6000);
    expect(added.error).toBeInstanceOf(RequestTimeoutError);
    hang = false;
    await h.clock.advance(T / 2);
    const next = h.transport.last;
    next.accept({ sessionId: 0x77n, passwd: TEST_PASSWORD, timeOut: T });
    await settle();
    expect(next.requests()[0]!.request).toEqual({ op: 'auth', type: 0, ...auth('dave') });
  });

  it('a write in flight when an auth failure ends the session may have been applied: guaranteesNoChange is false', async () => {
    const h = harness();
    const conn = await established(h, { timeOut: T });
    const write = track(h.session.submit(setData('/w', 'x')));
    void h.session.addAuth(auth('eve')).catch(() => {});
    await settle();
    conn.reply(Xid.auth, 0n, -115);
    await settle();
    expect(write.error).toBeInstanceOf(AuthFailedError);
    expect(guaranteesNoChange(write.error)).toBe(false);
  });
});
