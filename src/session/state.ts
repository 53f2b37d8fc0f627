/**
 * Session states and the rules between them. Only Session.transition assigns the state.
 *
 *   connecting ──▶ connected | connectedReadOnly ──▶ disconnected ──▶ connecting ...
 *        any non-terminal ──▶ expired | authFailed | closed   (terminal: never left)
 */
import { AuthFailedError, ClientClosedError, SessionExpiredError } from '../errors.js';

/** The session's state: `connecting`, `connected`, `connectedReadOnly` or `disconnected`, then one of the terminal `expired`, `authFailed`, `closed`. */
export type SessionState = 'connecting' | 'connected' | 'connectedReadOnly' | 'disconnected' | 'expired' | 'authFailed' | 'closed';

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

/** The error a terminal state fails pending and later requests with, when nothing more specific caused it. */
export function endError(state: 'expired' | 'authFailed' | 'closed', message: string | undefined, path?: string): Error {
  if (state === 'expired') return new SessionExpiredError(message ?? 'the session has expired', { path });
  if (state === 'authFailed') return new AuthFailedError(message ?? 'authentication failed', { path });
  return new ClientClosedError(message ?? 'the client is closed', { path });
}

/** A state change, as delivered to listeners and the `states()` stream. */
export interface StateChange {
  state: SessionState;
  previous: SessionState;
  /** Why, when something went wrong (the error that dropped the connection, expiry, auth failure). */
  cause?: Error | undefined;
}
