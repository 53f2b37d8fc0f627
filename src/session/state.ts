/**
 * Session states and the rules between them. Only Session.transition assigns the state.
 *
 *   connecting ──▶ connected | connectedReadOnly ──▶ disconnected ──▶ connecting ...
 *        any non-terminal ──▶ expired | authFailed | closed   (terminal: never left)
 */
export type SessionState =
  | 'connecting'
  | 'connected'
  | 'connectedReadOnly'
  | 'disconnected'
  | 'expired'
  | 'authFailed'
  | 'closed';

const TERMINAL: ReadonlySet<SessionState> = new Set(['expired', 'authFailed', 'closed']);

/** The session is over (expired, authFailed, closed): nothing on that client can succeed again. */
export function isTerminal(state: SessionState): boolean {
  return TERMINAL.has(state);
}

export function isConnected(state: SessionState): boolean {
  return state === 'connected' || state === 'connectedReadOnly';
}

const allowed: Record<SessionState, readonly SessionState[]> = {
  connecting: ['connected', 'connectedReadOnly', 'disconnected', 'expired', 'authFailed', 'closed'],
  connected: ['disconnected', 'connectedReadOnly', 'expired', 'authFailed', 'closed'],
  connectedReadOnly: ['disconnected', 'connected', 'expired', 'authFailed', 'closed'],
  disconnected: ['connecting', 'expired', 'authFailed', 'closed'],
  expired: [],
  authFailed: [],
  closed: [],
};

export function canTransition(from: SessionState, to: SessionState): boolean {
  return allowed[from].includes(to);
}

/** A state change, as delivered to listeners and the `states()` stream. */
export interface StateChange {
  state: SessionState;
  previous: SessionState;
  /** Why, when something went wrong (the error that dropped the connection, expiry, auth failure). */
  cause?: Error | undefined;
}
