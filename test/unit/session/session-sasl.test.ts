/**
 * SASL in the session (sasl.ts, session.ts): the exchange runs on every connection right after the
 * ConnectResponse and before auth packets, watch replay and queued requests; the session is connected
 * only once it completes; a refusal ends the session; a server's -124 (SASL required) ends it too.
 */
import { describe, expect, it } from 'vitest';
import { AuthFailedError, SessionClosedRequireSaslAuthError } from '../../../src/errors.js';
import { Xid } from '../../../src/protocol/constants.js';
import { digestResponse, parseDirectives } from '../../../src/protocol/sasl-digest-md5.js';
import type { MemoryConnection } from '../../support/memory-transport.js';
import { getData, harness, settle, started } from '../../support/session-harness.js';
import { statOf } from '../../support/stat.js';
import { track } from '../../support/promises.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const NONCE = 'server-nonce';
const SASL = { username: 'alice', password: 'alice-secret' };

/** Plays ZooKeeper's DIGEST-MD5 server for the sasl packets written so far: challenge, then rspauth. */
function answerSasl(conn: MemoryConnection, password = SASL.password): void {
  const sasl = conn.requests().filter((r) => r.request.op === 'sasl');
  const last = sasl.at(-1)!;
  const token = new TextDecoder().decode((last.request as { token: Uint8Array }).token);
  if (token === '') {
    conn.reply(last.xid, 0n, 0, 'sasl', {
      token: bytes(`realm="zk-sasl-md5",nonce="${NONCE}",qop="auth",charset=utf-8,algorithm=md5-sess`),
    });
    return;
  }
  const r = parseDirectives(token);
  const params = {
    username: r.get('username')!,
    password,
    realm: 'zk-sasl-md5',
    nonce: NONCE,
    cnonce: r.get('cnonce')!,
    nc: r.get('nc')!,
    qop: 'auth',
    digestUri: r.get('digest-uri')!,
    utf8: true,
  };
  if (digestResponse(params) !== r.get('response')) conn.reply(last.xid, 0n, -115);
  else conn.reply(last.xid, 0n, 0, 'sasl', { token: bytes(`rspauth=${digestResponse(params, true)}`) });
}

describe('session SASL', () => {
  it('runs after the ConnectResponse and before auth, watch replay and queued requests, on every connection', async () => {
    const h = harness({ sasl: SASL, auth: [{ scheme: 'digest', auth: bytes('u:p') }] });
    const first = await started(h);
    const queued = track(h.session.submit(getData('/q')));
    first.accept();
    await settle();
    expect(first.requests().map((r) => r.request.op)).toEqual(['sasl']);
    expect(h.session.state).toBe('connecting');
    answerSasl(first);
    await settle();
    expect(first.requests().map((r) => r.request.op)).toEqual(['sasl', 'sasl']);
    expect(h.session.state).toBe('connecting');
    answerSasl(first);
    await settle();
    expect(h.session.state).toBe('connected');
    const ops = first.requests().map((r) => r.request.op);
    expect(ops).toEqual(['sasl', 'sasl', 'auth', 'getData']);
    // SASL packets take ordinary xids (the queued request took 1 when it was made, and goes out after).
    const [s1, s2, auth, q] = first.requests();
    expect([s1!.xid, s2!.xid, auth!.xid, q!.xid]).toEqual([2, 3, Xid.auth, 1]);

    // A watch, then a reconnect: SASL again first, then auth, then SetWatches.
    const watched = h.session.submit(
      { op: 'getData', path: '/w', watch: true },
      { watch: { kind: 'data', path: '/w', watcher: () => {} } },
    );
    await settle();
    first.reply(Xid.auth, 0n);
    first.reply(q!.xid, 1n, -101);
    const w = first.requests().at(-1)!;
    first.reply(w.xid, 2n, 0, 'getData', { data: null, stat: statOf() });
    await settle();
    await watched;
    expect(queued.error).toBeDefined();
    first.serverClose();
    await settle();
    const second = h.transport.last;
    second.accept();
    await settle();
    expect(second.requests().map((r) => r.request.op)).toEqual(['sasl']);
    answerSasl(second);
    await settle();
    answerSasl(second);
    await settle();
    expect(second.requests().map((r) => r.request.op)).toEqual(['sasl', 'sasl', 'auth', 'setWatches']);
    expect(h.session.state).toBe('connected');
  });

  it('a refusal (AUTHFAILED) ends the session with AuthFailedError naming the user; no other host is tried', async () => {
    const h = harness({ sasl: { username: 'alice', password: 'guess' } });
    const conn = await started(h);
    const pending = track(h.session.submit(getData('/q')));
    conn.accept();
    await settle();
    answerSasl(conn, SASL.password);
    await settle();
    answerSasl(conn, SASL.password);
    await settle();
    expect(h.states.at(-1)).toBe('authFailed');
    expect(h.session.endError).toBeInstanceOf(AuthFailedError);
    expect(h.session.endError?.message).toMatch(/"alice".*wrong password/);
    expect(pending.error).toBeInstanceOf(AuthFailedError);
    await h.clock.advance(5000);
    expect(h.transport.attempts).toHaveLength(1);
  });

  it('a server that requires SASL answering -124 (to a request or a ping) ends the session with SessionClosedRequireSaslAuthError', async () => {
    const h = harness();
    const conn = await started(h);
    conn.accept();
    await settle();
    const pending = track(h.session.submit(getData('/q')));
    await settle();
    conn.reply(conn.requests().at(-1)!.xid, 0n, -124);
    await settle();
    expect(h.session.state).toBe('authFailed');
    expect(pending.error).toBeInstanceOf(SessionClosedRequireSaslAuthError);
    expect(h.session.endError?.message).toMatch(/sasl option/);
    await h.clock.advance(5000);
    expect(h.transport.attempts).toHaveLength(1);
  });
});
