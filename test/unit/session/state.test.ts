/**
 * The session state machine as a table (README, "Using the client": the states; expiry is final): every
 * (from, to) pair is checked against the transitions the driver is allowed to make, and terminal states are
 * never left.
 */
import { describe, expect, it } from 'vitest';
import { type SessionState, canTransition, isConnected, isTerminal } from '../../../src/session/state.js';

const STATES: readonly SessionState[] = ['connecting', 'connected', 'connectedReadOnly', 'disconnected', 'expired', 'authFailed', 'closed'];
const TERMINAL: readonly SessionState[] = ['expired', 'authFailed', 'closed'];

// The specification: a connected session passes through disconnected before it connects again, and a
// disconnected one through connecting before it is connected again.
const EXPECTED: Record<SessionState, readonly SessionState[]> = {
  connecting: ['connected', 'connectedReadOnly', 'disconnected', 'expired', 'authFailed', 'closed'],
  connected: ['connectedReadOnly', 'disconnected', 'expired', 'authFailed', 'closed'],
  connectedReadOnly: ['connected', 'disconnected', 'expired', 'authFailed', 'closed'],
  disconnected: ['connecting', 'expired', 'authFailed', 'closed'],
  expired: [],
  authFailed: [],
  closed: [],
};

describe('session state', () => {
  const pairs = STATES.flatMap((from) => STATES.map((to) => [from, to, EXPECTED[from].includes(to)] as const));

  it.each(pairs)('state table - %s -> %s allowed: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it('state table - terminal states are never left, not even for another terminal state', () => {
    for (const from of TERMINAL) {
      for (const to of STATES) expect(canTransition(from, to)).toBe(false);
    }
  });

  it('state table - every live state can end in every terminal state', () => {
    for (const from of STATES.filter((s) => !isTerminal(s))) {
      for (const to of TERMINAL) expect(canTransition(from, to)).toBe(true);
    }
  });

  it('state table - no state transitions to itself', () => {
    for (const s of STATES) expect(canTransition(s, s)).toBe(false);
  });

  it('state predicates - terminal and connected sets', () => {
    expect(STATES.filter(isTerminal)).toEqual(TERMINAL);
    expect(STATES.filter(isConnected)).toEqual(['connected', 'connectedReadOnly']);
  });
});
