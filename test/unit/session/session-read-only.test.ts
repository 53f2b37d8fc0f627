/**
 * Read-only mode and host rotation in the session (memory transport, fake clock; T = 30 s).
 *
 * Read-only, as ClientCnxn does it: with allowReadOnly the client asks for a new session (id 0) until it
 * has seen a read-write server; on a read-only server it reports connectedReadOnly and probes the other
 * hosts with `isro` in the background (100 ms, doubling); the first "rw" makes it leave for that host and
 * open a proper session there: a new session id, state connected, never 'expired'.
 * Host rotation: names are resolved through the transport, each address counts as a host.
 */
import { describe, expect, it } from 'vitest';
import { Xid } from '../../../src/protocol/constants.js';
import { encodeReply } from '../../../src/protocol/responses.js';
import { TEST_PASSWORD } from '../../support/memory-transport.js';
import { HOSTS, established, harness, settle } from '../../support/session-harness.js';

const T = 30_000;
const ascii = (bytes: Uint8Array): string => String.fromCharCode(...bytes);
const rw = Uint8Array.from([0x72, 0x77]);

describe('session: read-only mode', () => {
  it('read-only first: session id 0 asked, connectedReadOnly, then a background isro finds a read-write host', async () => {
    const h = harness({ allowReadOnly: true });
    const ro = await established(h, { timeOut: T, readOnly: true, sessionId: 0x55n, passwd: TEST_PASSWORD });
    expect(ro.connectRequest().readOnly).toBe(true);
    expect(ro.connectRequest().sessionId).toBe(0n);
    expect(h.session.state).toBe('connectedReadOnly');
    expect(h.session.sessionId).toBe(0x55n);

    // After 100 ms the next host (zk2) is asked "isro"; it says "ro": nothing happens.
    await h.clock.advance(100);
    const probe1 = h.transport.last;
    expect(probe1.host).toBe('zk2');
    expect(ascii(probe1.writes[0]!)).toBe('isro');
    probe1.push(Uint8Array.from([0x72, 0x6f]));
    probe1.serverClose();
    await settle();
    expect(h.session.state).toBe('connectedReadOnly');
    // The next probe comes 200 ms later (doubling), to zk3, which says "rw".
    await h.clock.advance(199);
    expect(h.transport.connections).toHaveLength(2);
    await h.clock.advance(1);
    const probe2 = h.transport.last;
    expect(probe2.host).toBe('zk3');
    probe2.push(rw);
    probe2.serverClose();
    await settle();
    // The client leaves the read-only server for zk3, asking for a new session there.
    expect(ro.closedByClient).toBe(true);
    await h.clock.advance(100);
    const moved = h.transport.last;
    expect(moved.host).toBe('zk3');
    expect(moved.connectRequest().sessionId).toBe(0n);
    moved.accept({ timeOut: T, readOnly: false, sessionId: 0x77n, passwd: TEST_PASSWORD });
    await settle();
    expect(h.session.state).toBe('connected');
    expect(h.session.sessionId).toBe(0x77n);
    expect(h.states).toEqual(['connectedReadOnly', 'disconnected', 'connecting', 'connected']);
    // No more probes once read-write.
    const connections = h.transport.connections.length;
    await h.clock.advance(5_000);
    for (const r of moved.requests()) if (r.xid === Xid.ping) moved.reply(Xid.ping, 0n);
    expect(h.transport.connections).toHaveLength(connections);
  });

  it('a read-only server that refuses to create a session (NOTREADONLY instead of a ConnectResponse) is skipped for the next host', async () => {
    const logs: string[] = [];
    const h = harness({
      allowReadOnly: true,
      logger: (_level, message, fields) => logs.push(`${message} ${(fields?.['error'] as Error | undefined)?.message}`),
    });
    h.session.start();
    await settle();
    const refusing = h.transport.last;
    refusing.push(encodeReply({ xid: 0, zxid: 0n, err: -119 }));
    await settle();
    await h.clock.advance(100);
    const next = h.transport.last;
    expect(next).not.toBe(refusing);
    expect(next.host).toBe('zk2');
    expect(logs.some((l) => l.includes('localSessionsEnabled'))).toBe(true);
    next.accept({ timeOut: T, readOnly: true, sessionId: 0x55n, passwd: TEST_PASSWORD });
    await settle();
    expect(h.session.state).toBe('connectedReadOnly');
  });

  it('after a read-write server was seen, reconnects resume the session (also to read-only servers)', async () => {
    const h = harness({ allowReadOnly: true });
    const first = await established(h, { timeOut: T, readOnly: false, sessionId: 0x77n, passwd: TEST_PASSWORD });
    expect(first.connectRequest().sessionId).toBe(0n);
    first.serverClose();
    await settle();
    const second = h.transport.last;
    expect(second.connectRequest().sessionId).toBe(0x77n);
    expect(second.connectRequest().readOnly).toBe(true);
  });

  it('a read-only session is no global session: losing every server for 4/3 T does not declare it expired', async () => {
    const h = harness({ allowReadOnly: true });
    const ro = await established(h, { timeOut: T, readOnly: true, sessionId: 0x55n, passwd: TEST_PASSWORD });
    h.transport.decide = () => 'refuse';
    ro.serverClose();
    await h.clock.advance(2 * T);
    expect(h.session.state).not.toBe('expired');
    h.transport.decide = () => 'accept';
    await h.clock.advance(3000);
    const next = h.transport.last;
    expect(next.connectRequest().sessionId).toBe(0n);
    next.accept({ timeOut: T, readOnly: false, sessionId: 0x88n, passwd: TEST_PASSWORD });
    await settle();
    expect(h.session.state).toBe('connected');
  });
});

describe('session: host rotation with resolved names', () => {
  it('each resolved address is a host: dialled by address with the name as TLS server name, and counted in the connect timeout', async () => {
    const h = harness({ hosts: [{ host: 'zk.example', port: 2181 }], connectTimeout: undefined, sessionTimeout: 12_000 });
    h.transport.resolve = async (host) => (host === 'zk.example' ? ['10.0.0.1', '10.0.0.2', '10.0.0.3'] : []);
    h.transport.decide = () => 'hang';
    h.session.start();
    await settle();
    await settle();
    expect(h.transport.attempts).toHaveLength(1);
    expect(h.transport.attempts[0]!.serverName).toBe('zk.example');
    expect(h.transport.attempts[0]!.host).toMatch(/^10\.0\.0\.[123]$/);
    // 12 s ÷ 3 addresses = 4 s per attempt.
    await h.clock.advance(3999);
    expect(h.transport.attempts).toHaveLength(1);
    await h.clock.advance(1 + 60);
    await settle();
    expect(h.transport.attempts.length).toBeGreaterThanOrEqual(2);
    const dialled = new Set(h.transport.attempts.map((a) => a.host));
    await h.clock.advance(8000 + 200);
    for (const a of h.transport.attempts) dialled.add(a.host);
    expect([...dialled].sort()).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    void h.session.close();
  });

  it('without a resolver, names are dialled as written (as before)', async () => {
    const h = harness();
    await established(h);
    expect(h.transport.attempts[0]!.host).toBe(HOSTS[0]!.host);
  });
});
