/**
 * The handshake through the memory transport (ClientCnxn.SendThread.primeConnection): the exact
 * ConnectRequest a new and a resumed session send, silence until the ConnectResponse, and what the response
 * sets.
 */
import { describe, expect, it } from 'vitest';
import { TEST_PASSWORD, connectResponse } from '../../support/memory-transport.js';
import { HOSTS, established, harness, settle, started } from '../../support/session-harness.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('session handshake', () => {
  it('handshake - a new session sends the exact ConnectRequest to the first host', async () => {
    const h = harness();
    const conn = await started(h);
    expect(h.transport.attempts.map((a) => `${a.host}:${a.port}`)).toEqual(['zk1:2181']);
    expect(conn.writes).toHaveLength(1);
    // As captured from a 3.8.0 server (test/unit/protocol/captured-frames.test.ts): new session, timeOut 30000,
    // readOnly false.
    expect(hex(conn.writes[0]!)).toBe(
      '0000002d' + '00000000' + '0000000000000000' + '00007530' + '0000000000000000' + '00000010' + '00'.repeat(16) + '00',
    );
    expect(conn.connectRequest()).toEqual({
      protocolVersion: 0,
      lastZxidSeen: 0n,
      timeOut: 30_000,
      sessionId: 0n,
      passwd: new Uint8Array(16),
      readOnly: false,
    });
    expect(h.session.state).toBe('connecting');
  });

  it('handshake - allowReadOnly sets the readOnly byte; the requested timeout is sent as given', async () => {
    const h = harness({ allowReadOnly: true, sessionTimeout: 4321 });
    const conn = await started(h);
    expect(conn.connectRequest()).toMatchObject({ readOnly: true, timeOut: 4321 });
  });

  it('handshake - nothing else is written before the ConnectResponse, even with requests queued', async () => {
    const h = harness();
    void h.session.submit({ op: 'getData', path: '/early', watch: false }).catch(() => {});
    const conn = await started(h);
    void h.session.submit({ op: 'getData', path: '/during', watch: false }).catch(() => {});
    await settle();
    expect(conn.writes).toHaveLength(1);
    expect(conn.requests()).toEqual([]);
  });

  it('handshake - the ConnectResponse sets the session and moves to connected', async () => {
    const h = harness();
    await established(h, { timeOut: 12_000, sessionId: 0x100000728c0000bn });
    expect(h.session.state).toBe('connected');
    expect(h.states).toEqual(['connected']);
    expect(h.session.sessionId).toBe(0x100000728c0000bn);
    expect(h.session.negotiatedTimeout).toBe(12_000);
    expect(h.session.readOnly).toBe(false);
  });

  it('handshake - a read-only server gives connectedReadOnly', async () => {
    const h = harness({ allowReadOnly: true });
    await established(h, { readOnly: true });
    expect(h.session.state).toBe('connectedReadOnly');
    expect(h.session.readOnly).toBe(true);
  });

  it('handshake - a reconnect sends the session id, password and lastZxidSeen, and the requested timeout again', async () => {
    const h = harness();
    const first = await established(h, { timeOut: 10_000, sessionId: 0x1234n, passwd: TEST_PASSWORD });
    const reply = h.session.submit({ op: 'getData', path: '/a', watch: false });
    await settle();
    first.reply(1, 0x47n, -101);
    await expect(reply).rejects.toMatchObject({ code: 'NONODE' });
    first.serverClose();
    await settle();
    expect(h.transport.connections).toHaveLength(2);
    const second = h.transport.last;
    expect(`${second.host}:${second.port}`).toBe(`${HOSTS[1]!.host}:${HOSTS[1]!.port}`);
    expect(second.connectRequest()).toEqual({
      protocolVersion: 0,
      lastZxidSeen: 0x47n,
      // The requested 30 s, not the negotiated 10 s: the server may grant more on another host.
      timeOut: 30_000,
      sessionId: 0x1234n,
      passwd: TEST_PASSWORD,
      readOnly: false,
    });
  });

  it("handshake - the server's password is copied, not kept as a view of the frame", async () => {
    const h = harness();
    const first = await started(h);
    const frame = connectResponse({ passwd: TEST_PASSWORD.slice() });
    first.push(frame);
    await settle();
    // Reuse the memory the frame arrived in, as a transport may: the stored password must not change.
    frame.fill(0);
    first.serverClose();
    await settle();
    expect(h.transport.last.connectRequest().passwd).toEqual(TEST_PASSWORD);
  });
});
