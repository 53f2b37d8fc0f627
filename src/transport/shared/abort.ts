/** A connect's AbortSignal: before the connection opens it fails the connect; after, it closes the connection. */
import type { TransportConnection } from '../types.js';

/** What an aborted connect rejects with: the signal's reason, else a plain error. */
export function abortReason(signal: AbortSignal | undefined): Error {
  return (signal?.reason as Error | undefined) ?? new Error('aborted');
}

/** The connection is open: `onConnectAbort` is off, and aborting from now on closes `conn`. */
export function closeOnAbort(signal: AbortSignal | undefined, onConnectAbort: () => void, conn: TransportConnection): void {
  if (signal === undefined) return;
  signal.removeEventListener('abort', onConnectAbort);
  signal.addEventListener('abort', () => conn.close(), { once: true });
}
