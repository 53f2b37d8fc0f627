/**
 * Every timer the session uses, derived from the session timeout T in one place.
 *
 * - readTimeout = 2/3 T: nothing received for that long means the server is gone (paused, black-holed),
 *   so move to another host without waiting for TCP (ClientCnxn).
 * - pingInterval = 1/3 T: ping when nothing was sent for that long, so the server never sees T of silence
 *   and the read timeout always has a reply to wait for.
 * - connectTimeout = T / hosts per attempt, as Java does (TCP connect plus ConnectResponse).
 * - expiryTimeout = 4/3 T: disconnected with nothing heard for that long, the client declares the session
 *   expired itself, as ZOOKEEPER-4508 does in 3.9.3+. Not at T: an ensemble without a quorum expires no
 *   session, and a new leader restarts every session's timer, so a session can outlive T of silence.
 *   Lock safety does not rest on this: the lease bound (recipes/lease.ts) ends before T.
 * Before the first connection the requested timeout stands in for T.
 */
export interface SessionTimeouts {
  readTimeout: number;
  pingInterval: number;
  connectTimeout: number;
  expiryTimeout: number;
}

export function deriveTimeouts(sessionTimeout: number, hostCount: number, connectTimeout?: number): SessionTimeouts {
  const t = Math.max(1, sessionTimeout);
  return {
    readTimeout: Math.floor((t * 2) / 3),
    pingInterval: Math.floor(t / 3),
    connectTimeout: connectTimeout ?? Math.max(1000, Math.floor(t / Math.max(1, hostCount))),
    expiryTimeout: Math.floor((t * 4) / 3),
  };
}

/**
 * Reconnect delay after a full pass over the hosts failed: bounded exponential backoff with full jitter.
 * Capped at half a second: during an election every member refuses for a few hundred ms, and a client
 * backing off for seconds would sleep past the new leader (the lock benchmark's leader kill showed
 * gaps of 1.3 s of which 0.8 s was sleep); the jitter still spreads many clients' retries.
 */
export function backoffDelay(failedPasses: number, random: () => number, base = 25, max = 500): number {
  const cap = Math.min(max, base * 2 ** Math.min(failedPasses, 10));
  return Math.floor(random() * cap);
}
