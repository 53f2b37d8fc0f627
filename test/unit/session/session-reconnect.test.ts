/**
 * Reconnecting (ClientCnxn.SendThread.primeConnection): the priming order on a new connection, moving through
 * the hosts when a connect is refused, hangs, or gets no ConnectResponse, and the two answers that end a
 * session for good (ConnectResponse timeOut 0, AUTHFAILED).
 */
import { describe, expect, it } from 'vitest';
import { AuthFailedError, ConnectionLossError, SessionExpiredError } from '../../../src/errors.js';
import { KeeperState, Xid } from '../../../src/protocol/constants.js';
import type { WatchKind, RawWatchEvent } from '../../../src/session/watches.js';
import { TEST_PASSWORD } from '../../support/memory-transport.js';
import { statOf } from '../../support/stat.js';
import { established, getData, harness, settle, started } from '../../support/session-harness.js';
import { track } from '../../support/promises.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('session reconnect', () => {
  it('priming - ConnectRequest, then auth packets, then SetWatches at lastZxid, then queued requests', async () => {
    const h = harness({ auth: [{ scheme: 'digest', auth: bytes('u:p') }] });
    const first = await established(h, { sessionId: 0x77n, passwd: TEST_PASSWORD });
    // The first connection is primed with the credential too, before anything else.
    expect(first.requests()).toEqual([{ xid: Xid.auth, request: { op: 'auth', type: 0, scheme: 'digest', auth: bytes('u:p') } }]);
    first.reply(Xid.auth, 0n);
    const added = h.session.addAuth({ scheme: 'digest', auth: bytes('v:q') });
    await settle();
    first.reply(Xid.auth, 0n);
    await expect(added).resolves.toBeUndefined();

    // Register watches the way replies do: data, exist (NONODE on exists), child, persistent, recursive.
    const noop = (): void => {};
    const watch = (kind: WatchKind | 'existsAware', path: string, op: 'getData' | 'exists' | 'getChildren' | 'addWatch') =>
      track(
        h.session.submit(op === 'addWatch' ? { op, path, mode: kind === 'persistent' ? 0 : 1 } : { op, path, watch: true }, {
          watch: { kind, path, watcher: noop },
        }),
      );
    watch('data', '/d', 'getData');
    watch('existsAware', '/e', 'exists');
    watch('child', '/c', 'getChildren');
    watch('persistent', '/p', 'addWatch');
    watch('persistentRecursive', '/r', 'addWatch');
    await settle();
    first.reply(1, 0x10n, 0, 'getData', { data: null, stat: statOf() });
    first.reply(2, 0x11n, -101);
    first.reply(3, 0x12n, 0, 'getChildren', { children: [] });
    first.reply(4, 0x13n, 0, 'addWatch', { err: 0 });
    first.reply(5, 0x50n, 0, 'addWatch', { err: 0 });
    await settle();
    expect(h.session.lastZxid).toBe(0x50n);

    first.serverClose();
    await settle();
    const queued = [track(h.session.submit(getData('/q1'))), track(h.session.submit(getData('/q2')))];
    const second = h.transport.last;
    await settle();
    expect(second).not.toBe(first);
    expect(second.writes).toHaveLength(1);
    second.accept({ sessionId: 0x77n, passwd: TEST_PASSWORD });
    await settle();

    expect(second.connectRequest()).toMatchObject({ sessionId: 0x77n, lastZxidSeen: 0x50n, passwd: TEST_PASSWORD });
    expect(second.requests()).toEqual([
      { xid: Xid.auth, request: { op: 'auth', type: 0, scheme: 'digest', auth: bytes('u:p') } },
      { xid: Xid.auth, request: { op: 'auth', type: 0, scheme: 'digest', auth: bytes('v:q') } },
      {
        // Queued requests got their xids when they were made (6, 7); the replay gets the next one.
        xid: 8,
        request: {
          op: 'setWatches2',
          relativeZxid: 0x50n,
          dataWatches: ['/d'],
          existWatches: ['/e'],
          childWatches: ['/c'],
          persistentWatches: ['/p'],
          persistentRecursiveWatches: ['/r'],
        },
      },
      { xid: 6, request: getData('/q1') },
      { xid: 7, request: getData('/q2') },
    ]);

    // The SetWatches reply is matched like any request, ahead of the queued ones.
    second.reply(Xid.auth, 0n);
    second.reply(Xid.auth, 0n);
    second.reply(8, 0x50n);
    second.reply(6, 0x51n, -101);
    second.reply(7, 0x52n, -101);
    await settle();
    expect(queued.map((q) => (q.error as { code?: string } | undefined)?.code)).toEqual(['NONODE', 'NONODE']);
    expect(h.session.state).toBe('connected');
  });

  it('priming - only one-shot watches are replayed as SetWatches (101), which pre-3.6 servers understand', async () => {
    const h = harness();
    const first = await established(h);
    void h.session.submit({ op: 'getData', path: '/d', watch: true }, { watch: { kind: 'data', path: '/d', watcher: () => {} } });
    await settle();
    first.reply(1, 0x9n, 0, 'getData', { data: null, stat: statOf() });
    await settle();
    first.serverClose();
    await settle();
    h.transport.last.accept();
    await settle();
    expect(h.transport.last.requests()).toEqual([
      { xid: 2, request: { op: 'setWatches', relativeZxid: 0x9n, dataWatches: ['/d'], existWatches: [], childWatches: [] } },
    ]);
  });

  it('setDataWatches - one SetWatches at the last zxid; watchers registered first, so events ahead of the reply fire', async () => {
    const h = harness();
    const first = await established(h);
    void h.session.submit({ op: 'getData', path: '/x', watch: false });
    await settle();
    first.reply(1, 0x21n, 0, 'getData', { data: null, stat: statOf() });
    await settle();
    const events: RawWatchEvent[] = [];
    const armed = track(
      h.session.setDataWatches([
        { kind: 'data', path: '/a', watcher: (e) => events.push(e) },
        { kind: 'data', path: '/b', watcher: (e) => events.push(e) },
      ]),
    );
    await settle();
    expect(first.requests().at(-1)).toEqual({
      xid: 2,
      request: { op: 'setWatches', relativeZxid: 0x21n, dataWatches: ['/a', '/b'], existWatches: [], childWatches: [] },
    });
    // The server fires for a node already gone while handling the request, before its reply.
    first.notify({ type: 2, state: KeeperState.SyncConnected, path: '/b' });
    first.reply(2, 0x21n);
    await settle();
    expect(armed.settled).toBe(true);
    expect(events.map((e) => e.path)).toEqual(['/b']);
    first.notify({ type: 3, state: KeeperState.SyncConnected, path: '/a' });
    await settle();
    expect(events.map((e) => e.path)).toEqual(['/b', '/a']);
  });

  it('setDataWatches - a failed request takes its watchers back: nothing of it is replayed after reconnecting', async () => {
    const h = harness();
    const first = await established(h);
    const armed = track(h.session.setDataWatches([{ kind: 'data', path: '/a', watcher: () => {} }]));
    await settle();
    first.serverClose();
    await settle();
    expect((armed.error as { code?: string } | undefined)?.code).toBe('CONNECTIONLOSS');
    h.transport.last.accept();
    await settle();
    expect(h.transport.last.requests()).toEqual([]);
  });

  it('priming - no SetWatches when no watch is registered; a watch that fired is not replayed', async () => {
    const h = harness();
    const first = await established(h);
    const events: RawWatchEvent[] = [];
    h.session.watches.add('data', '/gone', (e) => events.push(e));
    first.notify({ type: 2, state: KeeperState.SyncConnected, path: '/gone' });
    await settle();
    expect(events).toHaveLength(1);
    first.serverClose();
    await settle();
    h.transport.last.accept();
    await settle();
    expect(h.transport.last.requests()).toEqual([]);
  });

  it('hosts - a refused connect moves on to the next host, round-robin', async () => {
    const h = harness();
    h.transport.decide = (_a, i) => (i < 4 ? 'refuse' : 'accept');
    h.session.start();
    await h.clock.advanceUntil(() => h.transport.connections.length === 1, 10_000);
    expect(h.transport.attempts.map((a) => a.host)).toEqual(['zk1', 'zk2', 'zk3', 'zk1', 'zk2']);
    expect(h.transport.last.host).toBe('zk2');
  });

  it('hosts - a connect that never answers is abandoned after the per-host connect timeout (T / hosts)', async () => {
    const h = harness();
    h.transport.decide = (a) => (a.host === 'zk1' ? 'hang' : 'accept');
    h.session.start();
    await settle();
    const hung = h.transport.attempts[0]!;
    await h.clock.advance(10_000 - 1);
    expect(h.transport.attempts).toHaveLength(1);
    expect(hung.signal?.aborted).toBe(false);
    await h.clock.advance(1);
    expect(hung.signal?.aborted).toBe(true);
    expect(hung.signal?.reason).toBeInstanceOf(ConnectionLossError);
    // After a failed attempt the next one waits only a short jitter (< 50 ms).
    await h.clock.advance(50);
    expect(h.transport.attempts.map((a) => a.host)).toEqual(['zk1', 'zk2']);
  });

  it('hosts - a ConnectResponse that never comes is abandoned after the connect timeout too', async () => {
    const h = harness({ connectTimeout: 2500 });
    const silent = await started(h);
    const early = track(h.session.submit(getData('/x')));
    await h.clock.advance(2499);
    expect(silent.closedByClient).toBe(false);
    await h.clock.advance(1);
    expect(silent.closedByClient).toBe(true);
    await h.clock.advance(50);
    expect(h.transport.connections).toHaveLength(2);
    // The request never went out, so it is not lost: it goes to the next server.
    expect(early.settled).toBe(false);
    h.transport.last.accept();
    await settle();
    expect(h.transport.last.requests()).toEqual([{ xid: 1, request: getData('/x') }]);
  });

  it('hosts - garbage instead of a ConnectResponse moves on to the next host', async () => {
    const h = harness();
    const bad = await started(h);
    bad.push(Uint8Array.from([0, 0, 0, 3, 1, 2, 3]));
    await settle();
    expect(bad.closedByClient).toBe(true);
    await h.clock.advance(50);
    expect(h.transport.connections).toHaveLength(2);
    expect(h.session.state).toBe('connecting');
  });

  it('expiry - ConnectResponse timeOut 0: expired, everything pending fails, watches end, no reconnect', async () => {
    const h = harness();
    const first = await established(h, { sessionId: 0x99n });
    const events: RawWatchEvent[] = [];
    h.session.watches.add('child', '/w', (e) => events.push(e));
    h.session.watches.add('persistent', '/p', (e) => events.push(e));
    const inflight = track(h.session.submit(getData('/inflight')));
    await settle();
    first.serverClose();
    await settle();
    expect(inflight.error).toBeInstanceOf(ConnectionLossError);
    const queued = track(h.session.submit(getData('/queued')));
    h.transport.last.accept({ timeOut: 0, sessionId: 0n, passwd: new Uint8Array(16) });
    await settle();
    expect(h.session.state).toBe('expired');
    expect(h.states).toEqual(['connected', 'disconnected', 'connecting', 'expired']);
    expect(queued.error).toBeInstanceOf(SessionExpiredError);
    expect(events).toEqual([
      { type: -1, state: KeeperState.Expired, path: '' },
      { type: -1, state: KeeperState.Expired, path: '' },
    ]);
    expect(h.transport.last.closedByClient).toBe(true);
    // The session id is kept for diagnosis; nothing is sent for it again.
    expect(h.session.sessionId).toBe(0x99n);
    const attempts = h.transport.attempts.length;
    await h.clock.advance(120_000);
    expect(h.transport.attempts).toHaveLength(attempts);
    await expect(h.session.submit(getData('/after'))).rejects.toBeInstanceOf(SessionExpiredError);
    await expect(h.session.addAuth({ scheme: 'digest', auth: bytes('a:b') })).rejects.toBeInstanceOf(SessionExpiredError);
    expect(h.clock.pending).toBe(0);
  });

  it('auth - an AUTHFAILED reply ends the session as authFailed, with no reconnect', async () => {
    const h = harness({ auth: [{ scheme: 'digest', auth: bytes('u:p') }] });
    const conn = await established(h);
    const events: RawWatchEvent[] = [];
    h.session.watches.add('data', '/w', (e) => events.push(e));
    const pending = track(h.session.submit(getData('/a')));
    await settle();
    conn.reply(Xid.auth, 0n, -115);
    await settle();
    expect(h.session.state).toBe('authFailed');
    expect(pending.error).toBeInstanceOf(AuthFailedError);
    expect(events).toEqual([{ type: -1, state: KeeperState.AuthFailed, path: '' }]);
    expect(conn.closedByClient).toBe(true);
    await h.clock.advance(60_000);
    expect(h.transport.attempts).toHaveLength(1);
    await expect(h.session.submit(getData('/b'))).rejects.toBeInstanceOf(AuthFailedError);
  });

  it("auth - addAuth while connected resolves on the server's answer and rejects on its refusal", async () => {
    const h = harness();
    const conn = await established(h);
    const ok = h.session.addAuth({ scheme: 'digest', auth: bytes('a:b') });
    await settle();
    expect(conn.requests()).toEqual([{ xid: Xid.auth, request: { op: 'auth', type: 0, scheme: 'digest', auth: bytes('a:b') } }]);
    conn.reply(Xid.auth, 0n);
    await expect(ok).resolves.toBeUndefined();
    const refused = h.session.addAuth({ scheme: 'nope', auth: bytes('x') });
    await settle();
    conn.reply(Xid.auth, 0n, -115);
    await expect(refused).rejects.toBeInstanceOf(AuthFailedError);
    expect(h.session.state).toBe('authFailed');
  });
});
