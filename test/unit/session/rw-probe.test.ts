/**
 * The read-write probe (src/session/rw-probe.ts), against the memory transport and the fake clock: it
 * writes `isro`, reads until the server closes, and answers 'rw', 'ro' or undefined, never rejecting,
 * never leaving a timer or a connection behind.
 */
import { describe, expect, it } from 'vitest';
import { probeReadWrite } from '../../../src/session/rw-probe.js';
import type { Transport, TransportConnectOptions } from '../../../src/transport/types.js';
import { FakeClock, settle } from '../../support/fake-clock.js';
import { type MemoryConnection, MemoryTransport } from '../../support/memory-transport.js';

const ZK = { host: '10.0.0.1', port: 2181 };
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (bytes: readonly Uint8Array[]): string => bytes.map((b) => new TextDecoder().decode(b)).join('');

function setup() {
  const transport = new MemoryTransport();
  const clock = new FakeClock();
  const probe = (options: { timeoutMs?: number; signal?: AbortSignal } = {}) =>
    probeReadWrite(transport, ZK, { timeoutMs: 1000, clock, ...options });
  return { transport, clock, probe };
}

/** The probe's connection once it has written its question. */
async function asked(transport: MemoryTransport): Promise<MemoryConnection> {
  await settle();
  const conn = transport.last;
  expect(text(conn.writes)).toBe('isro');
  return conn;
}

describe('read-write probe', () => {
  for (const [answer, mode] of [
    ['rw', 'rw'],
    ['ro', 'ro'],
    ['rw\n', 'rw'],
    ['ro\r\n', 'ro'],
  ] as const) {
    it(`isro - ${JSON.stringify(answer)} then close gives '${mode}'`, async () => {
      const { transport, clock, probe } = setup();
      const result = probe();
      const conn = await asked(transport);
      conn.push(ascii(answer));
      conn.serverClose();
      await expect(result).resolves.toBe(mode);
      expect(clock.pending).toBe(0);
      expect(conn.ended).toBe(true);
    });
  }

  it('isro - an answer split across reads', async () => {
    const { transport, probe } = setup();
    const result = probe();
    const conn = await asked(transport);
    conn.push(ascii('r'));
    conn.push(ascii('w'));
    conn.serverClose();
    await expect(result).resolves.toBe('rw');
  });

  it('isro - waits for the close: an answer without it is not final', async () => {
    const { transport, clock, probe } = setup();
    let settled = false;
    const result = probe().then((mode) => {
      settled = true;
      return mode;
    });
    const conn = await asked(transport);
    conn.push(ascii('rw'));
    await settle();
    expect(settled).toBe(false);
    await clock.advance(1000); // the server never closed: no verdict
    await expect(result).resolves.toBeUndefined();
    expect(conn.closedByClient).toBe(true);
  });

  for (const answer of ['null', '', 'RW', 'rwx']) {
    it(`isro - ${JSON.stringify(answer)} is not an answer`, async () => {
      const { transport, clock, probe } = setup();
      const result = probe();
      const conn = await asked(transport);
      if (answer !== '') conn.push(ascii(answer));
      conn.serverClose();
      await expect(result).resolves.toBeUndefined();
      expect(clock.pending).toBe(0);
    });
  }

  it('isro - a server without isro in its whitelist: undefined, and the probe hangs up at once', async () => {
    const { transport, clock, probe } = setup();
    const result = probe();
    const conn = await asked(transport);
    conn.push(ascii('isro is not executed because it is not in the whitelist.\n'));
    await expect(result).resolves.toBeUndefined();
    expect(conn.closedByClient).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('isro - a reset after the answer is an error, not an answer', async () => {
    const { transport, probe } = setup();
    const result = probe();
    const conn = await asked(transport);
    conn.push(ascii('rw'));
    conn.serverClose(new Error('read ECONNRESET'));
    await expect(result).resolves.toBeUndefined();
  });

  it('isro - a refused connection gives undefined and clears the timer', async () => {
    const { transport, clock, probe } = setup();
    transport.decide = () => 'refuse';
    await expect(probe()).resolves.toBeUndefined();
    expect(clock.pending).toBe(0);
  });

  it('isro - a connect that never completes ends at the timeout, aborted', async () => {
    const { transport, clock, probe } = setup();
    transport.decide = () => 'hang';
    const result = probe({ timeoutMs: 250 });
    await settle();
    await clock.advance(249);
    expect(transport.attempts[0]!.signal!.aborted).toBe(false);
    await clock.advance(1);
    await expect(result).resolves.toBeUndefined();
    expect(transport.attempts[0]!.signal!.aborted).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('isro - the caller aborting ends the probe at once and closes the connection', async () => {
    const { transport, clock, probe } = setup();
    const abort = new AbortController();
    const result = probe({ signal: abort.signal });
    const conn = await asked(transport);
    abort.abort(new Error('session closed'));
    await expect(result).resolves.toBeUndefined();
    expect(conn.closedByClient).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('isro - an already aborted signal: no connection at all', async () => {
    const { transport, clock, probe } = setup();
    const abort = new AbortController();
    abort.abort();
    await expect(probe({ signal: abort.signal })).resolves.toBeUndefined();
    expect(transport.attempts).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('isro - TLS options and the endpoint name are passed to the transport', async () => {
    const seen: TransportConnectOptions[] = [];
    const transport: Transport = {
      connect(options) {
        seen.push(options);
        return Promise.reject(new Error('no'));
      },
    };
    const tls = { ca: 'PEM', servername: 'zk.example' };
    const mode = await probeReadWrite(transport, { host: '10.0.0.1', port: 2281, name: 'zk.example' }, { timeoutMs: 50, tls });
    expect(mode).toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ host: '10.0.0.1', port: 2281, serverName: 'zk.example', tls });
  });

  it('isro - a transport that throws, or connects after the deadline, still settles and leaks nothing', async () => {
    const clock = new FakeClock();
    const throwing: Transport = {
      connect() {
        throw new Error('sync failure');
      },
    };
    await expect(probeReadWrite(throwing, ZK, { timeoutMs: 100, clock })).resolves.toBeUndefined();
    expect(clock.pending).toBe(0);

    // Ignores its signal and connects late: the late connection is closed at once.
    const late = new MemoryTransport();
    let connectNow: () => void = () => {};
    const slow: Transport = {
      connect: (options) =>
        new Promise((resolve) => {
          connectNow = () => resolve(late.connect({ host: options.host, port: options.port }));
        }),
    };
    const result = probeReadWrite(slow, ZK, { timeoutMs: 100, clock });
    await clock.advance(100);
    await expect(result).resolves.toBeUndefined();
    connectNow();
    await settle();
    expect(late.last.closedByClient).toBe(true);
    expect(late.last.writes).toEqual([]);
  });
});
