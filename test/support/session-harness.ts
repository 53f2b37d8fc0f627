/**
 * A Session wired to the memory transport and the fake clock, for the session unit tests: the test
 * plays the server on `transport.last` and moves time with `clock.advance`.
 */
import { FakeClock, settle } from './fake-clock.js';
import { type MemoryConnection, MemoryTransport } from './memory-transport.js';
import type { ConnectResponse } from '../../src/protocol/records/session.js';
import { Session, type SessionOptions } from '../../src/session/session.js';
import type { SessionState } from '../../src/session/state.js';

export { settle };

export const HOSTS = [
  { host: 'zk1', port: 2181 },
  { host: 'zk2', port: 2182 },
  { host: 'zk3', port: 2183 },
];

export interface Harness {
  session: Session;
  transport: MemoryTransport;
  clock: FakeClock;
  /** Every state the session entered, in order. */
  states: SessionState[];
}

/** A session over HOSTS (kept in this order: `random` never swaps) with a 30 s timeout; not started. */
export function harness(options: Partial<SessionOptions> = {}): Harness {
  const transport = new MemoryTransport();
  const clock = new FakeClock();
  const session = new Session({
    hosts: HOSTS,
    transport,
    clock,
    sessionTimeout: 30_000,
    // Just below 1: the Fisher-Yates shuffle keeps the given order, and reconnect jitter is fixed.
    random: () => 0.999_999,
    ...options,
  });
  const states: SessionState[] = [];
  session.onStateChange((change) => states.push(change.state));
  return { session, transport, clock, states };
}

/** Starts the session and lets it write its ConnectRequest; returns the new connection. */
export async function started(h: Harness): Promise<MemoryConnection> {
  h.session.start();
  await settle();
  return h.transport.last;
}

/** Starts the session and answers its handshake; returns the connection. */
export async function established(h: Harness, response: Partial<ConnectResponse> = {}): Promise<MemoryConnection> {
  const conn = await started(h);
  conn.accept(response);
  await settle();
  return conn;
}

/** A getData request without a watch, for `session.submit`. */
export const getData = (path: string) => ({ op: 'getData', path, watch: false }) as const;
